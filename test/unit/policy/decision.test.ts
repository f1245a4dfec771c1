// The access decision (decideAccess) and its reverse (whoHasAccess) on a real in-memory store:
// IPv4/IPv6, CIDR edges, any vs specific user and port, TTL expiry, members vs guests, forced keys.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { parseAddress, type AclAddress } from '../../../src/policy/aclAddress.js';
import { decideAccess, whoHasAccess } from '../../../src/policy/decision.js';
import type { AclKind } from '../../../src/store/acl.js';
import { openDatabase } from '../../../src/store/db.js';
import type { GroupRole } from '../../../src/store/groups.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { aclLine, type LineOptions } from '../../helpers/aclEntries.js';

const NOW = 1_800_000_000;
let store: Store;
let alice: number;
let bob: number;
let carol: number;

function account(name: string): number {
  return store.accounts.insert({ name, uid: null, comment: null, createdAt: NOW, createdBy: 'test', ttlSeconds: null });
}
function addr(text: string): AclAddress {
  const a = parseAddress(text, { allowSubnets: true }).value;
  assert.ok(a, text);
  return a;
}
function entry(kind: AclKind, owner: { accountId?: number; groupId?: number }, host: string, o: LineOptions = {}): number {
  return store.acl.insert(aclLine(kind, owner, host, { addedAt: NOW, ...o }));
}
function group(name: string, roles: [number, GroupRole][] = []): number {
  const id = store.groups.insert(name, NOW, 'test');
  for (const [a, r] of roles) store.groups.addRole(id, a, r, 'test', NOW);
  return id;
}
function key(groupId: number, fp: string): number {
  return store.groups.insertKey({ groupId, type: 'ssh-ed25519', size: 256, fingerprint: fp, base64: 'AAAA', comment: '', privateSealed: Buffer.from('x'), createdAt: NOW });
}
const allowed = (accountId: number, ip: string, port: number | null, user: string | null, now = NOW): boolean => decideAccess(store, { accountId, ip, port, user, now }).allowed;

beforeEach(() => {
  store = createStore(openDatabase(':memory:'));
  alice = account('alice');
  bob = account('bob');
  carol = account('carol');
});

test('personal IPv4 entry: specific user and port must both match', () => {
  entry('personal', { accountId: alice }, '192.0.2.10', { user: 'root', port: 22 });
  assert.ok(allowed(alice, '192.0.2.10', 22, 'root'));
  assert.ok(!allowed(alice, '192.0.2.10', 2222, 'root'), 'other port');
  assert.ok(!allowed(alice, '192.0.2.10', 22, 'admin'), 'other user');
  assert.ok(!allowed(alice, '192.0.2.11', 22, 'root'), 'other address');
  assert.ok(!allowed(bob, '192.0.2.10', 22, 'root'), 'someone else');
  const d = decideAccess(store, { accountId: alice, ip: '192.0.2.10', port: 22, user: 'root', now: NOW });
  assert.ok(d.allowed);
  assert.equal(d.grants.length, 1);
  assert.equal(d.grants[0]?.type, 'personal');
  assert.equal(d.grants[0]?.group, null);
});

test('any user, any port, and user patterns', () => {
  entry('personal', { accountId: alice }, '192.0.2.20');
  assert.ok(allowed(alice, '192.0.2.20', 1, 'anyone'));
  assert.ok(allowed(alice, '192.0.2.20', 65535, 'root'));
  entry('personal', { accountId: alice }, '192.0.2.21', { user: 'web-??' });
  assert.ok(allowed(alice, '192.0.2.21', 22, 'web-01'));
  assert.ok(!allowed(alice, '192.0.2.21', 22, 'web-1'));
  entry('personal', { accountId: alice }, '192.0.2.22', { user: 'deploy*', port: 2222 });
  assert.ok(allowed(alice, '192.0.2.22', 2222, 'deploy'));
  assert.ok(allowed(alice, '192.0.2.22', 2222, 'deployer'));
  assert.ok(!allowed(alice, '192.0.2.22', 22, 'deployer'));
  entry('personal', { accountId: alice }, '192.0.2.23', { protocol: 'sftp' });
  assert.ok(allowed(alice, '192.0.2.23', 22, '!sftp'), 'a protocol line allows the magic user');
  assert.ok(!allowed(alice, '192.0.2.23', 22, 'root'), 'and nothing else');
  assert.ok(allowed(alice, '192.0.2.20', 22, '!sftp'), 'an any-user line allows protocols too (The Bastion)');
});

