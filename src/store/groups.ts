// Queries about groups: the groups themselves, who holds which role on them, their settings and
// their egress keys. Statements are prepared once per store.
import type { AccountGroupRole, GroupRole, RoleHolder } from '../policy/records.js';
import type { DB } from './db.js';
import { blob, decodeSetting, int, type Members, oneOf, rowOf, text, tupleOf } from './decode.js';
import { decodeKeyPair, KEY_PAIR_COLUMNS, type KeyPairRow, type NewKeyPair } from './egressKeys.js';

export type { AccountGroupRole, GroupRole, RoleHolder };

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
const COLUMNS = 'id, name, created_at, created_by';
const ROLES = { owner: true, gatekeeper: true, aclkeeper: true, member: true, guest: true } as const satisfies Members<GroupRole>;

export function decodeGroup(raw: unknown): GroupRow {
  const r = rowOf(raw, 'groups');
  return {
    id: int(r.id, 'groups', 'id'),
    name: text(r.name, 'groups', 'name'),
    created_at: int(r.created_at, 'groups', 'created_at'),
    created_by: text(r.created_by, 'groups', 'created_by'),
  };
}

/** A row of GROUP_SQL.holders: group_roles joined to accounts for the name. */
export function decodeRoleHolder(raw: unknown): RoleHolder {
  const r = rowOf(raw, 'group_roles');
  return { account_id: int(r.account_id, 'group_roles', 'account_id'), name: text(r.name, 'accounts', 'name') };
}

/**
 * A row of GROUP_SQL.rolesOfAccount (group_roles joined to groups for the name), as a raw tuple in
 * its column order: the decision reads these on every connection, and a tuple is faster to read
 * than the object better-sqlite3 would build (see decodeAclRow).
 */
export function decodeAccountGroupRole(raw: unknown): AccountGroupRole {
  const t = tupleOf(raw, 'group_roles', 3);
  return { group_id: int(t[0], 'group_roles', 'group_id'), group: text(t[1], 'groups', 'name'), role: oneOf(t[2], ROLES, 'group_roles', 'role') };
}

export function decodeGroupKey(raw: unknown): GroupKeyRow {
  const r = rowOf(raw, 'group_egress_keys');
  return { group_id: int(r.group_id, 'group_egress_keys', 'group_id'), ...decodeKeyPair(r, 'group_egress_keys') };
}

export function decodeSealedGroupKey(raw: unknown): SealedGroupKey {
  const r = rowOf(raw, 'group_egress_keys');
  return { ...decodeGroupKey(r), private_sealed: blob(r.private_sealed, 'group_egress_keys', 'private_sealed') };
}

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
  all: `SELECT ${COLUMNS} FROM groups ORDER BY name`,
} as const;

export interface GroupReader {
  byName(name: string): GroupRow | undefined;
  byId(id: number): GroupRow | undefined;
  /** Every group, by name. */
  all(): GroupRow[];
  count(): number;
  /** Accounts holding `role` on the group, by name. */
  holders(groupId: number, role: GroupRole): RoleHolder[];
  hasRole(groupId: number, accountId: number, role: GroupRole): boolean;
  /** Whether the account holds `role` on at least one group (the category check). */
  hasRoleAnywhere(accountId: number, role: GroupRole): boolean;
  /** Every role the account holds, by group name. */
  rolesOfAccount(accountId: number): AccountGroupRole[];
  settings(groupId: number): Map<string, string>;
  /** Public halves, oldest first. */
  keys(groupId: number): GroupKeyRow[];
  /** With the sealed private halves: for connecting to targets only, never for a listing. */
  sealedKeys(groupId: number): SealedGroupKey[];
}

export interface GroupWriter {
  insert(name: string, at: number, by: string): number;
  /** Roles, settings, ACL entries and keys go with the group (ON DELETE CASCADE). */
  remove(id: number): boolean;
  /** True when the role was added (false: it was there already). */
  addRole(groupId: number, accountId: number, role: GroupRole, by: string, at: number): boolean;
  removeRole(groupId: number, accountId: number, role: GroupRole): boolean;
  setSetting(groupId: number, key: string, value: string): void;
  deleteSetting(groupId: number, key: string): boolean;
  insertKey(k: NewGroupKey): number;
  removeKey(groupId: number, id: number): boolean;
}

export type GroupQueries = GroupReader & GroupWriter;

