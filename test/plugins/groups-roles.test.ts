// The role matrix: every group plugin run by an account with no role, a member, a guest, an
// aclkeeper, a gatekeeper, an owner (each of group "matrix" only), an account holding every
// keeper role on another group only, a superowner and an admin. Each call starts from the same
// stored roles, so the calls don't depend on each other. Expected: the category check's early
// deny (KO_RESTRICTED_COMMAND, exit 106, command null) for callers without the role anywhere, the
// plugin's refusal (ERR_NOT_GROUP_*, exit 100) for callers with the role on another group only,
// and the plugin's own answer for the rest; superowners pass with a logged override. Calls go
// through the dispatcher in-process (osh here is oshInProcess): over 200 of them, none needs SSH.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { GroupRole } from '../../src/store/groups.js';
import { aclLine } from '../helpers/aclEntries.js';
import { brief, type Answer, type Caller } from '../helpers/groups.js';
import { oshInProcess as osh } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';

const CALLERS = ['none', 'member', 'guest', 'aclkeeper', 'gatekeeper', 'owner', 'elsewhere', 'superowner', 'admin'] as const;
type Who = (typeof CALLERS)[number];

let srv: TestServer;
const callers = new Map<Who, Caller>();
let matrixId = 0;
const ids = new Map<string, number>();

before(async () => {
  srv = await startTestServer({ config: { superOwnerAccounts: ['superowner'] } });
  callers.set('admin', srv.admin);
  for (const who of CALLERS) if (who !== 'admin') callers.set(who, srv.addAccount(who));
  srv.addAccount('target');
  for (const a of srv.gh.store.accounts.all()) ids.set(a.name, a.id);
  const now = Math.floor(Date.now() / 1000);
  matrixId = srv.gh.store.groups.insert('matrix', now, 'test');
  const other = srv.gh.store.groups.insert('other', now, 'test');
  for (const role of ['owner', 'gatekeeper', 'aclkeeper'] as const) srv.gh.store.groups.addRole(other, id('elsewhere'), role, 'test', now);
});
after(async () => {
  await srv.close();
});

function id(name: string): number {
  const v = ids.get(name);
  assert.ok(v !== undefined, name);
  return v;
}

function line(kind: 'group' | 'guest', host: string, accountId: number | null): void {
  srv.gh.store.acl.insert(aclLine(kind, { accountId, groupId: matrixId }, host));
}

/** Puts group "matrix" back in its starting state: one account per role, one server block, one guest access. */
function reset(): void {
  const { store } = srv.gh;
  store.tx(() => {
    sqliteOf(store).prepare('DELETE FROM group_roles WHERE group_id = ?').run(matrixId);
    sqliteOf(store).prepare('DELETE FROM acl_entries WHERE group_id = ?').run(matrixId);
    sqliteOf(store).prepare('DELETE FROM group_settings WHERE group_id = ?').run(matrixId);
    for (const role of ['owner', 'gatekeeper', 'aclkeeper', 'member', 'guest'] as GroupRole[]) store.groups.addRole(matrixId, id(role), role, 'test', 1);
    line('group', '10.0.0.0/8', null);
    line('guest', '10.1.1.1', id('guest'));
  });
}

type Expect = { allowed: readonly Who[]; plugin?: readonly Who[]; codes: readonly string[]; refusal?: string };
interface Row {
  readonly name: string;
  readonly args: readonly string[];
  readonly stdin?: string;
  readonly expect: Expect;
}

const OWNERS = { allowed: ['owner', 'superowner', 'admin'], plugin: ['elsewhere'], refusal: 'ERR_NOT_GROUP_OWNER' } as const;
const GATEKEEPERS = { allowed: ['gatekeeper', 'superowner', 'admin'], plugin: ['elsewhere'], refusal: 'ERR_NOT_GROUP_GATEKEEPER' } as const;
const ACLKEEPERS = { allowed: ['aclkeeper', 'superowner', 'admin'], plugin: ['elsewhere'], refusal: 'ERR_NOT_GROUP_ACLKEEPER' } as const;
const ADMIN_ONLY = { allowed: ['admin'] } as const;
const target = ['--group', 'matrix', '--account', 'target'];

