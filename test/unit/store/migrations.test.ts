// The store's schema: numbered migrations, one transaction each with user_version, a store newer
// than the code refused, WAL and foreign keys on, STRICT tables only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { after, test } from 'node:test';
import { LATEST_VERSION, migrate, openDatabase, schemaVersion, StoreTooNewError } from '../../../src/store/db.js';
import { MIGRATIONS, type Migration } from '../../../src/store/migrations.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-migrations-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbFile = (): string => path.join(dir, `store${++n}`, 'gatehouse.db');

const V10: Migration = { version: 10, name: 'one table', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL) STRICT;' };
const V20: Migration = { version: 20, name: 'another', sql: "CREATE TABLE b (id INTEGER PRIMARY KEY) STRICT; INSERT INTO a (x) VALUES ('from 20');" };
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
  assert.deepEqual(
    [...versions].sort((a, b) => a - b),
    versions,
    'listed in order',
  );
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

test('migration 50: account ids are never reused; rows, references and cascades survive the rebuild', () => {
  const file = dbFile();
  openDatabase(
    file,
    MIGRATIONS.filter((m) => m.version <= 40),
  ).close();
  const old = new Database(file);
  old.pragma('foreign_keys = ON');
  const seed = old.transaction(() => {
    old
      .prepare(
        "INSERT INTO accounts (id, name, uid, created_at, created_by, frozen_at) VALUES (1, 'alice', 2001, 10, 't', 5), (2, 'bob', 2002, 20, 't', NULL), (3, 'carol', NULL, 30, 't', NULL)",
      )
      .run();
    old.prepare("INSERT INTO account_settings VALUES (2, 'osh_only', 'yes')").run();
    old.prepare("INSERT INTO ingress_keys (account_id, type, blob, fingerprint, created_at) VALUES (2, 'ssh-ed25519', x'00', 'fp', 0)").run();
    old.prepare("INSERT INTO command_grants VALUES (2, 'accountList', 't', 0)").run();
    old
      .prepare("INSERT INTO account_egress_keys (account_id, type, size, fingerprint, base64, private_sealed, created_at) VALUES (2, 'ssh-ed25519', 256, 'fp', 'AA', x'00', 0)")
      .run();
    old.prepare("INSERT INTO groups (id, name, created_at, created_by) VALUES (1, 'g', 0, 't')").run();
    old.prepare("INSERT INTO group_roles VALUES (1, 'member', 2, 't', 0)").run();
    old
      .prepare(
        "INSERT INTO acl_entries (kind, account_id, ip, family, prefix_len, range_start, range_end, added_by, added_at) VALUES ('personal', 2, '10.0.0.1', 4, 32, x'0a000001', x'0a000001', 't', 0)",
      )
      .run();
    old.prepare("INSERT INTO egress_host_keys VALUES (2, 'h', 22, 'ssh-ed25519', 'fp', x'00', 0, 0)").run();
    old
      .prepare(
        "INSERT INTO sessions (id, account_id, account, conn_id, peer_ip, peer_port, target_user, target_host, target_ip, target_port, allowed, pty, started_at) VALUES ('s1', 2, 'bob', 'c', '127.0.0.1', 1, 'u', 'h', '10.0.0.1', 22, 1, 0, 0)",
      )
      .run();
    // carol, the newest, is deleted before the upgrade: her id may be given once more (nothing holds it).
    old.prepare('DELETE FROM accounts WHERE id = 3').run();
  });
  seed();
  old.close();

  const db = openDatabase(file);
  try {
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1, 'enforcement is back on');
    assert.match(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'accounts'").get() as { sql: string }).sql), /AUTOINCREMENT/);
    assert.deepEqual(db.prepare('SELECT id, name, uid, created_at, frozen_at FROM accounts ORDER BY id').all(), [
      { id: 1, name: 'alice', uid: 2001, created_at: 10, frozen_at: 5 },
      { id: 2, name: 'bob', uid: 2002, created_at: 20, frozen_at: null },
    ]);
    assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'accounts_uid'").get(), 'the uid index is back');
    const count = (t: string): number => (db.prepare(`SELECT count(*) AS n FROM ${t} WHERE account_id = 2`).get() as { n: number }).n;
    const children = ['account_settings', 'ingress_keys', 'command_grants', 'account_egress_keys', 'group_roles', 'acl_entries', 'egress_host_keys', 'sessions'];
    for (const t of children) {
      assert.equal(count(t), 1, `${t} kept its row`);
      const fks = db.prepare(`SELECT "table" FROM pragma_foreign_key_list('${t}')`).all() as { table: string }[];
      assert.ok(
        fks.some((f) => f.table === 'accounts'),
        `${t} still references accounts`,
      );
    }
    assert.deepEqual(db.pragma('foreign_key_check'), []);

    // The attack: delete the newest account, create another: it must not get the old id.
    const insert = db.prepare("INSERT INTO accounts (name, created_at, created_by) VALUES (?, 0, 't')");
    const dave = Number(insert.run('dave').lastInsertRowid);
    assert.equal(dave, 3, 'continues after the highest id in the store');
    db.prepare('DELETE FROM accounts WHERE id = ?').run(dave);
    const erin = Number(insert.run('erin').lastInsertRowid);
    assert.equal(erin, 4, "a deleted account's id is never given again");

    // Deleting still cascades (and keeps the session, without its account id).
    db.prepare('DELETE FROM accounts WHERE id = 2').run();
    for (const t of children.filter((c) => c !== 'sessions')) assert.equal(count(t), 0, `${t} rows went with the account`);
    assert.deepEqual(db.prepare("SELECT account_id, account FROM sessions WHERE id = 's1'").get(), { account_id: null, account: 'bob' });
  } finally {
    db.close();
  }
});

