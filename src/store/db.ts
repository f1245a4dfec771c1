// Opens the embedded SQLite store: WAL (readers never wait for the writer, and `setup-admin` can
// write while a server runs), foreign keys on, and the schema brought up to date.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';

export type DB = Database.Database;

export class StoreTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the store is at schema version ${found}, newer than this Gatehouse knows (${known}); upgrade Gatehouse`);
  }
}

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): DB {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  if (file !== ':memory:') fs.chmodSync(file, 0o600);
  return db;
}

export function schemaVersion(db: DB): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: DB, migrations: readonly Migration[] = MIGRATIONS): number {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  // BEGIN IMMEDIATE: two processes opening a fresh store at once must not both migrate.
  const step = db.transaction((m: Migration) => {
    if (schemaVersion(db) >= m.version) return;
    // Only what the rebuild breaks counts: a dangling row it found there is not its doing.
    const brokenBefore = m.rebuildsReferencedTable ? (db.pragma('foreign_key_check') as unknown[]).length : 0;
    db.exec(m.sql);
    if (m.rebuildsReferencedTable) {
      const broken = (db.pragma('foreign_key_check') as unknown[]).length - brokenBefore;
      if (broken > 0) throw new Error(`migration ${m.version} would leave ${broken} broken foreign key(s); nothing was changed`);
    }
    db.pragma(`user_version = ${m.version}`);
  });
  const current = schemaVersion(db);
  if (current > known) throw new StoreTooNewError(current, known);
  for (const m of ordered) {
    if (m.version <= current) continue;
    // foreign_keys can only be switched outside a transaction (inside, the pragma does nothing).
    const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
    if (m.rebuildsReferencedTable && enforced) db.pragma('foreign_keys = OFF');
    try {
      step.immediate(m);
    } finally {
      if (m.rebuildsReferencedTable && enforced) db.pragma('foreign_keys = ON');
    }
  }
  return schemaVersion(db);
}

export { LATEST_VERSION };
