// Who may run the account family (account*, self*, info, help): every such plugin is called by an
// unprivileged account, by an account granted exactly that plugin, by an auditor and by an admin,
// and the outcome is checked against the category rule (DESIGN.md "Who may call what"): a refusal
// is exit 106 with KO_RESTRICTED_COMMAND and `command: null`, before the plugin parses anything;
// an allowed call is anything else, answered by the plugin itself. Then the grant plugins' own
// rules (tests/functional/tests.d/326-grantcommand.sh). In-process, through the dispatcher: the
// category rule and the plugins are the same whether the call came over SSH or not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AnyPlugin } from '../../src/osh/define.js';
import { loadPlugins } from '../../src/osh/registry.js';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';

type Who = { name: string };
let srv: TestServer;
let family: AnyPlugin[];
let plain: Who;
let granted: Who;
let auditor: Who;
before(async () => {
  srv = await startTestServer();
  family = [...(await loadPlugins()).values()].filter((p) => /^(account|self)[A-Z]/.test(p.name) || p.name === 'info' || p.name === 'help');
  plain = srv.addAccount('plainuser');
  granted = srv.addAccount('granteduser');
  auditor = srv.addAccount('auditoruser');
});
after(async () => {
  await srv.close();
});

async function call(who: Who, args: string[], stdin = ''): Promise<{ code: number | null; env: Envelope; stdout: string }> {
  const r = await oshInProcess(srv, who, args, { stdin });
  return { code: r.exit, env: r.env, stdout: r.stdout };
}

/** A call with no plugin options and stdin closed: refused by the category, or answered by the plugin. */
async function expectOutcome(who: Who, plugin: AnyPlugin, allowed: boolean): Promise<void> {
  const r = await call(who, ['--osh', plugin.name]);
  const cell = `${who.name} → ${plugin.name} (${plugin.category})`;
  if (allowed) {
    assert.notEqual(r.code, 106, cell);
    assert.equal(r.env.command, plugin.name, cell);
    assert.notEqual(r.env.error_code, 'KO_RESTRICTED_COMMAND', cell);
  } else {
    assert.equal(r.code, 106, cell);
    assert.equal(r.env.command, null, cell);
    assert.equal(r.env.error_code, 'KO_RESTRICTED_COMMAND', cell);
    assert.equal(r.env.value, null, cell);
  }
}

test('the account family is all there and every plugin is open or restricted', () => {
  const names = family.map((p) => p.name);
  for (const n of [
    'info',
    'help',
    'selfListIngressKeys',
    'selfAddIngressKey',
    'selfDelIngressKey',
    'selfGenerateEgressKey',
    'selfListEgressKeys',
    'accountCreate',
    'accountDelete',
    'accountInfo',
    'accountList',
    'accountModify',
    'accountFreeze',
    'accountUnfreeze',
    'accountUnexpire',
    'accountGrantCommand',
    'accountRevokeCommand',
    'accountListIngressKeys',
    'accountListEgressKeys',
  ]) {
    assert.ok(names.includes(n), `${n} is loaded`);
  }
  for (const p of family) assert.ok(['open', 'restricted'].includes(p.category), `${p.name}: ${p.category}`);
});

test('an unprivileged account: open plugins answer, restricted ones are refused with 106', async () => {
  for (const p of family) await expectOutcome(plain, p, p.category === 'open');
});

test('an admin may run every plugin of the family', async () => {
  for (const p of family) await expectOutcome(srv.admin, p, true);
});

test('the auditor grant widens what plugins show, not what may be run', async () => {
  const g = await call(srv.admin, ['--osh', 'accountGrantCommand', '--account', 'auditoruser', '--command', 'auditor']);
  assert.equal(g.env.error_code, 'OK');
  const info = await call(auditor, ['--osh', 'info']);
  assert.equal(info.env.value.is_auditor, 1);
  for (const p of family) await expectOutcome(auditor, p, p.category === 'open');
});

test('a grant opens exactly that restricted plugin, and its revocation closes it again', async () => {
  const restricted = family.filter((p) => p.category === 'restricted');
  assert.ok(restricted.length >= 12);
  for (const [i, p] of restricted.entries()) {
    const other = restricted[(i + 1) % restricted.length] as AnyPlugin;
    const g = await call(srv.admin, ['--osh', 'accountGrantCommand', '--account', 'granteduser', '--command', p.name]);
    assert.equal(g.env.error_code, 'OK', p.name);
    assert.deepEqual(srv.gh.store.grants.list(srv.gh.store.accounts.byName('granteduser')?.id ?? -1), [p.name]);
    await expectOutcome(granted, p, true);
    await expectOutcome(granted, other, false);
    const r = await call(srv.admin, ['--osh', 'accountRevokeCommand', '--account', 'granteduser', '--command', p.name]);
    assert.equal(r.env.error_code, 'OK', p.name);
    await expectOutcome(granted, p, false);
  }
  for (const p of family.filter((f) => f.category === 'open')) await expectOutcome(granted, p, true);
});