const ROWS: Row[] = [
  { name: 'groupAddOwner', args: target, expect: { ...OWNERS, codes: ['OK'] } },
  { name: 'groupDelOwner', args: target, expect: { ...OWNERS, codes: ['OK_NO_CHANGE'] } },
  { name: 'groupAddGatekeeper', args: target, expect: { ...OWNERS, codes: ['OK'] } },
  { name: 'groupDelGatekeeper', args: target, expect: { ...OWNERS, codes: ['OK_NO_CHANGE'] } },
  { name: 'groupAddAclkeeper', args: target, expect: { ...OWNERS, codes: ['OK'] } },
  { name: 'groupDelAclkeeper', args: target, expect: { ...OWNERS, codes: ['OK_NO_CHANGE'] } },
  { name: 'groupGenerateEgressKey', args: ['--group', 'matrix', '--algo', 'ed25519'], expect: { ...OWNERS, codes: ['OK'] } },
  { name: 'groupDelEgressKey', args: ['--group', 'matrix', '--id', 'id00000000'], expect: { ...OWNERS, codes: ['ERR_INVALID_PARAMETER'] } },
  { name: 'groupModify', args: ['--group', 'matrix', '--guest-ttl-limit', '1h'], expect: { ...OWNERS, codes: ['OK'] } },
  { name: 'groupDestroy', args: ['--group', 'matrix'], stdin: 'not the name\n', expect: { ...OWNERS, codes: ['ERR_OPERATOR_IS_DRUNK'] } },
  { name: 'groupTransmitOwnership', args: target, expect: { ...OWNERS, codes: ['OK', 'OK_NO_CHANGE'] } },
  { name: 'groupAddMember', args: target, expect: { ...GATEKEEPERS, codes: ['OK'] } },
  { name: 'groupDelMember', args: target, expect: { ...GATEKEEPERS, codes: ['OK_NO_CHANGE'] } },
  { name: 'groupAddGuestAccess', args: [...target, '--host', '10.2.2.2', '--user-any', '--port-any'], expect: { ...GATEKEEPERS, codes: ['OK'] } },
  { name: 'groupDelGuestAccess', args: [...target, '--host', '10.2.2.2', '--user-any', '--port-any'], expect: { ...GATEKEEPERS, codes: ['OK_NO_CHANGE'] } },
  // The Bastion checks no per-group role here: any gatekeeper may list.
  { name: 'groupListGuestAccesses', args: ['--group', 'matrix', '--account', 'guest'], expect: { allowed: ['gatekeeper', 'elsewhere', 'superowner', 'admin'], codes: ['OK'] } },
  { name: 'groupAddServer', args: ['--group', 'matrix', '--host', '10.3.3.3', '--user-any', '--port-any', '--force'], expect: { ...ACLKEEPERS, codes: ['OK'] } },
  { name: 'groupDelServer', args: ['--group', 'matrix', '--host', '10.3.3.3', '--user-any', '--port-any'], expect: { ...ACLKEEPERS, codes: ['OK_NO_CHANGE'] } },
  { name: 'groupSetServers', args: ['--group', 'matrix', '--dry-run'], stdin: '10.4.4.4\n', expect: { ...ACLKEEPERS, codes: ['OK'] } },
  { name: 'groupInfo', args: ['--group', 'matrix'], expect: { allowed: CALLERS, codes: ['OK'] } },
  {
    name: 'groupListServers',
    args: ['--group', 'matrix'],
    expect: { allowed: ['member', 'aclkeeper', 'superowner', 'admin'], plugin: ['none', 'guest', 'gatekeeper', 'owner', 'elsewhere'], refusal: 'KO_ACCESS_DENIED', codes: ['OK'] },
  },
  { name: 'groupCreate', args: ['--group', 'created', '--owner', 'target', '--no-key'], expect: { ...ADMIN_ONLY, codes: ['OK'] } },
  { name: 'groupDelete', args: ['--group', 'matrix'], stdin: 'not the name\n', expect: { ...ADMIN_ONLY, codes: ['ERR_OPERATOR_IS_DRUNK'] } },
];

