// Restricted-command grants (The Bastion's osh-<command> unix groups, as rows).
import type { DB } from './db.js';
import { text } from './decode.js';

export interface GrantReader {
  has(accountId: number, command: string): boolean;
  /** The commands granted to the account, by name. */
  list(accountId: number): string[];
}

export interface GrantWriter {
  /** True when the grant was added (false: the account held it already). */
  grant(accountId: number, command: string, by: string, at: number): boolean;
  revoke(accountId: number, command: string): boolean;
}

export type GrantQueries = GrantReader & GrantWriter;

export function grantQueries(db: DB): GrantQueries {
  const has = db.prepare<[number, string], unknown>('SELECT 1 AS one FROM command_grants WHERE account_id = ? AND command = ?');
  const list = db.prepare<[number], unknown>('SELECT command FROM command_grants WHERE account_id = ? ORDER BY command').pluck();
  const grant = db.prepare<[number, string, string, number]>('INSERT OR IGNORE INTO command_grants (account_id, command, granted_by, granted_at) VALUES (?, ?, ?, ?)');
  const revoke = db.prepare<[number, string]>('DELETE FROM command_grants WHERE account_id = ? AND command = ?');
  return {
    has: (accountId, command) => has.get(accountId, command) !== undefined,
    list: (accountId) => list.all(accountId).map((v) => text(v, 'command_grants', 'command')),
    grant: (accountId, command, by, at) => grant.run(accountId, command, by, at).changes === 1,
    revoke: (accountId, command) => revoke.run(accountId, command).changes === 1,
  };
}
