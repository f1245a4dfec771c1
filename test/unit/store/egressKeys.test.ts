// Migration 20 (account_egress_keys) and its query module: the table shape, cascade on account
// deletion, uniqueness per account, listings without the private column, and the index in use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../../src/store/store.js';
import { schemaVersion } from '../../../src/store/db.js';
import { sqliteOf } from '../../../src/store/inspect.js';

function freshStore() {
  const store = openStore(':memory:');
  const id = store.accounts.insert({ name: 'alice', uid: 5000, comment: null, createdAt: 1000, createdBy: 'test', ttlSeconds: null });
  return { store, id };
}

const key = (accountId: number, fp: string, at = 2000) => ({
  accountId,
  type: 'ssh-ed25519',
  size: 256,
  fingerprint: fp,
  base64: 'AAAAC3NzaC1lZDI1NTE5AAAAIFH7',
  comment: 'alice@bastion:2000',
  privateSealed: Buffer.from([1, 2, 3]),
  createdAt: at,
});

test('migration 20 brings a fresh store to version 20 or later with a STRICT account_egress_keys table', () => {
  const { store } = freshStore();
  assert.ok(schemaVersion(sqliteOf(store)) >= 20);
  const sql = sqliteOf(store).prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'account_egress_keys'").get()?.sql ?? '';
  assert.match(sql, /STRICT/);
  assert.match(sql, /ON DELETE CASCADE/);
  store.close();
});

test('listings carry the public half only; the sealed private half has its own query', () => {
  const { store, id } = freshStore();
  store.egressKeys.insert(key(id, 'SHA256:b', 3000));
  store.egressKeys.insert(key(id, 'SHA256:a', 2000));
  const rows = store.egressKeys.forAccount(id);
  assert.deepEqual(
    rows.map((r) => r.fingerprint),
    ['SHA256:a', 'SHA256:b'],
    'oldest first',
  );
  for (const r of rows) assert.equal(Object.hasOwn(r, 'private_sealed'), false);
  const sealed = store.egressKeys.sealedForAccount(id);
  assert.deepEqual([...(sealed[0]?.private_sealed ?? [])], [1, 2, 3]);
  assert.equal(store.egressKeys.byFingerprint(id, 'SHA256:b')?.created_at, 3000);
  store.close();
});

test('a fingerprint is unique per account, and deleting the account deletes its keys', () => {
  const { store, id } = freshStore();
  store.egressKeys.insert(key(id, 'SHA256:a'));
  assert.throws(() => store.egressKeys.insert(key(id, 'SHA256:a')), /UNIQUE/);
  const other = store.accounts.insert({ name: 'bob', uid: 5001, comment: null, createdAt: 1000, createdBy: 'test', ttlSeconds: null });
  store.egressKeys.insert(key(other, 'SHA256:a'));
  store.accounts.remove(id);
  assert.equal(store.egressKeys.forAccount(id).length, 0);
  assert.equal(store.egressKeys.forAccount(other).length, 1);
  const left = sqliteOf(store).prepare<[], { n: number }>('SELECT count(*) AS n FROM account_egress_keys').get()?.n;
  assert.equal(left, 1);
  store.close();
});

test('remove deletes one key of that account only', () => {
  const { store, id } = freshStore();
  const k = store.egressKeys.insert(key(id, 'SHA256:a'));
  assert.equal(store.egressKeys.remove(id + 1, k), false);
  assert.equal(store.egressKeys.remove(id, k), true);
  assert.equal(store.egressKeys.forAccount(id).length, 0);
  store.close();
});

test('the per-account listing uses the (account_id, fingerprint) index', () => {
  const { store } = freshStore();
  const plan = sqliteOf(store)
    .prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM account_egress_keys WHERE account_id = 1 ORDER BY created_at, id')
    .all()
    .map((r) => r.detail)
    .join('\n');
  assert.match(plan, /USING INDEX sqlite_autoindex_account_egress_keys/);
  store.close();
});