for (const row of ROWS) {
  test(`${row.name}: the role matrix`, async () => {
    for (const who of CALLERS) {
      reset();
      const caller = callers.get(who);
      assert.ok(caller);
      const a: Answer = await osh(srv, caller, ['--osh', row.name, ...row.args], row.stdin === undefined ? {} : { stdin: row.stdin });
      const what = `${row.name} by ${who}: ${brief(a)}`;
      if (row.expect.allowed.includes(who)) {
        assert.ok(row.expect.codes.includes(a.env.error_code), what);
        assert.equal(a.env.command, row.name, what);
        assert.equal(a.exit, a.env.error_code.startsWith('OK') ? 0 : 100, what);
      } else if (row.expect.plugin?.includes(who)) {
        assert.equal(a.env.error_code, row.expect.refusal, what);
        assert.equal(a.env.command, row.name, what);
        assert.equal(a.exit, 100, what);
      } else {
        assert.equal(a.env.error_code, 'KO_RESTRICTED_COMMAND', what);
        assert.equal(a.env.command, null, what);
        assert.equal(a.exit, 106, what);
      }
      if (row.name === 'groupCreate' && a.env.error_code === 'OK') srv.gh.store.groups.remove(srv.gh.store.groups.byName('created')?.id ?? -1);
    }
  });
}

test('groupInfo shows the member lists to members and keepers, not to outsiders or guests', async () => {
  const sees: Record<Who, boolean> = { none: false, member: true, guest: false, aclkeeper: true, gatekeeper: true, owner: true, elsewhere: false, superowner: true, admin: true };
  reset();
  for (const who of CALLERS) {
    const caller = callers.get(who);
    assert.ok(caller);
    const a = await osh(srv, caller, ['--osh', 'groupInfo', '--group', 'matrix']);
    assert.equal(Array.isArray(a.env.value.members), sees[who], `${who}: ${JSON.stringify(a.env.value)}`);
    assert.deepEqual(a.env.value.owners, ['owner']);
    if (sees[who]) assert.deepEqual(a.env.value.guests, ['guest']);
  }
});

test('a superowner passes with a warning and a logged override; an owner passes silently', async () => {
  reset();
  const superowner = callers.get('superowner');
  const owner = callers.get('owner');
  assert.ok(superowner && owner);
  const before = srv.logs.length;
  const s = await osh(srv, superowner, ['--osh', 'groupAddGatekeeper', '--group', 'matrix', '--account', 'target']);
  assert.equal(s.env.error_code, 'OK');
  assert.match(s.stdout, /SUPER OWNER OVERRIDE/);
  const logged = srv.logs.slice(before).find((l) => l['type'] === 'superowner-override');
  assert.ok(logged, 'the override is logged');
  assert.equal(logged['account'], 'superowner');
  assert.equal(logged['group'], 'matrix');
  reset();
  const o = await osh(srv, owner, ['--osh', 'groupAddGatekeeper', '--group', 'matrix', '--account', 'target']);
  assert.equal(o.env.error_code, 'OK');
  assert.doesNotMatch(o.stdout, /OVERRIDE/);
});

test('roles are not implied: an owner is not a gatekeeper until it adds itself', async () => {
  reset();
  const owner = callers.get('owner');
  assert.ok(owner);
  // The owner holds no gatekeeper role anywhere: the category check refuses.
  assert.equal((await osh(srv, owner, ['--osh', 'groupAddMember', '--group', 'matrix', '--account', 'target'])).exit, 106);
  assert.equal((await osh(srv, owner, ['--osh', 'groupAddGatekeeper', '--group', 'matrix', '--account', 'owner'])).env.error_code, 'OK');
  assert.equal((await osh(srv, owner, ['--osh', 'groupAddMember', '--group', 'matrix', '--account', 'target'])).env.error_code, 'OK');
});
