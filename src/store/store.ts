// The SQLite store: createStore puts the query modules over one better-sqlite3 database and
// answers the Store interface (interface.ts), which is all the application sees of it.
import { openDatabase, type DB } from './db.js';
import { accountQueries } from './accounts.js';
import { auditQueries } from './audit.js';
import { grantQueries } from './grants.js';
import { ingressKeyQueries } from './ingressKeys.js';
import { egressKeyQueries } from './egressKeys.js';
import { groupQueries } from './groups.js';
import { aclQueries } from './acl.js';
import { hostKeyQueries } from './hostKeys.js';
import { sessionQueries } from './sessions.js';
import { allowedCommandQueries } from './allowedCommands.js';
import { registerEngine } from './inspect.js';
import type { Store } from './interface.js';

export type { Store, StoreReader } from './interface.js';

export function createStore(db: DB): Store {
  const store: Store = {
    accounts: accountQueries(db),
    ingressKeys: ingressKeyQueries(db),
    egressKeys: egressKeyQueries(db),
    groups: groupQueries(db),
    acl: aclQueries(db),
    grants: grantQueries(db),
    audit: auditQueries(db),
    hostKeys: hostKeyQueries(db),
    sessions: sessionQueries(db),
    allowedCommands: allowedCommandQueries(db),
    tx<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    close(): void {
      db.close();
    },
  };
  registerEngine(store, db);
  return store;
}

export function openStore(file: string): Store {
  return createStore(openDatabase(file));
}
