// The store's schema: numbered migrations, one transaction each with user_version, a store newer
// than the code refused, WAL and foreign keys on, STRICT tables only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, test } from 'node:test';
import { LATEST_VERSION, migrate, openDatabase, schemaVersion, StoreTooNewError } from '../../src/store/db.js';
import { MIGRATIONS, type Migration } from '../../src/store/migrations.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-migrations-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbFile = (): string => path.join(dir, `store${++n}`, 'gatehouse.db');

const V10: Migration = { version: 10, name: 'one table', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL) STRICT;' };
const V20: Migration = { version: 20, name: 'another', sql: 'CREATE TABLE b (id INTEGER PRIMARY KEY) STRICT; INSERT INTO a (x) VALUES (\'from 20\');' };
const V30_BROKEN: Migration = {
  version: 30,
  name: 'fails half way',
  sql: "CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT; INSERT INTO a (x) VALUES ('from 30'); INSERT INTO no_such_table VALUES (1);",
};

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

test('the migration list: versions in steps of 10, unique, ascending, each named', () => {
  const versions = MIGRATIONS.map((m) => m.version);
  assert.deepEqual([...versions].sort((a, b) => a - b), versions, 'listed in order');
  assert.equal(new Set(versions).size, versions.length, 'no version twice');
  for (const m of MIGRATIONS) {
    assert.equal(m.version % 10, 0, `${m.version} is a multiple of 10`);
    assert.ok(m.name.length > 0);
  }
  assert.equal(LATEST_VERSION, Math.max(...versions));
});

test('a fresh store is brought to the latest version; every table is STRICT', () => {
  const db = openDatabase(dbFile());
  try {
    assert.equal(schemaVersion(db), LATEST_VERSION);
    const list = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'").all() as { name: string; strict: number }[];
    assert.ok(list.length > 0);
    for (const t of list) assert.equal(t.strict, 1, `table ${t.name} is not STRICT`);
  } finally {
    db.close();
  }
});

test('WAL, foreign keys and a busy timeout are on; the file is 0600 in a 0700 directory', () => {
  const file = dbFile();
  const db = openDatabase(file);
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  } finally {
    db.close();
  }
});

test('foreign keys are enforced: deleting an account deletes its keys and settings', () => {
  const db = openDatabase(dbFile());
  try {
    db.prepare("INSERT INTO accounts (id, name, created_at, created_by) VALUES (1, 'a', 0, 't')").run();
    db.prepare("INSERT INTO account_settings VALUES (1, 'k', 'v')").run();
    assert.throws(() => db.prepare("INSERT INTO account_settings VALUES (99, 'k', 'v')").run(), /FOREIGN KEY/);
    db.prepare('DELETE FROM accounts WHERE id = 1').run();
    assert.equal((db.prepare('SELECT count(*) AS n FROM account_settings').get() as { n: number }).n, 0);
  } finally {
    db.close();
  }
});

test('opening again applies nothing twice; new migrations apply on the next open', () => {
  const file = dbFile();
  openDatabase(file, [V10]).close();
  const db = openDatabase(file, [V10, V20]);
  try {
    assert.equal(schemaVersion(db), 20);
    assert.deepEqual(tables(db), ['a', 'b']);
    assert.equal(migrate(db, [V10, V20]), 20);
    assert.equal((db.prepare('SELECT count(*) AS n FROM a').get() as { n: number }).n, 1);
  } finally {
    db.close();
  }
});

test('a failing migration changes nothing of its own and leaves the previous version', () => {
  const file = dbFile();
  assert.throws(() => openDatabase(file, [V10, V20, V30_BROKEN]), /no_such_table/);
  const db = new Database(file);
  try {
    assert.equal(schemaVersion(db), 20, 'migrations before the broken one are kept');
    assert.deepEqual(tables(db), ['a', 'b'], 'table c of the failed migration is rolled back');
    assert.deepEqual(db.prepare('SELECT x FROM a').all(), [{ x: 'from 20' }]);
  } finally {
    db.close();
  }
  // Once fixed, the same store migrates on.
  const fixed: Migration = { ...V30_BROKEN, sql: 'CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT;' };
  const again = openDatabase(file, [V10, V20, fixed]);
  try {
    assert.equal(schemaVersion(again), 30);
  } finally {
    again.close();
  }
});

test('migrations are applied in version order even when listed out of order', () => {
  const db = openDatabase(dbFile(), [V20, V10]);
  try {
    assert.equal(schemaVersion(db), 20);
  } finally {
    db.close();
  }
});

test('a store newer than the code is refused, untouched, and the handle closed', () => {
  const file = dbFile();
  openDatabase(file, [V10]).close();
  const raw = new Database(file);
  raw.pragma('user_version = 40');
  raw.close();
  assert.throws(
    () => openDatabase(file, [V10, V20]),
    (e: unknown) => e instanceof StoreTooNewError && e.found === 40 && e.known === 20 && /newer than this Gatehouse/.test(e.message),
  );
  const check = new Database(file);
  try {
    assert.equal(schemaVersion(check), 40);
    assert.deepEqual(tables(check), ['a']);
  } finally {
    check.close();
  }
  // The real migration list refuses a store from the future the same way.
  const future = dbFile();
  openDatabase(future).close();
  const f = new Database(future);
  f.pragma(`user_version = ${LATEST_VERSION + 10}`);
  f.close();
  assert.throws(() => openDatabase(future), StoreTooNewError);
});

test('two handles opening a fresh store at once both end at the latest version', () => {
  const file = dbFile();
  const a = openDatabase(file);
  const b = openDatabase(file);
  try {
    assert.equal(schemaVersion(a), LATEST_VERSION);
    assert.equal(schemaVersion(b), LATEST_VERSION);
  } finally {
    a.close();
    b.close();
  }
});
