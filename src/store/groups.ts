// Queries about groups: the groups themselves, who holds which role on them, their settings and
// their egress keys. Statements are prepared once per store.
import type { AccountGroupRole, GroupRole, RoleHolder } from '../policy/records.js';
import type { DB } from './db.js';

export type { AccountGroupRole, GroupRole, RoleHolder };
import { KEY_PAIR_COLUMNS, type KeyPairRow, type NewKeyPair } from './egressKeys.js';

export interface GroupRow {
  readonly id: number;
  readonly name: string;
  readonly created_at: number;
  readonly created_by: string;
}

/** The public half of a group egress key, as listings see it. */
export interface GroupKeyRow extends KeyPairRow {
  readonly group_id: number;
}

export interface SealedGroupKey extends GroupKeyRow {
  readonly private_sealed: Buffer;
}

export interface NewGroupKey extends NewKeyPair {
  groupId: number;
}

const KEY_COLUMNS = `group_id, ${KEY_PAIR_COLUMNS}`;

/**
 * The role queries, exported so tests can check their plans (EXPLAIN QUERY PLAN) use the indexes.
 * CROSS JOIN pins group_roles as the outer table: ordering by name would otherwise tempt the
 * planner to walk every account (or group) in name order and probe the roles for each.
 */
export const GROUP_SQL = {
  holders: `SELECT r.account_id, a.name FROM group_roles r CROSS JOIN accounts a ON a.id = r.account_id
     WHERE r.group_id = ? AND r.role = ? ORDER BY a.name`,
  hasRole: 'SELECT 1 AS one FROM group_roles WHERE group_id = ? AND role = ? AND account_id = ?',
  hasRoleAnywhere: 'SELECT 1 AS one FROM group_roles WHERE account_id = ? AND role = ? LIMIT 1',
  rolesOfAccount: `SELECT r.group_id, g.name AS "group", r.role FROM group_roles r CROSS JOIN groups g ON g.id = r.group_id
     WHERE r.account_id = ? ORDER BY g.name`,
  all: 'SELECT * FROM groups ORDER BY name',
} as const;

export function groupQueries(db: DB) {
  const byName = db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE name = ?');
  const byId = db.prepare<[number], GroupRow>('SELECT * FROM groups WHERE id = ?');
  const all = db.prepare<[], GroupRow>(GROUP_SQL.all);
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM groups');
  const insert = db.prepare<[string, number, string]>('INSERT INTO groups (name, created_at, created_by) VALUES (?, ?, ?)');
  const remove = db.prepare<[number]>('DELETE FROM groups WHERE id = ?');

  const holders = db.prepare<[number, string], RoleHolder>(GROUP_SQL.holders);
  const hasRole = db.prepare<[number, string, number], { one: number }>(GROUP_SQL.hasRole);
  const hasRoleAnywhere = db.prepare<[number, string], { one: number }>(GROUP_SQL.hasRoleAnywhere);
  const rolesOfAccount = db.prepare<[number], AccountGroupRole>(GROUP_SQL.rolesOfAccount);
  const addRole = db.prepare<[number, string, number, string, number]>('INSERT OR IGNORE INTO group_roles (group_id, role, account_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)');
  const removeRole = db.prepare<[number, string, number]>('DELETE FROM group_roles WHERE group_id = ? AND role = ? AND account_id = ?');

  const getSettings = db.prepare<[number], { key: string; value: string }>('SELECT key, value FROM group_settings WHERE group_id = ?');
  const setSetting = db.prepare<[number, string, string]>(
    `INSERT INTO group_settings (group_id, key, value) VALUES (?, ?, ?)
     ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value`,
  );
  const delSetting = db.prepare<[number, string]>('DELETE FROM group_settings WHERE group_id = ? AND key = ?');

  const keysOf = db.prepare<[number], GroupKeyRow>(`SELECT ${KEY_COLUMNS} FROM group_egress_keys WHERE group_id = ? ORDER BY created_at, id`);
  const sealedKeysOf = db.prepare<[number], SealedGroupKey>(`SELECT ${KEY_COLUMNS}, private_sealed FROM group_egress_keys WHERE group_id = ? ORDER BY created_at, id`);
  const insertKey = db.prepare(
    `INSERT INTO group_egress_keys (group_id, type, size, fingerprint, base64, comment, private_sealed, created_at)
     VALUES (@groupId, @type, @size, @fingerprint, @base64, @comment, @privateSealed, @createdAt)`,
  );
  const removeKey = db.prepare<[number, number]>('DELETE FROM group_egress_keys WHERE group_id = ? AND id = ?');

  return {
    byName: (name: string): GroupRow | undefined => byName.get(name),
    byId: (id: number): GroupRow | undefined => byId.get(id),
    all: (): GroupRow[] => all.all(),
    count: (): number => count.get()?.n ?? 0,
    insert: (name: string, at: number, by: string): number => Number(insert.run(name, at, by).lastInsertRowid),
    /** Roles, settings, ACL entries and keys go with the group (ON DELETE CASCADE). */
    remove: (id: number): boolean => remove.run(id).changes === 1,

    /** Accounts holding `role` on the group, by name. */
    holders: (groupId: number, role: GroupRole): RoleHolder[] => holders.all(groupId, role),
    hasRole: (groupId: number, accountId: number, role: GroupRole): boolean => hasRole.get(groupId, role, accountId) !== undefined,
    /** Whether the account holds `role` on at least one group (the category check). */
    hasRoleAnywhere: (accountId: number, role: GroupRole): boolean => hasRoleAnywhere.get(accountId, role) !== undefined,
    rolesOfAccount: (accountId: number): AccountGroupRole[] => rolesOfAccount.all(accountId),
    /** True when the role was added (false: it was there already). */
    addRole: (groupId: number, accountId: number, role: GroupRole, by: string, at: number): boolean => addRole.run(groupId, role, accountId, by, at).changes === 1,
    removeRole: (groupId: number, accountId: number, role: GroupRole): boolean => removeRole.run(groupId, role, accountId).changes === 1,

    settings: (groupId: number): Map<string, string> => new Map(getSettings.all(groupId).map((r) => [r.key, r.value])),
    setSetting: (groupId: number, key: string, value: string): void => void setSetting.run(groupId, key, value),
    deleteSetting: (groupId: number, key: string): boolean => delSetting.run(groupId, key).changes === 1,

    /** Public halves, oldest first. */
    keys: (groupId: number): GroupKeyRow[] => keysOf.all(groupId),
    /** With the sealed private halves: for connecting to targets only, never for a listing. */
    sealedKeys: (groupId: number): SealedGroupKey[] => sealedKeysOf.all(groupId),
    insertKey: (k: NewGroupKey): number => Number(insertKey.run(k).lastInsertRowid),
    removeKey: (groupId: number, id: number): boolean => removeKey.run(groupId, id).changes === 1,
  };
}

export type GroupQueries = ReturnType<typeof groupQueries>;
