// accountInfo and accountModify through the dispatcher: the complete value with The Bastion's field
// names and types, what a non-auditor sees, the state fields following the store, and accountModify's
// per-item results showing up in accountInfo. That the login check agrees with accountInfo on
// inactivity expiry is shown over SSH, in test/e2e/account-state.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { VERSION } from '../../src/kernel/version.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

type Who = { name: string };
async function call(who: Who, args: string[]): Promise<{ code: number | null; env: Envelope; stdout: string }> {
  const r = await oshInProcess(srv, who, ['--osh', ...args]);
  return { code: r.exit, env: r.env, stdout: r.stdout };
}
const admin = (): Who => srv.admin;
const info = async (account: string, who: Who = admin(), extra: string[] = []) => {
  const r = await call(who, ['accountInfo', '--account', account, ...extra]);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.env.error_code, 'OK');
  return r.env.value;
};
const now = () => Math.floor(Date.now() / 1000);
const idOf = (name: string): number => srv.gh.store.accounts.byName(name)?.id ?? 0;

/** The MFA and authentication flags of an account's value: 0 or 1 each. */
const MFA_FLAGS = [
  'mfa_password_required',
  'mfa_password_bypass',
  'mfa_password_configured',
  'mfa_totp_required',
  'mfa_totp_bypass',
  'mfa_totp_configured',
  'pam_auth_bypass',
  'pubkey_auth_optional',
];
const AUDITOR_KEYS = [
  'account',
  'allowed_commands',
  'groups',
  'is_active',
  'is_ttl_set',
  'is_ttl_expired',
  'ttl_timestamp',
  'is_frozen',
  'is_expired',
  'can_connect',
  'already_seen_before',
  'creation_information',
  'account_egress_ssh_config',
  'ingress_piv_enforced',
  'ingress_piv_policy',
  'ingress_piv_grace',
  'global_ingress_policy',
  'effective_ingress_piv_policy',
  ...MFA_FLAGS,
  'personal_egress_mfa_required',
  'idle_ignore',
  'max_inactive_days',
  'osh_only',
].sort();
const DATE_UTC = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;

