// The store a plugin sees: the database handle, one query module per domain, and `tx` to make a
// multi-step change one transaction (a failed call changes nothing).
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

export function createStore(db: DB) {
  return {
    db,
    accounts: accountQueries(db),
    ingressKeys: ingressKeyQueries(db),
    egressKeys: egressKeyQueries(db),
    groups: groupQueries(db),
    acl: aclQueries(db),
    grants: grantQueries(db),
    audit: auditQueries(db),
    hostKeys: hostKeyQueries(db),
    sessions: sessionQueries(db),
    /** Runs fn in one write transaction (BEGIN IMMEDIATE), committed if it returns, rolled back if it throws. */
    tx<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    close(): void {
      db.close();
    },
  };
}

export type Store = ReturnType<typeof createStore>;

export function openStore(file: string): Store {
  return createStore(openDatabase(file));
}
