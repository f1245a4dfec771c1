// Account state through the dispatcher: accountFreeze / accountUnfreeze / accountUnexpire, and the
// check the dispatcher makes on every call (osh.pl's order): frozen → 131 KO_ACCOUNT_FROZEN, expired
// for inactivity → 113 KO_ACCOUNT_EXPIRED, both with `command: null`, before any plugin runs. The
// same refusals as a client sees them over SSH (exit status, stderr on the wire): test/e2e/account-state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
type Who = { name: string };
let dave: Who;
let erin: Who;
before(async () => {
  srv = await startTestServer();
  dave = srv.addAccount('dave');
  erin = srv.addAccount('erin', { settings: { always_active: 'yes' } });
});
after(async () => {
  await srv.close();
});

async function call(who: Who, args: string[]): Promise<{ code: number | null; env: Envelope; stdout: string; stderr: string }> {
  const r = await oshInProcess(srv, who, args);
  return { code: r.exit, env: r.env, stdout: r.stdout, stderr: r.stderr };
}
const row = (name: string) => {
  const r = srv.gh.store.accounts.byName(name);
  assert.ok(r, name);
  return r;
};
const nowSec = () => Math.floor(Date.now() / 1000);

test('accountFreeze with a reason, then every call of the account is refused with 131', async () => {
  const r = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'dave', '--reason', "'cest la vie'"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.env.command, 'accountFreeze');
  assert.equal(r.env.error_code, 'OK');
  assert.deepEqual(r.env.value, { account: 'dave', reason: 'cest la vie' });
  const stored = row('dave');
  assert.equal(stored.frozen_by, 'admin');
  assert.equal(stored.frozen_reason, 'cest la vie');
  assert.ok(stored.frozen_at !== null && Math.abs(stored.frozen_at - nowSec()) < 60);

  const again = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'dave']);
  assert.equal(again.code, 0);
  assert.equal(again.env.error_code, 'OK_NO_CHANGE');
  assert.equal(again.env.value, null);
  assert.equal(row('dave').frozen_reason, 'cest la vie', 'a second freeze changes nothing');

  for (const args of [['--osh', 'info'], ['--osh', 'selfListIngressKeys'], ['--osh', 'nosuchplugin'], ['root@127.0.0.1']]) {
    const refused = await call(dave, args);
    assert.equal(refused.code, 131, args.join(' '));
    assert.equal(refused.env.command, null);
    assert.equal(refused.env.error_code, 'KO_ACCOUNT_FROZEN');
    assert.equal(refused.env.value, null);
    assert.match(refused.stderr, /Sorry dave, your account is frozen \(cest la vie\)/);
  }
});

test('accountUnfreeze restores the account; a second unfreeze is OK_NO_CHANGE', async () => {
  const r = await call(srv.admin, ['--osh', 'accountUnfreeze', '--account', 'dave']);
  assert.equal(r.code, 0);
  assert.equal(r.env.error_code, 'OK');
  assert.deepEqual(r.env.value, { account: 'dave' });
  assert.equal(row('dave').frozen_at, null);
  assert.equal(row('dave').frozen_reason, null);
  const again = await call(srv.admin, ['--osh', 'accountUnfreeze', '--account', 'dave']);
  assert.equal(again.env.error_code, 'OK_NO_CHANGE');
  assert.equal(again.env.value, null);
  const info = await call(dave, ['--osh', 'info']);
  assert.equal(info.code, 0);
  assert.equal(info.env.error_code, 'OK');
});

test('a freeze without a reason, and always_active does not exempt from a freeze', async () => {
  const f = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'erin']);
  assert.deepEqual(f.env.value, { account: 'erin', reason: null });
  const refused = await call(erin, ['--osh', 'info']);
  assert.equal(refused.code, 131);
  assert.equal(refused.env.error_code, 'KO_ACCOUNT_FROZEN');
  assert.match(refused.stderr, /Sorry erin, your account is frozen\./);
  assert.equal((await call(srv.admin, ['--osh', 'accountUnfreeze', '--account', 'erin'])).env.error_code, 'OK');
});