test('accountGrantCommand: only admins hand out the grant commands; unknown commands are refused', async () => {
  const a1 = srv.addAccount('grantera');
  const a2 = srv.addAccount('granterb');
  const id = (n: string) => srv.gh.store.accounts.byName(n)?.id ?? -1;

  const denied = await call(a1, ['--osh', 'accountGrantCommand', '--command', 'accountInfo', '--account', 'granterb']);
  assert.equal(denied.code, 106);
  assert.equal(denied.env.command, null);

  const g = await call(srv.admin, ['--osh', 'accountGrantCommand', '--command', 'accountGrantCommand', '--account', 'grantera']);
  assert.equal(g.code, 0);
  assert.equal(g.env.error_code, 'OK');
  assert.equal(g.env.value, null);
  const row = sqliteOf(srv.gh.store)
    .prepare<[number, string], { granted_by: string }>('SELECT granted_by FROM command_grants WHERE account_id = ? AND command = ?')
    .get(id('grantera'), 'accountGrantCommand');
  assert.equal(row?.granted_by, 'admin');
  const dupe = await call(srv.admin, ['--osh', 'accountGrantCommand', '--command', 'accountGrantCommand', '--account', 'grantera']);
  assert.equal(dupe.env.error_code, 'OK_NO_CHANGE');

  // A non-admin holder of accountGrantCommand grants ordinary commands, never the grant commands.
  for (const c of ['accountGrantCommand', 'accountRevokeCommand']) {
    const r = await call(a1, ['--osh', 'accountGrantCommand', '--command', c, '--account', 'granterb']);
    assert.equal(r.code, 100, c);
    assert.equal(r.env.error_code, 'ERR_SECURITY_VIOLATION', c);
  }
  const ok = await call(a1, ['--osh', 'accountGrantCommand', '--command', 'accountInfo', '--account', 'granterb']);
  assert.equal(ok.env.error_code, 'OK');
  assert.ok(srv.gh.store.grants.has(id('granterb'), 'accountInfo'));
  const info = await call(a2, ['--osh', 'accountInfo', '--account', 'granterb']);
  assert.notEqual(info.code, 106);

  const refusals: [string[], string][] = [
    [['--command', 'info', '--account', 'granterb'], 'ERR_INVALID_PARAMETER'],
    [['--command', 'admin', '--account', 'granterb'], 'ERR_INVALID_PARAMETER'],
    [['--command', 'noSuchPlugin', '--account', 'granterb'], 'ERR_INVALID_PARAMETER'],
    [['--command', 'account-info', '--account', 'granterb'], 'ERR_INVALID_PARAMETER'],
    [['--command', 'accountInfo', '--account', 'nobody'], 'KO_NOT_FOUND'],
    [['--command', 'accountInfo'], 'ERR_MISSING_PARAMETER'],
    [['--account', 'granterb'], 'ERR_MISSING_PARAMETER'],
  ];
  for (const [args, code] of refusals) {
    const r = await call(a1, ['--osh', 'accountGrantCommand', ...args]);
    assert.equal(r.code, 100, args.join(' '));
    assert.equal(r.env.error_code, code, args.join(' '));
  }
  const list = await call(a1, ['--osh', 'accountGrantCommand', '--account', 'granterb']);
  assert.match(list.stdout, /List of possible commands to grant: .*\baccountInfo\b.*\bauditor\b/);
  assert.deepEqual(srv.gh.store.grants.list(id('granterb')), ['accountInfo'], 'refusals granted nothing');
});

test('accountRevokeCommand: OK, then OK_NO_CHANGE; missing options; the grant commands are admin-only', async () => {
  const r1 = srv.addAccount('revokera');
  srv.addAccount('revokerb');
  const id = (n: string) => srv.gh.store.accounts.byName(n)?.id ?? -1;
  for (const [acc, c] of [
    ['revokera', 'accountRevokeCommand'],
    ['revokerb', 'accountList'],
    ['revokerb', 'accountGrantCommand'],
  ] as const) {
    assert.equal((await call(srv.admin, ['--osh', 'accountGrantCommand', '--account', acc, '--command', c])).env.error_code, 'OK');
  }
  const missingC = await call(r1, ['--osh', 'accountRevokeCommand', '--account', 'revokerb']);
  assert.equal(missingC.code, 100);
  assert.equal(missingC.env.error_code, 'ERR_MISSING_PARAMETER');
  const missingA = await call(r1, ['--osh', 'accountRevokeCommand', '--command', 'accountList']);
  assert.equal(missingA.env.error_code, 'ERR_MISSING_PARAMETER');
  const ok = await call(r1, ['--osh', 'accountRevokeCommand', '--command', 'accountList', '--account', 'revokerb']);
  assert.equal(ok.code, 0);
  assert.equal(ok.env.error_code, 'OK');
  assert.equal(ok.env.value, null);
  const again = await call(r1, ['--osh', 'accountRevokeCommand', '--command', 'accountList', '--account', 'revokerb']);
  assert.equal(again.code, 0);
  assert.equal(again.env.error_code, 'OK_NO_CHANGE');
  const sec = await call(r1, ['--osh', 'accountRevokeCommand', '--command', 'accountGrantCommand', '--account', 'revokerb']);
  assert.equal(sec.env.error_code, 'ERR_SECURITY_VIOLATION');
  assert.deepEqual(srv.gh.store.grants.list(id('revokerb')), ['accountGrantCommand']);
});
