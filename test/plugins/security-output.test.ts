import { after, before, test } from 'node:test';
import { sqliteOf } from '../../src/store/inspect.js';
import { callInProcess } from '../helpers/inProcess.js';
import { assertOneSafeEnvelope, HOSTILE, type Mode } from '../helpers/hostileOutput.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let mallory: TestAccount;

before(async () => {
  srv = await startTestServer();
  mallory = srv.addAccount('mallory');
  // Stored text as an older import or a direct database edit could leave it: no plugin option
  // accepts a line break, but the output must not depend on that.
  sqliteOf(srv.gh.store).prepare('UPDATE ingress_keys SET comment = ? WHERE account_id = ?').run(HOSTILE, mallory.id);
});

after(async () => {
  await srv.close();
});

/** The cases made over SSH, in test/e2e/. */
const overSsh = (mode: Mode, quiet: boolean, pty: boolean): boolean =>
  (mode === '--json' && !quiet && pty) || (mode === '--json-pretty' && quiet && !pty) || (mode === '--json-greppable' && !quiet && !pty);

for (const mode of ['--json', '--json-pretty', '--json-greppable'] as const) {
  for (const quiet of [false, true]) {
    for (const pty of [false, true]) {
      if (overSsh(mode, quiet, pty)) continue;
      test(`selfListIngressKeys ${mode}${quiet ? ' --quiet' : ''}${pty ? ' with a pty' : ''}: one envelope, jq reads the comment back, no raw ESC`, async () => {
        const words = [...(quiet ? ['--quiet'] : []), mode, '--osh', 'selfListIngressKeys'];
        const raw = await callInProcess(srv, mallory.name, words, { pty });
        await assertOneSafeEnvelope(raw, mode, quiet);
      });
    }
  }
}
