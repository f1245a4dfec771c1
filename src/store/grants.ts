// Restricted-command grants (The Bastion's osh-<command> unix groups, as rows).
import type { DB } from './db.js';

export function grantQueries(db: DB) {
  const has = db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM command_grants WHERE account_id = ? AND command = ?');
  const list = db.prepare<[number], { command: string }>('SELECT command FROM command_grants WHERE account_id = ? ORDER BY command');
  const grant = db.prepare<[number, string, string, number]>('INSERT OR IGNORE INTO command_grants (account_id, command, granted_by, granted_at) VALUES (?, ?, ?, ?)');
  const revoke = db.prepare<[number, string]>('DELETE FROM command_grants WHERE account_id = ? AND command = ?');
  return {
    has: (accountId: number, command: string): boolean => has.get(accountId, command) !== undefined,
    list: (accountId: number): string[] => list.all(accountId).map((r) => r.command),
    grant: (accountId: number, command: string, by: string, at: number): boolean => grant.run(accountId, command, by, at).changes === 1,
    revoke: (accountId: number, command: string): boolean => revoke.run(accountId, command).changes === 1,
  };
}

export type GrantQueries = ReturnType<typeof grantQueries>;
