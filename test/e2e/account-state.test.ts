// Account state as a client sees it over SSH, with the OpenSSH client: a frozen account's calls
// end with exit 131 and the reason on stderr, an account expired for inactivity with 113, both are
// served again once unfrozen or unexpired, accountInfo says an account is expired exactly when
// login refuses it, and an account past its --ttl gets 121. The plugins that change the state, and
// the refusals of every kind of call, are tested in-process in test/plugins/ (account-state,
// accounts-info, accounts-create); the state changes here are made in-process too, only the
// refused or served call goes over SSH.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sqliteOf } from '../../src/store/inspect.js';
import { greppable, sshCall, type Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
type Who = { name: string; key: { privateFile: string } };
let dave: Who;
before(async () => {
  srv = await startTestServer();
  dave = srv.addAccount('dave');
});
after(async () => {
  await srv.close();
});

async function call(who: Who, args: string[]): Promise<{ code: number | null; env: Envelope; stdout: string; stderr: string }> {
  const r = await sshCall(srv.port, who.name, who.key.privateFile, ['--json-greppable', ...args]);
  return { code: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
}
const admin = async (args: string[]): Promise<string> => (await oshInProcess(srv, srv.admin, args)).env.error_code;
const row = (name: string) => {
  const r = srv.gh.store.accounts.byName(name);
  assert.ok(r, name);
  return r;
};
const now = () => Math.floor(Date.now() / 1000);
/** accountInfo's value for an account, as the admin sees it (in-process). */
const info = async (account: string) => {
  const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountInfo', '--account', account]);
  assert.equal(r.exit, 0, r.stdout);
  assert.equal(r.env.error_code, 'OK');
  return r.env.value;
};
const modify = async (args: string[]) => {
  const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountModify', ...args]);
  return { code: r.exit, env: r.env, stdout: r.stdout };
};

test('a frozen account: exit 131, KO_ACCOUNT_FROZEN and the reason on stderr; unfrozen, it is served again', async () => {
  assert.equal(await admin(['--osh', 'accountFreeze', '--account', 'dave', '--reason', "'cest la vie'"]), 'OK');
  const refused = await call(dave, ['--osh', 'info']);
  assert.equal(refused.code, 131);
  assert.equal(refused.env.command, null);
  assert.equal(refused.env.error_code, 'KO_ACCOUNT_FROZEN');
  assert.equal(refused.env.value, null);
  assert.match(refused.stderr, /Sorry dave, your account is frozen \(cest la vie\)/);
  assert.equal(await admin(['--osh', 'accountUnfreeze', '--account', 'dave']), 'OK');
  const info = await call(dave, ['--osh', 'info']);
  assert.equal(info.code, 0);
  assert.equal(info.env.error_code, 'OK');
});

test('an account expired for inactivity: exit 113, KO_ACCOUNT_EXPIRED and the message on stderr; unexpired, it is served again', async () => {
  srv.writeConfig({ accountMaxInactiveDays: 10 });
  srv.gh.store.accounts.touch(row('dave').id, now() - 20 * 86400 - 60, '127.0.0.1');
  const refused = await call(dave, ['--osh', 'info']);
  assert.equal(refused.code, 113);
  assert.equal(refused.env.command, null);
  assert.equal(refused.env.error_code, 'KO_ACCOUNT_EXPIRED');
  assert.match(refused.stderr, /your account has expired \(20 days\)/);
  assert.equal(await admin(['--osh', 'accountUnexpire', '--account', 'dave']), 'OK');
  const back = await call(dave, ['--osh', 'info']);
  assert.equal(back.code, 0);
  srv.writeConfig({});
});

test('accountInfo and the login check agree on inactivity expiry, and --max-inactive-days 0 lifts it', async () => {
  const u = srv.addAccount('idler', { settings: { max_inactive_days: '2' } });
  sqliteOf(srv.gh.store)
    .prepare('UPDATE accounts SET last_activity_at = ? WHERE name = ?')
    .run(now() - 3 * 86400, 'idler');
  assert.equal((await info('idler')).is_expired, 1);
  const refused = await sshCall(srv.port, u.name, u.key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(refused.code, 113);
  const r = await modify(['--account', 'idler', '--max-inactive-days', '0']);
  assert.equal(r.code, 0);
  const v = await info('idler');
  assert.equal(v.is_expired, 0);
  assert.equal(v.can_connect, 1);
  const ok = await sshCall(srv.port, u.name, u.key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(ok.code, 0, ok.stderr);
});

test('an account made with accountCreate --ttl: served, then refused with exit 121 once the TTL has elapsed', async () => {
  const key = srv.newKey();
  const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountCreate', '--account', 'temp', '--uid-auto', '--ttl', '1h', '--public-key', `"${key.publicLine}"`]);
  assert.equal(r.exit, 0, r.stdout);
  const ok = await sshCall(srv.port, 'temp', key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(ok.code, 0, ok.stderr);
  // Move the creation an hour and a bit into the past rather than waiting for the TTL.
  sqliteOf(srv.gh.store).prepare('UPDATE accounts SET created_at = created_at - 3700 WHERE name = ?').run('temp');
  const refused = await sshCall(srv.port, 'temp', key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(refused.code, 121);
  assert.equal(greppable(refused.stdout).error_code, 'KO_TTL_EXPIRED');
  assert.match(refused.stderr, /TTL has expired/);
});