test('accountFreeze refusals: yourself, unknown, malformed, missing account, an admin by a non-admin', async () => {
  const self = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'admin']);
  assert.equal(self.code, 100);
  assert.equal(self.env.error_code, 'ERR_INVALID_PARAMETER');
  const unknown = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'nobody']);
  assert.equal(unknown.env.error_code, 'KO_NOT_FOUND');
  const bad = await call(srv.admin, ['--osh', 'accountFreeze', '--account', 'a/b']);
  assert.equal(bad.env.error_code, 'KO_REALM_FORBIDDEN');
  const missing = await call(srv.admin, ['--osh', 'accountFreeze']);
  assert.equal(missing.code, 100);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
  const missingU = await call(srv.admin, ['--osh', 'accountUnfreeze']);
  assert.equal(missingU.env.error_code, 'ERR_MISSING_PARAMETER');

  const mod = srv.addAccount('moderator');
  for (const c of ['accountFreeze', 'accountUnfreeze']) {
    assert.equal((await call(srv.admin, ['--osh', 'accountGrantCommand', '--account', 'moderator', '--command', c])).env.error_code, 'OK');
  }
  const onAdmin = await call(mod, ['--osh', 'accountFreeze', '--account', 'admin']);
  assert.equal(onAdmin.code, 100);
  assert.equal(onAdmin.env.error_code, 'ERR_SECURITY_VIOLATION');
  assert.equal(row('admin').frozen_at, null);
  const onPeer = await call(mod, ['--osh', 'accountFreeze', '--account', 'dave', '--reason', 'audit']);
  assert.equal(onPeer.env.error_code, 'OK');
  assert.equal(row('dave').frozen_by, 'moderator');
  assert.equal((await call(mod, ['--osh', 'accountUnfreeze', '--account', 'dave'])).env.error_code, 'OK');
  // Without a grant, the restricted plugins are refused before anything is parsed.
  const plain = srv.addAccount('plainuser');
  const denied = await call(plain, ['--osh', 'accountFreeze', '--account', 'dave']);
  assert.equal(denied.code, 106);
  assert.equal(denied.env.command, null);
  assert.equal(denied.env.error_code, 'KO_RESTRICTED_COMMAND');
});

test('inactivity expiry: 113 past accountMaxInactiveDays, unless always active; accountUnexpire restores', async () => {
  srv.writeConfig({ accountMaxInactiveDays: 10 });
  const past = nowSec() - 20 * 86400 - 60;
  srv.gh.store.accounts.touch(row('dave').id, past, '127.0.0.1');
  srv.gh.store.accounts.touch(row('erin').id, past, '127.0.0.1');

  const refused = await call(dave, ['--osh', 'info']);
  assert.equal(refused.code, 113);
  assert.equal(refused.env.command, null);
  assert.equal(refused.env.error_code, 'KO_ACCOUNT_EXPIRED');
  assert.match(refused.stderr, /your account has expired \(20 days\)/);
  assert.equal(row('dave').last_activity_at, past, 'a refused call does not count as activity');

  const exempt = await call(erin, ['--osh', 'info']);
  assert.equal(exempt.code, 0, 'always_active accounts never expire');

  const un = await call(srv.admin, ['--osh', 'accountUnexpire', '--account', 'dave']);
  assert.equal(un.code, 0, un.stderr);
  assert.equal(un.env.command, 'accountUnexpire');
  assert.equal(un.env.error_code, 'OK');
  assert.deepEqual(un.env.value, { account: 'dave', days: 20 });
  assert.ok(Math.abs((row('dave').last_activity_at ?? 0) - nowSec()) < 60);
  const back = await call(dave, ['--osh', 'info']);
  assert.equal(back.code, 0);

  const notExpired = await call(srv.admin, ['--osh', 'accountUnexpire', '--account', 'dave']);
  assert.equal(notExpired.code, 0);
  assert.equal(notExpired.env.error_code, 'OK_NOT_EXPIRED');
  assert.equal(notExpired.env.value.account, 'dave');
  assert.equal(notExpired.env.value.days, 0);
  assert.equal(notExpired.env.value.already_seen_before, 1);
  assert.equal(notExpired.env.value.info, '127.0.0.1(127.0.0.1)');
});

test("the account's own max_inactive_days and accountExpiredMessage apply", async () => {
  srv.writeConfig({ accountMaxInactiveDays: 0, accountExpiredMessage: 'Gone for #DAYS# days, ask the helpdesk.' });
  const hank = srv.addAccount('hank', { settings: { max_inactive_days: '3' } });
  srv.gh.store.accounts.touch(row('hank').id, nowSec() - 5 * 86400, '127.0.0.1');
  const refused = await call(hank, ['--osh', 'info']);
  assert.equal(refused.code, 113);
  assert.match(refused.stderr, /Gone for 5 days, ask the helpdesk\./);
  const un = await call(srv.admin, ['--osh', 'accountUnexpire', '--account', 'hank']);
  assert.equal(un.env.error_code, 'OK');
  assert.equal(un.env.value.days, 5);
  assert.equal((await call(hank, ['--osh', 'info'])).code, 0);
});

test('accountUnexpire without an inactivity limit: OK_EXPIRATION_NOT_CONFIGURED, clock reset anyway', async () => {
  srv.writeConfig({});
  srv.addAccount('ivy');
  const un = await call(srv.admin, ['--osh', 'accountUnexpire', '--account', 'ivy']);
  assert.equal(un.code, 0);
  assert.equal(un.env.error_code, 'OK_EXPIRATION_NOT_CONFIGURED');
  assert.equal(un.env.value.account, 'ivy');
  assert.equal(un.env.value.already_seen_before, 0);
  assert.ok(row('ivy').last_activity_at !== null, 'the last activity is set');
  const unknown = await call(srv.admin, ['--osh', 'accountUnexpire', '--account', 'nobody']);
  assert.equal(unknown.env.error_code, 'KO_NOT_FOUND');
  const missing = await call(srv.admin, ['--osh', 'accountUnexpire']);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
});
