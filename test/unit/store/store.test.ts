// The Store the application sees: query modules, tx and close, and no database handle (tests
// reach that through sqliteOf); StoreReader, its read half, answers what the rules read and
// refuses every write at compile time (the @ts-expect-error lines fail the build if a write
// ever becomes part of a reader).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessFacts } from '../../../src/policy/decision.js';
import type { RoleFacts } from '../../../src/policy/roles.js';
import { sqliteOf } from '../../../src/store/inspect.js';
import { openStore, type StoreReader } from '../../../src/store/store.js';

test('the Store object has no db property: only its query modules, tx and close', () => {
  const store = openStore(':memory:');
  assert.equal('db' in store, false);
  assert.deepEqual(Object.keys(store).sort(), [
    'accounts',
    'acl',
    'allowedCommands',
    'audit',
    'close',
    'egressKeys',
    'grants',
    'groups',
    'hostKeys',
    'ingressKeys',
    'sessions',
    'tx',
  ]);
  for (const [name, queries] of Object.entries(store)) {
    if (typeof queries === 'function') continue;
    for (const [q, value] of Object.entries(queries as object)) {
      assert.equal(typeof value, 'function', `store.${name}.${q} is a query, not a handle`);
    }
  }
  store.close();
});

test('sqliteOf: the SQLite handle behind a store made by createStore, for tests; anything else is refused', () => {
  const store = openStore(':memory:');
  const db = sqliteOf(store);
  assert.equal(db.open, true);
  assert.equal(sqliteOf(store), db);
  assert.throws(() => sqliteOf({ ...store }), /^Error: sqliteOf: not a store made by createStore$/);
  store.close();
  assert.equal(db.open, false);
});

test('a StoreReader answers the rules (AccessFacts, RoleFacts) and has no writes', () => {
  const store = openStore(':memory:');
  const reader: StoreReader = store;
  const facts: AccessFacts & RoleFacts = reader;
  assert.equal(facts.accounts.byName('nobody'), undefined);
  assert.equal(reader.accounts.count(), 0);
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.accounts.insert, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.accounts.touch, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.acl.insert, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.acl.dropExpired, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.groups.addRole, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.grants.grant, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.ingressKeys.remove, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.egressKeys.insert, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.hostKeys.remember, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.sessions.start, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.audit.record, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.allowedCommands.add, 'function');
  // @ts-expect-error a reader has no writes
  assert.equal(typeof reader.allowedCommands.remove, 'function');
  // @ts-expect-error a reader has no transaction
  assert.equal(typeof reader.tx, 'function');
  store.close();
});
