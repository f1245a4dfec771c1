// Migration 60 (allowed_commands) and its query module: the table, an upgrade from 50, one rule per
// (account, pattern, group) with or without a group, cascades from accounts and groups, the
// listing's order and decoding, and the index the per-connection lookup uses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, test } from 'node:test';
import { LATEST_VERSION, openDatabase, schemaVersion } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { sqliteOf } from '../../../src/store/inspect.js';
import { createStore, openStore } from '../../../src/store/store.js';
import { StoreRowError } from '../../../src/store/decode.js';
import { ALLOWED_COMMANDS_SQL } from '../../../src/store/allowedCommands.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-allowed-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function fresh() {
  const store = openStore(':memory:');
  const alice = store.accounts.insert({ name: 'alice', uid: null, comment: null, createdAt: 1, createdBy: 'test', ttlSeconds: null });
  const bob = store.accounts.insert({ name: 'bob', uid: null, comment: null, createdAt: 1, createdBy: 'test', ttlSeconds: null });
  const web = store.groups.insert('web', 1, 'test');
  const db = store.groups.insert('db', 1, 'test');
  return { store, alice, bob, web, db };
}

const rule = (accountId: number, pattern: string, groupId: number | null, addedAt = 100) => ({ accountId, pattern, groupId, addedBy: 'admin', addedAt });

test('migration 60: a STRICT allowed_commands table referencing accounts and groups, with cascades', () => {
  const { store } = fresh();
  const db = sqliteOf(store);
  assert.ok(schemaVersion(db) >= 60);
  const sql = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'allowed_commands'").get()?.sql ?? '';
  assert.match(sql, /\) STRICT$/);
  const fks = db.prepare('SELECT "table", "from", on_delete FROM pragma_foreign_key_list(\'allowed_commands\') ORDER BY "from"').all();
  assert.deepEqual(fks, [
    { table: 'accounts', from: 'account_id', on_delete: 'CASCADE' },
    { table: 'groups', from: 'group_id', on_delete: 'CASCADE' },
  ]);
  store.close();
});

test('migration 60 upgrades a version-50 store: its rows stay, the table comes empty', () => {
  const file = path.join(dir, 'v50', 'gatehouse.db');
  openDatabase(
    file,
    MIGRATIONS.filter((m) => m.version <= 50),
  ).close();
  const old = new Database(file);
  old.prepare("INSERT INTO accounts (name, created_at, created_by) VALUES ('robot', 0, 't')").run();
  old.close();
  const db = openDatabase(file);
  try {
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.deepEqual(db.prepare('SELECT name FROM accounts').all(), [{ name: 'robot' }]);
    assert.deepEqual(db.prepare('SELECT count(*) AS n FROM allowed_commands').get(), { n: 0 });
    const store = createStore(db);
    const robot = store.accounts.byName('robot')?.id ?? -1;
    assert.equal(store.allowedCommands.add(rule(robot, 'uptime', null)), true);
    assert.deepEqual(store.allowedCommands.forAccount(robot), [{ pattern: 'uptime', group_id: null, group: null, added_by: 'admin', added_at: 100 }]);
  } finally {
    db.close();
  }
});

test('one rule per account, pattern and group: with no group as with one', () => {
  const { store, alice, bob, web, db } = fresh();
  const q = store.allowedCommands;
  assert.equal(q.add(rule(alice, 'uptime', null)), true);
  assert.equal(q.add(rule(alice, 'uptime', null, 200)), false, 'the same unscoped rule twice (NULLs would be distinct in a plain UNIQUE)');
  assert.equal(q.add(rule(alice, 'uptime', web)), true, 'scoped to a group is another rule');
  assert.equal(q.add(rule(alice, 'uptime', web)), false);
  assert.equal(q.add(rule(alice, 'uptime', db)), true);
  assert.equal(q.add(rule(bob, 'uptime', null)), true, 'another account');
  assert.equal(q.forAccount(alice).length, 3);
  assert.equal(q.forAccount(alice)[0]?.added_at, 100, 'the first add is kept');
  assert.throws(() => sqliteOf(store).prepare("INSERT INTO allowed_commands VALUES (?, 'uptime', NULL, 'x', 0)").run(alice), /UNIQUE/);
  assert.throws(() => q.add(rule(9999, 'uptime', null)), /FOREIGN KEY/);
  assert.throws(() => q.add(rule(alice, 'uptime', 9999)), /FOREIGN KEY/);

  assert.equal(q.remove(alice, 'uptime', web), true);
  assert.equal(q.remove(alice, 'uptime', web), false);
  assert.equal(q.remove(alice, 'nope', null), false);
  assert.equal(q.remove(alice, 'uptime', null), true, 'a NULL group is matched with IS');
  assert.deepEqual(
    q.forAccount(alice).map((r) => r.group),
    ['db'],
  );
  store.close();
});

test('listing: by pattern, the unscoped rule before the scoped ones (by group name), groups named', () => {
  const { store, alice, web, db } = fresh();
  const q = store.allowedCommands;
  q.add(rule(alice, 'uptime', web, 1));
  q.add(rule(alice, 'uptime', db, 2));
  q.add(rule(alice, 'uptime', null, 3));
  q.add(rule(alice, "grep 'a b' f", null, 4));
  assert.deepEqual(q.forAccount(alice), [
    { pattern: "grep 'a b' f", group_id: null, group: null, added_by: 'admin', added_at: 4 },
    { pattern: 'uptime', group_id: null, group: null, added_by: 'admin', added_at: 3 },
    { pattern: 'uptime', group_id: db, group: 'db', added_by: 'admin', added_at: 2 },
    { pattern: 'uptime', group_id: web, group: 'web', added_by: 'admin', added_at: 1 },
  ]);
  store.close();
});

test("an account's rules go with it, a group's scoped rules with the group", () => {
  const { store, alice, bob, web } = fresh();
  const q = store.allowedCommands;
  q.add(rule(alice, 'uptime', null));
  q.add(rule(alice, 'df', web));
  q.add(rule(bob, 'id', null));
  store.groups.remove(web);
  assert.deepEqual(
    q.forAccount(alice).map((r) => r.pattern),
    ['uptime'],
  );
  store.accounts.remove(alice);
  assert.deepEqual(q.forAccount(alice), []);
  assert.equal(q.forAccount(bob).length, 1);
  store.close();
});

test('a scoped rule whose group is gone (a damaged store) is refused, never read as unscoped', () => {
  const { store, alice, web } = fresh();
  store.allowedCommands.add(rule(alice, 'df', web));
  const db = sqliteOf(store);
  db.pragma('foreign_keys = OFF');
  db.prepare('DELETE FROM groups WHERE id = ?').run(web);
  db.pragma('foreign_keys = ON');
  assert.throws(
    () => store.allowedCommands.forAccount(alice),
    (e: unknown) => e instanceof StoreRowError && e.table === 'allowed_commands' && e.column === 'group_id',
  );
  store.close();
});

test("the per-connection lookup of an account's rules, and the group cascade, use indexes", () => {
  const { store } = fresh();
  const plan = (sql: string): string => (sqliteOf(store).prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1) as { detail: string }[]).map((r) => r.detail).join('; ');
  const forAccount = plan(ALLOWED_COMMANDS_SQL.forAccount);
  assert.match(forAccount, /SEARCH c USING INDEX sqlite_autoindex_allowed_commands_1 \(account_id=\?\)/);
  assert.match(plan('SELECT 1 FROM allowed_commands WHERE group_id = ?'), /USING (COVERING )?INDEX allowed_commands_by_group/);
  store.close();
});
