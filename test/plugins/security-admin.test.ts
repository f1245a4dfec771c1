// Attack: roles are given by name in bastion.conf, so a name listed in adminAccounts (or
// superOwnerAccounts) that no account has yet would make whoever creates it an admin. Through the
// dispatcher (the role is given by name, whatever carried the call), a non-admin granted
// accountCreate tries exactly that, before and after the admin account is deleted; only an admin
// may create such a name. Each load warns about the names nobody has.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AuditRow } from '../../src/store/audit.js';
import { oshInProcess as osh } from '../helpers/inProcess.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';

const UNBOUND = 'configuration gives a role to account names that do not exist: only an admin can create them (accountCreate)';
const REFUSED = 'creation of an account name that bastion.conf makes a role refused';

let srv: TestServer;
let creator: TestAccount;
before(async () => {
  srv = await startTestServer({ config: { adminAccounts: ['boss'], superOwnerAccounts: ['chief'] } });
  creator = srv.addAccount('creator');
  srv.gh.store.grants.grant(creator.id, 'accountCreate', 'test', Math.floor(Date.now() / 1000));
});
after(async () => {
  await srv.close();
});

const lastAudit = (): AuditRow | undefined => srv.gh.store.audit.recent(1)[0];

const create = (who: { readonly name: string }, name: string) =>
  osh(srv, who, ['--osh', 'accountCreate', '--account', name, '--uid-auto', '--public-key', srv.newKey().publicLine]);

test('at load, names given a role that no account has are logged once as a warning', () => {
  const lines = logLines(srv.logs, UNBOUND);
  // One per load: the start, and the reload after the harness added 'admin' to the file.
  assert.ok(lines.length >= 1);
  assert.equal(lines.length, logLines(srv.logs, 'configuration loaded').length);
  for (const line of lines) {
    assert.deepEqual(line['admins'], ['boss']);
    assert.deepEqual(line['superowners'], ['chief']);
  }
});

test('a non-admin with accountCreate cannot create a name listed in adminAccounts or superOwnerAccounts', async () => {
  for (const [name, list] of [
    ['boss', 'adminAccounts'],
    ['chief', 'superOwnerAccounts'],
  ] as const) {
    const r = await create(creator, name);
    assert.equal(r.exit, 100);
    assert.equal(r.env.command, 'accountCreate');
    assert.equal(r.env.error_code, 'ERR_SECURITY_VIOLATION');
    assert.match(r.env.error_message, new RegExp(list));
    assert.equal(srv.gh.store.accounts.byName(name), undefined, 'nothing written');
    const row = lastAudit();
    assert.equal(row?.account, 'creator');
    assert.equal(row?.plugin, 'accountCreate');
    assert.equal(row?.error_code, 'ERR_SECURITY_VIOLATION');
    await waitFor('the refusal log line', () => logLines(srv.logs, REFUSED, { account: name, by: 'creator' }).length === 1);
  }
  // Other names are still the creator's to make.
  const ok = await create(creator, 'intern');
  assert.equal(ok.env.error_code, 'OK');
});

test("an admin can create a listed name, which is then admin; deleted, it is again out of non-admins' reach", async () => {
  const made = await create(srv.admin, 'boss');
  assert.equal(made.env.error_code, 'OK', made.env.error_message);
  // The listed name is now an account, and an admin: info shows admins their configuration.
  const row = srv.gh.store.accounts.byName('boss');
  assert.ok(row);
  // A call as boss (in-process: no key needed, the account was created with one).
  const info = await osh(srv, { name: 'boss' }, ['--osh', 'info']);
  assert.equal(info.env.error_code, 'OK');
  assert.ok(Array.isArray(info.env.value.adminAccounts), 'boss is an admin');

  const deleted = await osh(srv, srv.admin, ['--osh', 'accountDelete', '--account', 'boss', '--no-confirm']);
  assert.equal(deleted.env.error_code, 'OK', deleted.env.error_message);
  const again = await create(creator, 'boss');
  assert.equal(again.env.error_code, 'ERR_SECURITY_VIOLATION');
  assert.equal(srv.gh.store.accounts.byName('boss'), undefined);
});

test('each reload of the configuration warns once about the names nobody has', async () => {
  const before = logLines(srv.logs, UNBOUND).length;
  srv.writeConfig({ adminAccounts: ['admin', 'ghost'], superOwnerAccounts: [] });
  // The file is re-read by the next call; two calls make one load, hence one warning.
  for (let i = 0; i < 2; i++) assert.equal((await osh(srv, creator, ['--osh', 'info'])).env.error_code, 'OK');
  const lines = logLines(srv.logs, UNBOUND).slice(before);
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0]?.['admins'], ['ghost']);
  assert.deepEqual(lines[0]?.['superowners'], []);
});
