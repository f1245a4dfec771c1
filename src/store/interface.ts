// The interface the application sees of the store, whatever engine answers it: one query module
// per domain, `tx` to make a multi-step change one transaction (a failed call changes nothing),
// and `close`. No database handle: every query is named and decodes its rows (decode.ts), so a
// second engine can answer the same interface. StoreReader is the read half; a function that
// only reads takes one, and the compiler refuses a write through it. Every query is synchronous
// today (better-sqlite3); README.md says what a second engine changes. createStore (store.ts)
// builds the SQLite one.
import type { AccountQueries, AccountReader } from './accounts.js';
import type { AllowedCommandQueries, AllowedCommandReader } from './allowedCommands.js';
import type { AclQueries, AclReader } from './acl.js';
import type { AuditQueries, AuditReader } from './audit.js';
import type { EgressKeyQueries, EgressKeyReader } from './egressKeys.js';
import type { GrantQueries, GrantReader } from './grants.js';
import type { GroupQueries, GroupReader } from './groups.js';
import type { HostKeyQueries, HostKeyReader } from './hostKeys.js';
import type { IngressKeyQueries, IngressKeyReader } from './ingressKeys.js';
import type { SessionQueries, SessionReader } from './sessions.js';

/** The read-only queries of every module: what a listing, a check or a decision needs. */
export interface StoreReader {
  readonly accounts: AccountReader;
  readonly ingressKeys: IngressKeyReader;
  readonly egressKeys: EgressKeyReader;
  readonly groups: GroupReader;
  readonly acl: AclReader;
  readonly grants: GrantReader;
  readonly audit: AuditReader;
  readonly hostKeys: HostKeyReader;
  readonly sessions: SessionReader;
  readonly allowedCommands: AllowedCommandReader;
}

/** Every query, reads and writes, with the transaction and the end of the store. */
export interface Store extends StoreReader {
  readonly accounts: AccountQueries;
  readonly ingressKeys: IngressKeyQueries;
  readonly egressKeys: EgressKeyQueries;
  readonly groups: GroupQueries;
  readonly acl: AclQueries;
  readonly grants: GrantQueries;
  readonly audit: AuditQueries;
  readonly hostKeys: HostKeyQueries;
  readonly sessions: SessionQueries;
  readonly allowedCommands: AllowedCommandQueries;
  /** Runs fn in one write transaction (BEGIN IMMEDIATE), committed if it returns, rolled back if it throws. */
  tx<T>(fn: () => T): T;
  close(): void;
}
