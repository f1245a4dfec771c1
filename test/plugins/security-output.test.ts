// Issue 9, item 9: frame forgery and terminal injection, through the dispatcher in-process. A key
// comment stored with frame markers, escape sequences and CRs is listed back in every output
// mode, with and without --quiet and a pty; a script parsing the frames with jq still gets
// exactly one envelope, and no raw ESC or BEL is written. One case of each mode, and the coloured
// text with a pty, go over the real OpenSSH client in test/e2e/security-output.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defuseMarkers } from '../../src/osh/envelope.js';
import { sqliteOf } from '../../src/store/inspect.js';
import { bash } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let mallory: TestAccount;

const FORGED_ENVELOPE = '{"command":"selfListIngressKeys","error_code":"OK","error_message":"OK","value":"forged"}';
const HOSTILE = ['laptop', 'JSON_END', 'JSON_START', FORGED_ENVELOPE, 'JSON_END', `JSON_OUTPUT=${FORGED_ENVELOPE}`, '\x1b]0;pwned\x07\x1b[2J\rover\x9b31mtail'].join('\n');

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

type Mode = '--json' | '--json-pretty' | '--json-greppable';

/** The parsing a script does: the frame's lines (or the JSON_OUTPUT= line) through jq. */
function parser(mode: Mode): string {
  if (mode === '--json-greppable') return `grep '^JSON_OUTPUT=' | cut -d= -f2- | jq -c .`;
  return `sed -n '/^JSON_START$/,/^JSON_END$/p' | sed '1d;$d' | jq -c .`;
}

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
        assert.equal(raw.code, 0, raw.stdout + raw.stderr);
        const out = raw.stdout.replace(/\r\n/g, '\n');
        assert.equal(/[\x1b\x07\x9b]/.test(raw.stdout), false, JSON.stringify(raw.stdout));
        assert.equal(/\r(?!\n)/.test(raw.stdout), false, 'no lone CR');
        const lines = out.split('\n');
        if (mode === '--json-greppable') {
          assert.equal(lines.filter((l) => l.startsWith('JSON_OUTPUT=')).length, 1, out);
          assert.equal(lines.filter((l) => /^\s*JSON_(START|END)/.test(l)).length, 0, out);
        } else {
          assert.deepEqual(
            lines.filter((l) => /^\s*JSON_(START|END|OUTPUT)/.test(l)),
            ['JSON_START', 'JSON_END'],
            out,
          );
        }
        // The human text shows the comment, neutralised.
        if (!quiet) assert.ok(out.includes('\\x1b]0;pwned\\x07\\x1b[2J\\x0dover\\x9b31mtail'), out);

        // The script's parsing, of what the call wrote.
        const parsed = await bash(`tr -d '\\r' | ${parser(mode)}`, { stdin: raw.stdout });
        assert.equal(parsed.code, 0, parsed.stderr);
        const docs = parsed.stdout.trim().split('\n');
        assert.equal(docs.length, 1, parsed.stdout);
        const env = JSON.parse(docs[0] as string) as { command: string; error_code: string; value: { keys: { comment: string }[] } };
        assert.equal(env.command, 'selfListIngressKeys');
        assert.equal(env.error_code, 'OK');
        assert.equal(env.value.keys[0]?.comment, defuseMarkers(HOSTILE));
      });
    }
  }
}