export function groupQueries(db: DB): GroupQueries {
  const byName = db.prepare<[string], unknown>(`SELECT ${COLUMNS} FROM groups WHERE name = ?`);
  const byId = db.prepare<[number], unknown>(`SELECT ${COLUMNS} FROM groups WHERE id = ?`);
  const all = db.prepare<[], unknown>(GROUP_SQL.all);
  const count = db.prepare<[], unknown>('SELECT count(*) FROM groups').pluck();
  const insert = db.prepare<[string, number, string]>('INSERT INTO groups (name, created_at, created_by) VALUES (?, ?, ?)');
  const remove = db.prepare<[number]>('DELETE FROM groups WHERE id = ?');

  const holders = db.prepare<[number, string], unknown>(GROUP_SQL.holders);
  const hasRole = db.prepare<[number, string, number], unknown>(GROUP_SQL.hasRole);
  const hasRoleAnywhere = db.prepare<[number, string], unknown>(GROUP_SQL.hasRoleAnywhere);
  const rolesOfAccount = db.prepare<[number], unknown>(GROUP_SQL.rolesOfAccount).raw(true);
  const addRole = db.prepare<[number, string, number, string, number]>('INSERT OR IGNORE INTO group_roles (group_id, role, account_id, added_by, added_at) VALUES (?, ?, ?, ?, ?)');
  const removeRole = db.prepare<[number, string, number]>('DELETE FROM group_roles WHERE group_id = ? AND role = ? AND account_id = ?');

  const getSettings = db.prepare<[number], unknown>('SELECT key, value FROM group_settings WHERE group_id = ?');
  const setSetting = db.prepare<[number, string, string]>(
    `INSERT INTO group_settings (group_id, key, value) VALUES (?, ?, ?)
     ON CONFLICT (group_id, key) DO UPDATE SET value = excluded.value`,
  );
  const delSetting = db.prepare<[number, string]>('DELETE FROM group_settings WHERE group_id = ? AND key = ?');

  const keysOf = db.prepare<[number], unknown>(`SELECT ${KEY_COLUMNS} FROM group_egress_keys WHERE group_id = ? ORDER BY created_at, id`);
  const sealedKeysOf = db.prepare<[number], unknown>(`SELECT ${KEY_COLUMNS}, private_sealed FROM group_egress_keys WHERE group_id = ? ORDER BY created_at, id`);
  const insertKey = db.prepare(
    `INSERT INTO group_egress_keys (group_id, type, size, fingerprint, base64, comment, private_sealed, created_at)
     VALUES (@groupId, @type, @size, @fingerprint, @base64, @comment, @privateSealed, @createdAt)`,
  );
  const removeKey = db.prepare<[number, number]>('DELETE FROM group_egress_keys WHERE group_id = ? AND id = ?');

  const one = (raw: unknown): GroupRow | undefined => (raw === undefined ? undefined : decodeGroup(raw));
  return {
    byName: (name) => one(byName.get(name)),
    byId: (id) => one(byId.get(id)),
    all: () => all.all().map(decodeGroup),
    count: () => int(count.get(), 'groups', 'count(*)'),
    insert: (name, at, by) => Number(insert.run(name, at, by).lastInsertRowid),
    remove: (id) => remove.run(id).changes === 1,

    holders: (groupId, role) => holders.all(groupId, role).map(decodeRoleHolder),
    hasRole: (groupId, accountId, role) => hasRole.get(groupId, role, accountId) !== undefined,
    hasRoleAnywhere: (accountId, role) => hasRoleAnywhere.get(accountId, role) !== undefined,
    rolesOfAccount: (accountId) => rolesOfAccount.all(accountId).map(decodeAccountGroupRole),
    addRole: (groupId, accountId, role, by, at) => addRole.run(groupId, role, accountId, by, at).changes === 1,
    removeRole: (groupId, accountId, role) => removeRole.run(groupId, role, accountId).changes === 1,

    settings: (groupId) => new Map(getSettings.all(groupId).map((r) => decodeSetting(r, 'group_settings'))),
    setSetting: (groupId, key, value) => void setSetting.run(groupId, key, value),
    deleteSetting: (groupId, key) => delSetting.run(groupId, key).changes === 1,

    keys: (groupId) => keysOf.all(groupId).map(decodeGroupKey),
    sealedKeys: (groupId) => sealedKeysOf.all(groupId).map(decodeSealedGroupKey),
    insertKey: (k) => Number(insertKey.run(k).lastInsertRowid),
    removeKey: (groupId, id) => removeKey.run(groupId, id).changes === 1,
  };
}