describe('accountInfo', () => {
  test("an auditor sees the complete value, with The Bastion's types", async () => {
    const r = await call(admin(), ['accountCreate', '--account', 'carol', '--uid-auto', '--no-key', '--comment', '"this is a comment"']);
    assert.equal(r.code, 0, r.stdout);
    const v = await info('carol');
    assert.deepEqual(Object.keys(v).sort(), AUDITOR_KEYS);
    assert.equal(v.account, 'carol');
    assert.deepEqual(v.allowed_commands, []);
    assert.deepEqual(v.groups, {});
    // Not set: no always_active key at all (The Bastion never shows always_active: 0).
    assert.equal('always_active' in v, false);
    assert.equal(v.is_active, 1);
    assert.equal(v.is_ttl_set, 0);
    assert.equal(v.is_ttl_expired, 0);
    assert.equal(v.ttl_timestamp, null);
    assert.equal(v.is_frozen, 0);
    assert.equal(v.is_expired, 0);
    assert.equal(v.can_connect, 1);
    assert.equal(v.already_seen_before, 0);
    assert.equal(v.max_inactive_days, null);
    assert.equal(v.osh_only, 0);
    assert.equal(v.idle_ignore, 0);
    assert.equal(v.personal_egress_mfa_required, 'none');
    assert.deepEqual(v.account_egress_ssh_config, { type: 'default' });
    assert.deepEqual(v.ingress_piv_grace, { enabled: 0 });
    assert.equal(v.ingress_piv_policy, null);
    for (const k of MFA_FLAGS) {
      assert.equal(v[k], 0, k);
    }
    const ci = v.creation_information;
    assert.deepEqual(Object.keys(ci).sort(), ['bastion_version', 'by', 'comment', 'datetime_local', 'datetime_utc', 'timestamp']);
    assert.equal(ci.by, 'admin');
    assert.equal(ci.comment, 'this is a comment');
    assert.equal(ci.bastion_version, VERSION);
    assert.equal(ci.timestamp, srv.gh.store.accounts.byName('carol')?.created_at);
    assert.match(ci.datetime_utc, DATE_UTC);
  });

  test('after the account connects: already_seen_before and last_activity', async () => {
    const u = srv.addAccount('dave');
    assert.equal((await info('dave')).already_seen_before, 0);
    const r = await call(u, ['info']);
    assert.equal(r.code, 0);
    const v = await info('dave');
    assert.equal(v.already_seen_before, 1);
    assert.deepEqual(Object.keys(v.last_activity).sort(), ['ago', 'datetime_local', 'datetime_utc', 'timestamp']);
    assert.equal(v.last_activity.timestamp, srv.gh.store.accounts.byName('dave')?.last_activity_at);
    assert.match(v.last_activity.ago, /^\d\d:\d\d:\d\d$/);
    assert.match(v.last_activity.datetime_utc, DATE_UTC);
  });

  test('a non-auditor granted accountInfo sees the basic fields only', async () => {
    const reader = srv.addAccount('reader');
    srv.gh.store.grants.grant(idOf('reader'), 'accountInfo', 'test', now());
    srv.addAccount('eve', { settings: { always_active: 'yes' } });
    const v = await info('eve', reader);
    assert.deepEqual(v, { account: 'eve', always_active: 1, always_active_reason: 'account local configuration', is_active: 1, allowed_commands: [], groups: {} });
    // Its own granted commands and roles are listed for the target.
    const self = await info('reader', reader);
    assert.deepEqual(self.allowed_commands, ['accountInfo']);
  });

  test('an admin target shows its roles and every restricted command', async () => {
    const v = await info('admin');
    assert.equal(v.is_admin, 1);
    assert.equal(v.is_superowner, 1);
    assert.equal(v.is_auditor, 1);
    for (const c of ['accountCreate', 'accountDelete', 'accountInfo', 'accountList', 'accountModify']) assert.ok(v.allowed_commands.includes(c), c);
    assert.deepEqual(v.allowed_commands, [...v.allowed_commands].sort());
  });

  test('frozen, TTL elapsed and inactivity-expired accounts cannot connect', async () => {
    srv.addAccount('frosty');
    srv.gh.store.accounts.setFrozen(idOf('frosty'), { at: now(), by: 'admin', reason: 'cest la vie' });
    let v = await info('frosty');
    assert.equal(v.is_frozen, 1);
    assert.equal(v.can_connect, 0);
    assert.equal(v.freeze_info.by, 'admin');
    assert.equal(v.freeze_info.reason, 'cest la vie');

    const r = await call(admin(), ['accountCreate', '--account', 'shortlived', '--uid-auto', '--no-key', '--ttl', '1h']);
    assert.equal(r.code, 0, r.stdout);
    v = await info('shortlived');
    assert.equal(v.is_ttl_set, 1);
    assert.equal(v.is_ttl_expired, 0);
    const created = srv.gh.store.accounts.byName('shortlived')?.created_at ?? 0;
    assert.equal(v.ttl_timestamp, created + 3600);
    sqliteOf(srv.gh.store).prepare('UPDATE accounts SET created_at = created_at - 7200 WHERE name = ?').run('shortlived');
    v = await info('shortlived');
    assert.equal(v.is_ttl_expired, 1);
    assert.equal(v.can_connect, 0);

    srv.addAccount('sleepy', { settings: { max_inactive_days: '3' } });
    sqliteOf(srv.gh.store)
      .prepare('UPDATE accounts SET last_activity_at = ? WHERE name = ?')
      .run(now() - 4 * 86400, 'sleepy');
    v = await info('sleepy');
    assert.equal(v.is_expired, 1);
    assert.equal(v.can_connect, 0);
    assert.equal(v.max_inactive_days, '3');
  });

  test('--with-mfa-password-info adds a locked password; --all returns a hash keyed by account', async () => {
    const v = await info('carol', admin(), ['--with-mfa-password-info']);
    assert.equal(v.password.user, 'carol');
    assert.equal(v.password.password, 'locked');
    assert.equal(v.password.max_days, -1);
    assert.equal(v.password.date_disabled, null);
    assert.match(v.password.date_changed, /^\d{4}-\d\d-\d\d$/);

    const all = await call(admin(), ['accountInfo', '--all']);
    assert.equal(all.code, 0);
    const names = srv.gh.store.accounts
      .all()
      .map((a) => a.name)
      .sort();
    assert.deepEqual(Object.keys(all.env.value).sort(), names);
    assert.equal(all.env.value.admin.is_admin, 1);
    assert.equal(all.env.value.carol.account, 'carol');
  });

  test('refusals', async () => {
    const nonAuditor = srv.addAccount('reader2');
    srv.gh.store.grants.grant(idOf('reader2'), 'accountInfo', 'test', now());
    const cases: [Who, string[], string][] = [
      [admin(), ['--account', 'carol', '--all'], 'ERR_INCOMPATIBLE_PARAMETERS'],
      [admin(), [], 'ERR_MISSING_PARAMETER'],
      [admin(), ['--account', 'nobody'], 'KO_NOT_FOUND'],
      [admin(), ['--account', 'realm/x'], 'KO_REALM_FORBIDDEN'],
      [nonAuditor, ['--all'], 'ERR_ACCESS_DENIED'],
      [nonAuditor, ['--account', 'carol', '--with-mfa-password-info'], 'ERR_ACCESS_DENIED'],
      [nonAuditor, ['--account', 'carol', '--with-everything'], 'ERR_ACCESS_DENIED'],
    ];
    for (const [who, args, code] of cases) {
      const r = await call(who, ['accountInfo', ...args]);
      assert.equal(r.env.error_code, code, `${who.name}: ${args.join(' ')}`);
      assert.equal(r.code, 100);
      assert.equal(r.env.value, null);
    }
    // Asking for everything but the auditor-only parts is fine for a non-auditor.
    const ok = await call(nonAuditor, ['accountInfo', '--account', 'carol', '--with-everything', '--without-mfa-password-info', '--without-egress-keys']);
    assert.equal(ok.env.error_code, 'OK');
  });
});

