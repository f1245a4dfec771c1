// accountList through the dispatcher: the hash keyed by account name, the filters, and --audit (with can_connect
// computed the right way round).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { greppable, type Envelope } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
  for (const n of ['web-1', 'web-2', 'db-1', 'bot-old']) srv.addAccount(n);
});
after(async () => {
  await srv.close();
});

type Who = { name: string; key: { privateFile: string } };
async function list(args: string[], who: Who = srv.admin): Promise<{ code: number | null; env: Envelope; stdout: string }> {
  const r = await callInProcess(srv, who.name, ['--json-greppable', '--osh', 'accountList', ...args]);
  return { code: r.code, env: greppable(r.stdout), stdout: r.stdout };
}
const names = (v: Record<string, unknown>): string[] => Object.keys(v).sort();
const now = () => Math.floor(Date.now() / 1000);

describe('accountList', () => {
  test('every account, keyed by name, with name, uid, is_active and created_by', async () => {
    const r = await list([]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.env.command, 'accountList');
    assert.deepEqual(names(r.env.value), ['admin', 'bot-old', 'db-1', 'web-1', 'web-2']);
    const row = srv.gh.store.accounts.byName('web-1');
    assert.deepEqual(r.env.value['web-1'], { name: 'web-1', uid: row?.uid, is_active: 1, created_by: 'test' });
    assert.equal(typeof r.env.value['web-1'].uid, 'number');
  });

  test('--account, --include, --exclude (wildcards, implicit contains, exclude wins)', async () => {
    assert.deepEqual(names((await list(['--account', 'db-1'])).env.value), ['db-1']);
    assert.deepEqual((await list(['--account', 'nobody'])).env.value, {});
    assert.deepEqual(names((await list(['--include', 'web'])).env.value), ['web-1', 'web-2']);
    assert.deepEqual(names((await list(['--include', 'web-?', '--include', 'db*'])).env.value), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(names((await list(['--include', '*-1', '--exclude', 'db'])).env.value), ['web-1']);
    assert.deepEqual(names((await list(['--exclude', '-'])).env.value), ['admin']);
    // A dot is literal, not a regex wildcard.
    assert.deepEqual((await list(['--include', 'web.1'])).env.value, {});
  });

  test('--inactive-only lists nothing (every account is active); --no-output keeps the value', async () => {
    assert.deepEqual((await list(['--inactive-only'])).env.value, {});
    const r = await list(['--no-output']);
    assert.equal(r.code, 0);
    assert.deepEqual(names(r.env.value), ['admin', 'bot-old', 'db-1', 'web-1', 'web-2']);
    assert.doesNotMatch(r.stdout, /^~ web-1 /m);
  });

  test('--audit: state fields, and can_connect is 1 only for an account that can connect', async () => {
    const frozen = srv.gh.store.accounts.byName('bot-old');
    assert.ok(frozen);
    srv.gh.store.accounts.setFrozen(frozen.id, { at: now(), by: 'admin', reason: 'retired' });
    const r = await list(['--audit']);
    assert.equal(r.code, 0, r.stdout);
    const web = r.env.value['web-1'];
    assert.equal(web.can_connect, 1);
    assert.equal(web.is_frozen, 0);
    assert.equal(web.is_expired, 0);
    assert.equal(web.is_ttl_expired, 0);
    assert.equal(web.already_seen_before, 0);
    assert.match(web.last_activity, /^Created on .+ \(\d\d:\d\d:\d\d ago\)$/);
    assert.equal(web.last_activity_timestamp, srv.gh.store.accounts.byName('web-1')?.created_at);
    assert.equal(web.mfa_password_required, 0);
    assert.equal(web.pam_auth_bypass, 0);
    assert.equal(web.password_password, 'locked');
    assert.equal(web.password_user, 'web-1');
    const old = r.env.value['bot-old'];
    assert.equal(old.is_frozen, 1);
    assert.equal(old.freeze_info.reason, 'retired');
    assert.equal(old.can_connect, 0);
    // The admin made this very call: it has been seen.
    assert.equal(r.env.value.admin.already_seen_before, 1);
    assert.match(r.env.value.admin.last_activity, /^Last seen on /);

    const np = await list(['--audit', '--no-password-info', '--account', 'web-1']);
    assert.equal(np.env.value['web-1'].password_password, undefined);
    assert.equal(np.env.value['web-1'].can_connect, 1);
  });

  test('refusals: --realm-only, --audit for a non-auditor; 106 without the grant', async () => {
    const r = await list(['--realm-only']);
    assert.equal(r.code, 100);
    assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER');

    const lister = srv.addAccount('lister');
    const id = srv.gh.store.accounts.byName('lister')?.id ?? 0;
    const refused = await list([], lister);
    assert.equal(refused.code, 106);
    assert.equal(refused.env.error_code, 'KO_RESTRICTED_COMMAND');
    srv.gh.store.grants.grant(id, 'accountList', 'test', now());
    const ok = await list(['--account', 'lister'], lister);
    assert.equal(ok.code, 0);
    assert.deepEqual(names(ok.env.value), ['lister']);
    const audit = await list(['--audit'], lister);
    assert.equal(audit.code, 100);
    assert.equal(audit.env.error_code, 'ERR_PERMISSION_DENIED');
    // With the auditor grant, --audit is allowed.
    srv.gh.store.grants.grant(id, 'auditor', 'test', now());
    const audited = await list(['--audit', '--account', 'web-2'], lister);
    assert.equal(audited.code, 0, audited.stdout);
    assert.equal(audited.env.value['web-2'].can_connect, 1);
  });
});
