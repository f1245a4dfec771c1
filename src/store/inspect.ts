// The SQLite handle behind a store, for tests, docs and tools that assert on stored state (or
// set up a state no query writes, such as a row that expired an hour ago). Never for the
// application: src/ and plugins/ read and write through the store's named queries only, which
// is what lets a second engine stand in for SQLite. The layer rule store-inspect-only-tests
// (src/devtools/importRules.ts) refuses an import of this module from src/ (outside src/store/)
// and from plugins/.
import type { DB } from './db.js';
import type { Store } from './interface.js';

const engines = new WeakMap<Store, DB>();

/** Called by createStore only: remembers which database a store runs on. */
export function registerEngine(store: Store, db: DB): void {
  engines.set(store, db);
}

/** The better-sqlite3 database a store made by createStore or openStore runs on. */
export function sqliteOf(store: Store): DB {
  const db = engines.get(store);
  if (!db) throw new Error('sqliteOf: not a store made by createStore');
  return db;
}