test('a rebuild of a referenced table runs with enforcement off and is refused if it breaks a reference', () => {
  const parent: Migration = {
    version: 10,
    name: 'parent and child',
    sql: `CREATE TABLE p (id INTEGER PRIMARY KEY) STRICT;
      CREATE TABLE c (p_id INTEGER NOT NULL REFERENCES p(id) ON DELETE CASCADE) STRICT;
      INSERT INTO p VALUES (1), (2); INSERT INTO c VALUES (1), (2);`,
  };
  const rebuild = (keep: string): Migration => ({
    version: 20,
    name: 'rebuild p',
    rebuildsReferencedTable: true,
    sql: `CREATE TABLE p2 (id INTEGER PRIMARY KEY AUTOINCREMENT) STRICT; INSERT INTO p2 SELECT id FROM p WHERE ${keep};
      DROP TABLE p; ALTER TABLE p2 RENAME TO p;`,
  });
  const file = dbFile();
  openDatabase(file, [parent]).close();
  // Losing a row that c references: refused, and the drop did not cascade into c either.
  assert.throws(() => openDatabase(file, [parent, rebuild('id = 1')]), /1 broken foreign key/);
  const check = new Database(file);
  try {
    assert.equal(schemaVersion(check), 10);
    assert.deepEqual(check.prepare('SELECT p_id FROM c ORDER BY p_id').all(), [{ p_id: 1 }, { p_id: 2 }]);
  } finally {
    check.close();
  }
  // Done right, the rows of c stay where a plain DROP TABLE with enforcement on would have emptied c.
  const db = openDatabase(file, [parent, rebuild('1')]);
  try {
    assert.equal(schemaVersion(db), 20);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.deepEqual(db.prepare('SELECT p_id FROM c ORDER BY p_id').all(), [{ p_id: 1 }, { p_id: 2 }]);
  } finally {
    db.close();
  }
});

test('migration 50 goes through a store holding a dangling reference from before (not its doing)', () => {
  const file = dbFile();
  openDatabase(
    file,
    MIGRATIONS.filter((m) => m.version <= 40),
  ).close();
  const raw = new Database(file);
  raw.pragma('foreign_keys = OFF');
  raw.prepare("INSERT INTO account_settings VALUES (42, 'k', 'v')").run();
  raw.close();
  const db = openDatabase(file);
  try {
    assert.equal(schemaVersion(db), LATEST_VERSION);
    assert.match(String((db.prepare("SELECT sql FROM sqlite_master WHERE name = 'accounts'").get() as { sql: string }).sql), /AUTOINCREMENT/);
  } finally {
    db.close();
  }
});