describe('accountModify', () => {
  const modify = (args: string[], who: Who = admin()) => call(who, ['accountModify', ...args]);
  const item = (code: string) => ({ error_code: code, error_message: code, value: null });

  test('--max-inactive-days 15, 0, -1: per-item results, shown by accountInfo as a string or null', async () => {
    srv.addAccount('frank');
    for (const [days, shown] of [
      ['15', '15'],
      ['0', '0'],
      ['-1', null],
    ] as const) {
      const r = await modify(['--account', 'frank', '--max-inactive-days', days]);
      assert.equal(r.code, 0, r.stdout);
      assert.equal(r.env.command, 'accountModify');
      assert.equal(r.env.error_code, 'OK');
      assert.deepEqual(r.env.value, { max_inactive_days: item('OK') });
      assert.equal((await info('frank')).max_inactive_days, shown);
    }
  });

  test('--egress-strict-host-key-checking: the ssh config accountInfo shows', async () => {
    const expect: [string, unknown][] = [
      ['no', { type: 'custom', items: { stricthostkeychecking: 'no' } }],
      ['accept-new', { type: 'custom', items: { stricthostkeychecking: 'accept-new' } }],
      ['yes', { type: 'custom', items: { stricthostkeychecking: 'yes' } }],
      ['ask', { type: 'custom', items: { stricthostkeychecking: 'ask' } }],
      ['bypass', { type: 'custom', items: { stricthostkeychecking: 'no', userknownhostsfile: '/dev/null' } }],
      ['default', { type: 'default' }],
    ];
    for (const [policy, shown] of expect) {
      const r = await modify(['--account', 'frank', '--egress-strict-host-key-checking', policy]);
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.env.value, { egress_strict_host_key_checking: item('OK') });
      assert.deepEqual((await info('frank')).account_egress_ssh_config, shown, policy);
    }
    const r = await modify(['--account', 'frank', '--egress-session-multiplexing', 'yes']);
    assert.deepEqual(r.env.value, { egress_session_multiplexing: item('OK') });
    assert.deepEqual((await info('frank')).account_egress_ssh_config, { type: 'custom', items: { controlmaster: 'auto', controlpath: '~/tmp/ssh_egress_%C' } });
    await modify(['--account', 'frank', '--egress-session-multiplexing', 'default']);
    assert.deepEqual((await info('frank')).account_egress_ssh_config, { type: 'default' });
  });

  test('yes/no flags: OK then OK_NO_CHANGE, several options in one call, stored and shown', async () => {
    let r = await modify(['--account', 'frank', '--always-active', 'yes']);
    assert.deepEqual(r.env.value, { always_active: item('OK') });
    r = await modify(['--account', 'frank', '--always-active', 'yes']);
    assert.deepEqual(r.env.value, { always_active: item('OK_NO_CHANGE') });
    let v = await info('frank');
    assert.equal(v.always_active, 1);
    assert.equal(v.always_active_reason, 'account local configuration');

    r = await modify([
      '--pam-auth-bypass',
      'yes',
      '--account',
      'frank',
      '--osh-only',
      'yes',
      '--idle-ignore',
      'yes',
      '--pubkey-auth-optional',
      'yes',
      '--personal-egress-mfa-required',
      'totp',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(r.env.value, {
      pam_auth_bypass: item('OK'),
      osh_only: item('OK'),
      idle_ignore: item('OK'),
      pubkey_auth_optional: item('OK'),
      personal_egress_mfa_required: item('OK'),
    });
    v = await info('frank');
    assert.equal(v.pam_auth_bypass, 1);
    assert.equal(v.osh_only, 1);
    assert.equal(v.idle_ignore, 1);
    assert.equal(v.pubkey_auth_optional, 1);
    assert.equal(v.personal_egress_mfa_required, 'totp');
    const s = srv.gh.store.accounts.settings(idOf('frank'));
    assert.equal(s.get('osh_only'), 'yes');
    assert.equal(s.get('idle_ignore'), 'yes');

    r = await modify(['--account', 'frank', '--always-active', 'no', '--osh-only', 'no', '--idle-ignore', 'no']);
    assert.deepEqual(r.env.value, { always_active: item('OK'), osh_only: item('OK'), idle_ignore: item('OK') });
    v = await info('frank');
    assert.equal('always_active' in v, false);
    assert.equal(v.always_active_reason, undefined);
    assert.equal(v.osh_only, 0);
  });

  test('--mfa-password-required / --mfa-totp-required: required and bypass exclude each other', async () => {
    let r = await modify(['--account', 'frank', '--mfa-password-required', 'yes', '--mfa-totp-required', 'bypass']);
    assert.deepEqual(r.env.value, { mfa_password_required: item('OK'), mfa_totp_required: item('OK') });
    let v = await info('frank');
    assert.equal(v.mfa_password_required, 1);
    assert.equal(v.mfa_password_bypass, 0);
    assert.equal(v.mfa_totp_bypass, 1);
    assert.equal(v.mfa_totp_required, 0);
    r = await modify(['--account', 'frank', '--mfa-password-required', 'bypass']);
    assert.deepEqual(r.env.value, { mfa_password_required: item('OK') });
    v = await info('frank');
    assert.equal(v.mfa_password_required, 0);
    assert.equal(v.mfa_password_bypass, 1);
    r = await modify(['--account', 'frank', '--mfa-password-required', 'bypass']);
    assert.deepEqual(r.env.value, { mfa_password_required: item('OK_NO_CHANGE') });
    r = await modify(['--account', 'frank', '--mfa-password-required', 'no']);
    assert.deepEqual(r.env.value, { mfa_password_required: item('OK') });
    assert.equal((await info('frank')).mfa_password_bypass, 0);
  });

  test('refusals change nothing', async () => {
    const before = [...srv.gh.store.accounts.settings(idOf('frank')).entries()].sort();
    const cases: [string[], string][] = [
      [['--account', 'frank'], 'ERR_MISSING_PARAMETER'],
      [['--osh-only', 'yes'], 'ERR_MISSING_PARAMETER'],
      [['--account', 'nobody', '--osh-only', 'yes'], 'KO_NOT_FOUND'],
      [['--account', 'frank', '--osh-only', 'maybe'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--osh-only', 'yes', '--idle-ignore', 'YES'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--mfa-totp-required', 'always'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--egress-strict-host-key-checking', 'off'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--egress-session-multiplexing', 'auto'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--personal-egress-mfa-required', 'sms'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--max-inactive-days', '-5'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'frank', '--max-inactive-days', 'ten'], 'ERR_BAD_OPTIONS'],
    ];
    for (const [args, code] of cases) {
      const r = await modify(args);
      assert.equal(r.env.error_code, code, args.join(' '));
      assert.equal(r.code, 100);
    }
    assert.deepEqual([...srv.gh.store.accounts.settings(idOf('frank')).entries()].sort(), before);
  });

  test('an account granted accountModify may not modify an admin', async () => {
    const m = srv.addAccount('modifier');
    srv.gh.store.grants.grant(idOf('modifier'), 'accountModify', 'test', now());
    const ok = await modify(['--account', 'frank', '--idle-ignore', 'yes'], m);
    assert.equal(ok.code, 0, ok.stdout);
    const r = await modify(['--account', 'admin', '--osh-only', 'yes'], m);
    assert.equal(r.code, 100);
    assert.equal(r.env.error_code, 'ERR_SECURITY_VIOLATION');
    assert.equal(srv.gh.store.accounts.settings(idOf('admin')).get('osh_only'), undefined);
  });
});
