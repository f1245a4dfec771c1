// mayAllowSomeAddress: the part of the access decision that needs no address, asked before a
// host name is resolved. True when some access the account may use fits the port and remote
// user at some address; false lets the egress path refuse without a DNS query.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { mayAllowSomeAddress } from '../../../src/policy/decision.js';
import type { AclKind } from '../../../src/store/acl.js';
import { openDatabase } from '../../../src/store/db.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { aclLine } from '../../helpers/aclEntries.js';

const NOW = 1_800_000_000;
let store: Store;
let alice: number;

function account(name: string): number {
  return store.accounts.insert({ name, uid: null, comment: null, createdAt: NOW, createdBy: 'test', ttlSeconds: null });
}
function entry(kind: AclKind, owner: { accountId?: number; groupId?: number }, host: string, o: { user?: string; port?: number; expiresAt?: number } = {}): void {
  store.acl.insert(aclLine(kind, owner, host, { addedAt: NOW, ...o }));
}
const ask = (port = 22, user = 'root') => mayAllowSomeAddress(store, { accountId: alice, port, user, now: NOW });

beforeEach(() => {
  store = createStore(openDatabase(':memory:'));
  alice = account('alice');
});

test('no access line at all: false', () => {
  assert.equal(ask(), false);
});

test('a personal line decides by port and user, whatever its address', () => {
  entry('personal', { accountId: alice }, '192.0.2.7', { port: 2222, user: 'web' });
  assert.equal(ask(22, 'web'), false);
  assert.equal(ask(2222, 'root'), false);
  assert.equal(ask(2222, 'web'), true);
});

test('an expired line does not count', () => {
  entry('personal', { accountId: alice }, '0.0.0.0/0', { expiresAt: NOW - 1 });
  assert.equal(ask(), false);
});

test("another account's lines do not count", () => {
  entry('personal', { accountId: account('bob') }, '0.0.0.0/0');
  assert.equal(ask(), false);
});

test('a group line counts for a member, not for an owner only', () => {
  const g = store.groups.insert('web', NOW, 'test');
  entry('group', { groupId: g }, '10.0.0.0/8');
  store.groups.addRole(g, alice, 'owner', 'test', NOW);
  assert.equal(ask(), false);
  store.groups.addRole(g, alice, 'member', 'test', NOW);
  assert.equal(ask(), true);
});

test('a guest needs a guest line of its own and a group line that fit', () => {
  const g = store.groups.insert('ops', NOW, 'test');
  store.groups.addRole(g, alice, 'guest', 'test', NOW);
  entry('guest', { accountId: alice, groupId: g }, '10.0.0.1');
  assert.equal(ask(), false, 'the group itself has no line');
  entry('group', { groupId: g }, '10.0.0.0/8', { port: 2200 });
  assert.equal(ask(22), false, "the group's line is for another port");
  assert.equal(ask(2200), true);
});