test('CIDR edges: network and broadcast addresses, /32, /0', () => {
  entry('personal', { accountId: alice }, '198.51.100.0/24');
  assert.ok(allowed(alice, '198.51.100.0', 22, 'u'), 'network address');
  assert.ok(allowed(alice, '198.51.100.255', 22, 'u'), 'broadcast address');
  assert.ok(!allowed(alice, '198.51.101.0', 22, 'u'));
  assert.ok(!allowed(alice, '198.51.99.255', 22, 'u'));
  assert.ok(allowed(alice, '198.51.100.128/25', 22, 'u'), 'a smaller block inside');
  assert.ok(!allowed(alice, '198.51.100.0/23', 22, 'u'), 'a wider block is not inside');
  entry('personal', { accountId: bob }, '203.0.113.7/32');
  assert.ok(allowed(bob, '203.0.113.7', 22, 'u'));
  assert.ok(!allowed(bob, '203.0.113.6', 22, 'u'));
  entry('personal', { accountId: carol }, '0.0.0.0/0');
  assert.ok(allowed(carol, '255.255.255.255', 22, 'u'));
  assert.ok(allowed(carol, '0.0.0.0', 22, 'u'));
  assert.ok(!allowed(carol, '2001:db8::1', 22, 'u'), 'an IPv4 /0 allows no IPv6 target');
});

test('IPv6: single addresses, /128, /64 and ::/0', () => {
  entry('personal', { accountId: alice }, '2001:db8::1');
  entry('personal', { accountId: alice }, '2001:db8:1::/64', { port: 22 });
  assert.ok(allowed(alice, '2001:DB8:0:0::1', 22, 'u'), 'written differently, same address');
  assert.ok(allowed(alice, '2001:db8::1/128', 22, 'u'));
  assert.ok(!allowed(alice, '2001:db8::2', 22, 'u'));
  assert.ok(allowed(alice, '2001:db8:1::ffff', 22, 'u'));
  assert.ok(allowed(alice, '2001:db8:1:0:ffff:ffff:ffff:ffff', 22, 'u'), 'last address of the /64');
  assert.ok(!allowed(alice, '2001:db8:1:1::', 22, 'u'));
  assert.ok(!allowed(alice, '2001:db8:1::1', 23, 'u'));
  entry('personal', { accountId: bob }, '::/0');
  assert.ok(allowed(bob, 'fd00::1', 22, 'u'));
  assert.ok(!allowed(bob, '10.0.0.1', 22, 'u'));
});

test('TTL: an expired entry stops allowing (expiry second itself still allows)', () => {
  entry('personal', { accountId: alice }, '192.0.2.30', { expiresAt: NOW + 10 });
  assert.ok(allowed(alice, '192.0.2.30', 22, 'u', NOW));
  assert.ok(allowed(alice, '192.0.2.30', 22, 'u', NOW + 10));
  assert.ok(!allowed(alice, '192.0.2.30', 22, 'u', NOW + 11));
  assert.equal(store.acl.list({ kind: 'personal', accountId: alice }, NOW + 11).length, 0, 'and vanishes from listings');
  assert.equal(store.acl.list({ kind: 'personal', accountId: alice }, NOW).length, 1);
});

test('members use every group server with the group keys; guests only their own, while the group still has it', () => {
  const g = group('web', [
    [alice, 'member'],
    [bob, 'guest'],
    [carol, 'owner'],
  ]);
  const k1 = key(g, 'SHA256:' + 'a'.repeat(43));
  key(g, 'SHA256:' + 'b'.repeat(43));
  const groupLine = entry('group', { groupId: g }, '10.1.0.0/16', { user: 'app' });
  entry('guest', { accountId: bob, groupId: g }, '10.1.2.3', { user: 'app' });

  const m = decideAccess(store, { accountId: alice, ip: '10.1.9.9', port: 22, user: 'app', now: NOW });
  assert.ok(m.allowed);
  assert.equal(m.grants[0]?.type, 'group-member');
  assert.deepEqual(m.grants[0]?.group, { id: g, name: 'web' });
  assert.equal(m.grants[0]?.keys.length, 2);
  assert.ok(m.grants[0]?.keys.every((k) => k.scope === 'group'));

  assert.ok(allowed(bob, '10.1.2.3', 22, 'app'), 'the guest, on the server granted');
  assert.ok(!allowed(bob, '10.1.9.9', 22, 'app'), 'not on the rest of the group');
  const gg = decideAccess(store, { accountId: bob, ip: '10.1.2.3', port: 22, user: 'app', now: NOW });
  assert.equal(gg.allowed && gg.grants[0]?.type, 'group-guest');
  assert.ok(!allowed(carol, '10.1.2.3', 22, 'app'), 'an owner that is not a member has no access');
  assert.ok(!allowed(alice, '10.1.2.3', 22, 'root'), 'member, but the group line names another user');

  store.acl.remove(groupLine);
  assert.ok(!allowed(bob, '10.1.2.3', 22, 'app'), 'the group lost the server: the guest line no longer allows');

  entry('group', { groupId: g }, '10.1.2.0/24', { user: 'app', forceKey: 'SHA256:' + 'a'.repeat(43) });
  const f = decideAccess(store, { accountId: alice, ip: '10.1.2.3', port: 22, user: 'app', now: NOW });
  assert.ok(f.allowed);
  assert.deepEqual(
    f.grants[0]?.keys.map((k) => k.id),
    [k1],
    'a forced key narrows the keys',
  );
  const fg = decideAccess(store, { accountId: bob, ip: '10.1.2.3', port: 22, user: 'app', now: NOW });
  assert.ok(fg.allowed);
  assert.deepEqual(
    fg.grants[0]?.keys.map((k) => k.id),
    [k1],
    "guests are held to the group line's forced key",
  );
});

