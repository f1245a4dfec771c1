// Command allow-lists (migration 60): the rules that restrict what an account may run on its
// targets. The egress path reads an account's rules on every connection request (one indexed
// lookup); the account* plugins add, remove and list them. What a rule means is decided in
// src/policy/commandAllowList.ts; here it is a row.
import type { DB } from './db.js';
import { int, intOrNull, rowOf, StoreRowError, text, textOrNull } from './decode.js';

export interface AllowedCommandRow {
  /** The pattern, as formatPattern writes it. */
  readonly pattern: string;
  /** The group the rule is scoped to (its id and name), null for every access. */
  readonly group_id: number | null;
  readonly group: string | null;
  readonly added_by: string;
  /** Seconds since the epoch. */
  readonly added_at: number;
}

export interface NewAllowedCommand {
  readonly accountId: number;
  readonly pattern: string;
  readonly groupId: number | null;
  readonly addedBy: string;
  readonly addedAt: number;
}

const T = 'allowed_commands';

export function decodeAllowedCommand(raw: unknown): AllowedCommandRow {
  const r = rowOf(raw, T);
  const pattern = text(r.pattern, T, 'pattern');
  const groupId = intOrNull(r.group_id, T, 'group_id');
  const group = textOrNull(r.group, 'groups', 'name');
  // A scoped rule whose group can't be read must not come back unscoped (wider than it is).
  if (groupId !== null && group === null) throw new StoreRowError(T, 'group_id', 'the id of an existing group', groupId);
  return { pattern, group_id: groupId, group, added_by: text(r.added_by, T, 'added_by'), added_at: int(r.added_at, T, 'added_at') };
}

export interface AllowedCommandReader {
  /** The account's rules, by pattern, the unscoped one before those of groups (by group name). */
  forAccount(accountId: number): AllowedCommandRow[];
}

export interface AllowedCommandWriter {
  /** True when the rule was added (false: the account had it already). */
  add(rule: NewAllowedCommand): boolean;
  /** True when the rule was there and is removed. */
  remove(accountId: number, pattern: string, groupId: number | null): boolean;
}

export type AllowedCommandQueries = AllowedCommandReader & AllowedCommandWriter;

/** The statements whose rows the decoder reads (the decoder tests run them too). */
export const ALLOWED_COMMANDS_SQL = {
  forAccount: `SELECT c.pattern, c.group_id, g.name AS "group", c.added_by, c.added_at
       FROM allowed_commands c LEFT JOIN groups g ON g.id = c.group_id
      WHERE c.account_id = ? ORDER BY c.pattern, c.group_id IS NOT NULL, g.name`,
} as const;

export function allowedCommandQueries(db: DB): AllowedCommandQueries {
  const forAccount = db.prepare<[number], unknown>(ALLOWED_COMMANDS_SQL.forAccount);
  const add = db.prepare<[number, string, number | null, string, number]>(
    'INSERT OR IGNORE INTO allowed_commands (account_id, pattern, group_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)',
  );
  const remove = db.prepare<[number, string, number | null]>('DELETE FROM allowed_commands WHERE account_id = ? AND pattern = ? AND group_id IS ?');
  return {
    forAccount: (accountId) => forAccount.all(accountId).map(decodeAllowedCommand),
    add: (r) => add.run(r.accountId, r.pattern, r.groupId, r.addedBy, r.addedAt).changes === 1,
    remove: (accountId, pattern, groupId) => remove.run(accountId, pattern, groupId).changes === 1,
  };
}
