// bastion.conf is re-read for every new session: edits apply without a restart, a broken file
// keeps the last good configuration and the log says why.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines } from '../helpers/wait.js';

let srv: TestServer;
let user: { name: string; key: { privateFile: string } };
before(async () => {
  srv = await startTestServer();
  user = srv.addAccount('cfguser');
});
after(async () => {
  await srv.close();
});

async function info(account = 'admin', keyFile = srv.admin.key.privateFile): Promise<Record<string, unknown>> {
  const r = await sshCall(srv.port, account, keyFile, ['--osh', 'info', '--json-greppable', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return greppable(r.stdout).value as Record<string, unknown>;
}

test('a new bastionName shows on the next call, without a restart', async () => {
  assert.equal((await info()).bastion_name, 'testbastion');
  srv.writeConfig({ bastionName: 'renamed-bastion' });
  assert.equal((await info()).bastion_name, 'renamed-bastion');
  const text = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info']);
  assert.match(text.stdout, /aka renamed-bastion/);
});

test('a file that does not parse keeps the last good configuration, and the log says why', async () => {
  srv.writeConfig({ bastionName: 'last-good' });
  assert.equal((await info()).bastion_name, 'last-good');
  const before = logLines(srv.logs, 'configuration file rejected, keeping the last good one').length;
  fs.writeFileSync(srv.configPath, '# half-edited\n{\n  "bastionName": "broken",\n  "adminAccounts": ["admin"],\n');
  const v = await info();
  assert.equal(v.bastion_name, 'last-good');
  assert.equal(v.is_admin, 1, 'the admins of the last good file still apply');
  const rejected = logLines(srv.logs, 'configuration file rejected, keeping the last good one');
  assert.equal(rejected.length, before + 1, 'logged once per change, not once per session');
  assert.equal(rejected.at(-1)?.['config'], srv.configPath);
  assert.match(String(rejected.at(-1)?.['err']), /not valid JSON/);
  assert.equal(rejected.at(-1)?.['level'], 50);
  await info();
  assert.equal(logLines(srv.logs, 'configuration file rejected, keeping the last good one').length, before + 1);
  // Fixing the file applies at once.
  srv.writeConfig({ bastionName: 'fixed-again' });
  assert.equal((await info()).bastion_name, 'fixed-again');
});

test('an invalid value is logged and falls back to its default; the rest of the file applies', async () => {
  srv.writeConfig({ bastionName: 'with-warning', accountMaxInactiveDays: 'soon' });
  const v = await info();
  assert.equal(v.bastion_name, 'with-warning');
  assert.equal(v.account_expiration_days, '0');
  assert.ok(srv.logs.some((l) => l['level'] === 40 && /accountMaxInactiveDays/.test(String(l['msg']))));
});

test('roles follow the file: adding an account to adminAccounts applies to its next call', async () => {
  const refused = await sshCall(srv.port, user.name, user.key.privateFile, ['--osh', 'accountList', '--json-greppable']);
  assert.equal(refused.code, 106);
  srv.writeConfig({ bastionName: 'testbastion', adminAccounts: ['admin', user.name] });
  const allowed = await sshCall(srv.port, user.name, user.key.privateFile, ['--osh', 'accountList', '--json-greppable']);
  assert.equal(allowed.code, 0, allowed.stdout);
  assert.equal((await info(user.name, user.key.privateFile)).is_admin, 1);
  srv.writeConfig({ bastionName: 'testbastion' });
  assert.equal((await info(user.name, user.key.privateFile)).is_admin, undefined);
});