test('the most specific entry of a way wins; personal and group grants add up', () => {
  const g = group('db', [[alice, 'member']]);
  entry('group', { groupId: g }, '10.0.0.0/8', { forceKey: 'SHA256:' + 'c'.repeat(43) });
  const narrow = entry('group', { groupId: g }, '10.2.0.0/16');
  entry('personal', { accountId: alice }, '10.2.3.4');
  const d = decideAccess(store, { accountId: alice, ip: '10.2.3.4', port: 22, user: 'u', now: NOW });
  assert.ok(d.allowed);
  assert.deepEqual(
    d.grants.map((x) => x.type),
    ['personal', 'group-member'],
  );
  assert.equal(d.grants[1]?.entry.id, narrow);
  assert.equal(d.grants[1]?.forceKey, null);
});

test('network policy: forbidden networks deny, allowed networks must contain the target', () => {
  entry('personal', { accountId: alice }, '0.0.0.0/0');
  const forbidden = decideAccess(store, { accountId: alice, ip: '192.0.2.1', port: 22, user: 'u', now: NOW }, { allowedNetworks: [], forbiddenNetworks: ['192.0.2.0/24'] });
  assert.equal(!forbidden.allowed && forbidden.reason, 'forbidden-network');
  const outside = decideAccess(store, { accountId: alice, ip: '198.51.100.1', port: 22, user: 'u', now: NOW }, { allowedNetworks: ['10.0.0.0/8'], forbiddenNetworks: [] });
  assert.equal(!outside.allowed && outside.reason, 'not-allowed-network');
  assert.ok(decideAccess(store, { accountId: alice, ip: '10.0.0.1', port: 22, user: 'u', now: NOW }, { allowedNetworks: ['10.0.0.0/8'], forbiddenNetworks: [] }).allowed);
  const none = decideAccess(store, { accountId: bob, ip: '10.0.0.1', port: 22, user: 'u', now: NOW });
  assert.equal(!none.allowed && none.reason, 'no-acl');
  assert.equal(decideAccess(store, { accountId: bob, ip: 'not-an-ip', port: 22, user: 'u', now: NOW }).allowed, false);
});

test('whoHasAccess: personal and group accesses, guests, wildcard /0 hidden unless asked, port and user ignored unless given', () => {
  const g = group('ops', [
    [alice, 'member'],
    [bob, 'guest'],
  ]);
  entry('group', { groupId: g }, '10.9.0.0/16', { user: 'nobody', port: 22 });
  entry('guest', { accountId: bob, groupId: g }, '10.9.1.1', { user: 'nobody', port: 22 });
  entry('personal', { accountId: carol }, '10.9.1.1');
  entry('personal', { accountId: alice }, '0.0.0.0/0');
  const who = (o: Partial<Parameters<typeof whoHasAccess>[2]> = {}): Record<string, unknown> =>
    Object.fromEntries(whoHasAccess(store, addr('10.9.1.1'), { port: null, user: null, now: NOW, ...o }));
  assert.deepEqual(who(), {
    alice: { personal_access: 0, group_access: ['ops(group-member)'] },
    bob: { personal_access: 0, group_access: ['ops(group-guest)'] },
    carol: { personal_access: 1, group_access: [] },
  });
  assert.deepEqual(who({ showWildcards: true }).alice, { personal_access: 1, group_access: ['ops(group-member)'] });
  assert.deepEqual(Object.keys(who({ port: 2222 })), ['carol'], 'the group lines are for port 22 only');
  assert.deepEqual(Object.keys(who({ user: 'root' })), ['carol']);
  assert.deepEqual(Object.keys(who({ ignorePersonal: true })), ['alice', 'bob']);
  assert.deepEqual(Object.keys(who({ ignoreGroups: ['ops'] })), ['carol']);
  assert.deepEqual(who({ policy: { allowedNetworks: [], forbiddenNetworks: ['10.0.0.0/8'] } }), {});
  assert.deepEqual(Object.fromEntries(whoHasAccess(store, addr('10.200.200.200'), { port: null, user: null, now: NOW })), {});
});
