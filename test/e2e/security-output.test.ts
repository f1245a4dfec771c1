// Issue 9, item 9: frame forgery and terminal injection. A key comment (or an account comment)
// stored with frame markers, escape sequences and CRs is listed back over the real OpenSSH client
// in each output mode; a script parsing the frames with jq still gets exactly one envelope, and
// no raw ESC or BEL reaches the terminal. Here one case of each mode, and the coloured text with a
// pty; the other mode/--quiet/pty cases run in-process, in test/plugins/security-output.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bash, sshCommandLine } from '../helpers/clients.js';
import { assertOneSafeEnvelope, HOSTILE, type Mode } from '../helpers/hostileOutput.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
let mallory: TestAccount;

before(async () => {
  srv = await startTestServer();
  mallory = srv.addAccount('mallory');
  // Stored text as an older import or a direct database edit could leave it: no plugin option
  // accepts a line break, but the output must not depend on that.
  sqliteOf(srv.gh.store).prepare('UPDATE ingress_keys SET comment = ? WHERE account_id = ?').run(HOSTILE, mallory.id);
  sqliteOf(srv.gh.store).prepare('UPDATE accounts SET comment = ? WHERE id = ?').run(HOSTILE, mallory.id);
});

after(async () => {
  await srv.close();
});

// One case of each mode; the three differ in --quiet and pty, so each of those shows here too.
const OVER_SSH: readonly { mode: Mode; quiet: boolean; pty: boolean }[] = [
  { mode: '--json', quiet: false, pty: true },
  { mode: '--json-pretty', quiet: true, pty: false },
  { mode: '--json-greppable', quiet: false, pty: false },
];

for (const { mode, quiet, pty } of OVER_SSH) {
  test(`selfListIngressKeys ${mode}${quiet ? ' --quiet' : ''}${pty ? ' with a pty' : ''}: one envelope, jq reads the comment back, no raw ESC`, async () => {
    const ssh = sshCommandLine(srv.port, mallory.name, mallory.key.privateFile, pty ? ['-tt'] : []);
    const args = `${quiet ? '--quiet ' : ''}${mode} --osh selfListIngressKeys`;
    const raw = await bash(`${ssh} -- ${args} < /dev/null`);
    await assertOneSafeEnvelope(raw, mode, quiet);
  });
}

test('text for people with a pty and colours: the comment cannot set the title or clear the screen', async () => {
  const ssh = sshCommandLine(srv.port, 'admin', srv.admin.key.privateFile, ['-tt']);
  for (const plugin of ['selfListIngressKeys', 'accountInfo --account mallory']) {
    const cmd = plugin.startsWith('self') ? sshCommandLine(srv.port, mallory.name, mallory.key.privateFile, ['-tt']) : ssh;
    const r = await bash(`${cmd} -- --osh ${plugin} < /dev/null`);
    assert.equal(r.code, 0, r.stdout);
    // Colours are on: every ESC that remains opens one of Gatehouse's own SGR sequences.
    const escapes = r.stdout.split('\x1b').length - 1;
    assert.ok(escapes > 0, 'colours expected with a pty');
    assert.equal(r.stdout.match(/\x1b\[[0-9;]*m/g)?.length, escapes, JSON.stringify(r.stdout));
    assert.equal(r.stdout.includes('\x07'), false);
    assert.ok(r.stdout.includes('\\x1b]0;pwned\\x07'), r.stdout);
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\r\n');
    assert.deepEqual(
      plain.filter((l) => /^\s*JSON_(START|END|OUTPUT)/.test(l)),
      [],
    );
  }
});
