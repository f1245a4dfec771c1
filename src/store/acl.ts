// Queries about access-list entries: an account's personal accesses, a group's servers and a
// guest's per-server accesses to a group, all in one table. "Live" entries are those without an
// expiry or whose expiry is not yet past (The Bastion skips a line once EXPIRY < now); expired
// rows stay until the next change to the same list removes them, and no query returns them.
import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';
import { blob, int, intOrNull, ipFamily, type Members, oneOf, oneOfOrNull, rowOf, StoreRowError, text, textOrNull, tupleOf } from './decode.js';

import type { AclKind, AclOwner, AclProtocol, AclRow, AclView } from '../policy/records.js';

export type { AclKind, AclOwner, AclProtocol, AclRow, AclView };

const T = 'acl_entries';
const KINDS = { personal: true, group: true, guest: true } as const satisfies Members<AclKind>;
const PROTOCOLS = { scpupload: true, scpdownload: true, sftp: true, rsync: true } as const satisfies Members<AclProtocol>;

const COLUMNS =
  'id, kind, account_id, group_id, ip, family, prefix_len, range_start, range_end, user, port, protocol, comment, expires_at, force_key, force_password, added_by, added_at';
const WIDTH = COLUMNS.split(', ').length;

/**
 * An entry as the access decision reads it, from a raw tuple in COLUMNS' order: the decision
 * reads a few dozen on every connection, and better-sqlite3 builds an object per row much more
 * slowly than a literal (a tuple makes acl.containing about a third faster).
 */
export function decodeAclRow(raw: unknown): AclRow {
  const t = tupleOf(raw, T, WIDTH);
  return {
    id: int(t[0], T, 'id'),
    kind: oneOf(t[1], KINDS, T, 'kind'),
    account_id: intOrNull(t[2], T, 'account_id'),
    group_id: intOrNull(t[3], T, 'group_id'),
    ip: text(t[4], T, 'ip'),
    family: ipFamily(t[5], T, 'family'),
    prefix_len: int(t[6], T, 'prefix_len'),
    range_start: blob(t[7], T, 'range_start'),
    range_end: blob(t[8], T, 'range_end'),
    user: textOrNull(t[9], T, 'user'),
    port: intOrNull(t[10], T, 'port'),
    protocol: oneOfOrNull(t[11], PROTOCOLS, T, 'protocol'),
    comment: textOrNull(t[12], T, 'comment'),
    expires_at: intOrNull(t[13], T, 'expires_at'),
    force_key: textOrNull(t[14], T, 'force_key'),
    force_password: textOrNull(t[15], T, 'force_password'),
    added_by: text(t[16], T, 'added_by'),
    added_at: int(t[17], T, 'added_at'),
  };
}

const VIEW_COLUMNS = ['id', 'ip', 'user', 'port', 'protocol', 'comment', 'expires_at', 'force_key', 'force_password', 'added_by', 'added_at', 'group_id'] as const;

/**
 * A listing's row, read as a raw tuple in VIEW_COLUMNS' order like decodeAclRow's; what the
 * list's owner already says (kind, account) is not fetched again, and family and prefix length
 * are read off the address text.
 */
export function decodeAclView(raw: unknown, kind: AclKind, accountId: number | null): AclView {
  const t = tupleOf(raw, T, VIEW_COLUMNS.length);
  const ip = text(t[1], T, 'ip');
  const slash = ip.indexOf('/');
  const fam = ip.includes(':') ? 6 : 4;
  const prefixLen = slash === -1 ? (fam === 4 ? 32 : 128) : Number(ip.slice(slash + 1));
  if (!Number.isInteger(prefixLen)) throw new StoreRowError(T, 'ip', 'an address or a block', ip);
  return {
    id: int(t[0], T, 'id'),
    kind,
    account_id: accountId,
    group_id: intOrNull(t[11], T, 'group_id'),
    ip,
    family: fam,
    prefix_len: prefixLen,
    user: textOrNull(t[2], T, 'user'),
    port: intOrNull(t[3], T, 'port'),
    protocol: oneOfOrNull(t[4], PROTOCOLS, T, 'protocol'),
    comment: textOrNull(t[5], T, 'comment'),
    expires_at: intOrNull(t[6], T, 'expires_at'),
    force_key: textOrNull(t[7], T, 'force_key'),
    force_password: textOrNull(t[8], T, 'force_password'),
    added_by: text(t[9], T, 'added_by'),
    added_at: int(t[10], T, 'added_at'),
  };
}

export interface NewAclEntry {
  kind: AclKind;
  accountId: number | null;
  groupId: number | null;
  ip: string;
  family: 4 | 6;
  prefixLen: number;
  start: Buffer;
  end: Buffer;
  user: string | null;
  port: number | null;
  protocol: AclProtocol | null;
  comment: string | null;
  expiresAt: number | null;
  forceKey: string | null;
  forcePassword: string | null;
  addedBy: string;
  addedAt: number;
}

/** A live entry: no expiry, or one not yet past. */
const LIVE = '(expires_at IS NULL OR expires_at >= @now)';

/**
 * The read queries, exported so tests can check their plans (EXPLAIN QUERY PLAN) use the indexes.
 * The "IS NULL" terms repeat what the kind implies (CHECK constraint): with them the whole index
 * key is matched and rows come out in id order, so no sort is needed.
 */
export const ACL_SQL = {
  personal: `SELECT ${COLUMNS} FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND group_id IS NULL AND ${LIVE} ORDER BY id`,
  group: `SELECT ${COLUMNS} FROM acl_entries WHERE group_id = @g AND kind = 'group' AND account_id IS NULL AND ${LIVE} ORDER BY id`,
  guest: `SELECT ${COLUMNS} FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND ${LIVE} ORDER BY id`,
  guestCounts: `SELECT account_id, count(*) AS n FROM acl_entries WHERE group_id = @g AND kind = 'guest' AND ${LIVE} GROUP BY account_id`,
  /** Group entries of every group the account is a member of (selfListAccesses). */
  ofMemberGroups: `SELECT ${VIEW_COLUMNS.map((c) => `e.${c}`).join(', ')} FROM group_roles r CROSS JOIN acl_entries e ON e.group_id = r.group_id AND e.kind = 'group'
     WHERE r.account_id = @a AND r.role = 'member' AND (e.expires_at IS NULL OR e.expires_at >= @now) ORDER BY e.group_id, e.id`,
  guestOfAccount: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND ${LIVE} ORDER BY group_id, id`,
  groupView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE group_id = @g AND kind = 'group' AND account_id IS NULL AND ${LIVE} ORDER BY id`,
  personalView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND group_id IS NULL AND ${LIVE} ORDER BY id`,
  guestView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND ${LIVE} ORDER BY id`,
  containing: (n: number): string =>
    `SELECT ${COLUMNS} FROM acl_entries WHERE family = ? AND range_start IN (${Array(n).fill('?').join(', ')}) AND range_end >= ?
       AND (expires_at IS NULL OR expires_at >= ?)`,
} as const;

export interface AclReader {
  /** The live entries of one list, in the order they were added. */
  list(owner: AclOwner, now: number): AclRow[];
  /** Live guest entries per guest account of a group. */
  guestCounts(groupId: number, now: number): Map<number, number>;
  /** The same live entries as list(), without the range blobs: for listings. */
  view(owner: AclOwner, now: number): AclView[];
  /** Group entries of every group the account is a member of, by group then id. */
  ofMemberGroups(accountId: number, now: number): AclView[];
  /** The account's guest entries in every group, by group then id. */
  guestOfAccount(accountId: number, now: number): AclView[];
  /**
   * Live entries of any list whose block contains [start, end]: `starts` are the candidate
   * network addresses (candidateStarts in src/policy/aclAddress.ts).
   */
  containing(family: 4 | 6, starts: readonly Buffer[], end: Buffer, now: number): AclRow[];
}

export interface AclWriter {
  insert(e: NewAclEntry): number;
  remove(id: number): boolean;
  /** Deletes the expired rows of one list (housekeeping before a change to it). */
  dropExpired(owner: AclOwner, now: number): number;
  clearGroup(groupId: number): number;
  clearGuest(accountId: number, groupId: number): number;
}

export type AclQueries = AclReader & AclWriter;

export function aclQueries(db: DB): AclQueries {
  const insert = db.prepare(
    `INSERT INTO acl_entries (kind, account_id, group_id, ip, family, prefix_len, range_start, range_end, user, port, protocol,
       comment, expires_at, force_key, force_password, added_by, added_at)
     VALUES (@kind, @accountId, @groupId, @ip, @family, @prefixLen, @start, @end, @user, @port, @protocol,
       @comment, @expiresAt, @forceKey, @forcePassword, @addedBy, @addedAt)`,
  );
  const remove = db.prepare<[number]>('DELETE FROM acl_entries WHERE id = ?');
  const personal = db.prepare<{ a: number; now: number }, unknown>(ACL_SQL.personal).raw(true);
  const ofGroup = db.prepare<{ g: number; now: number }, unknown>(ACL_SQL.group).raw(true);
  const guest = db.prepare<{ a: number; g: number; now: number }, unknown>(ACL_SQL.guest).raw(true);
  const guestCounts = db.prepare<{ g: number; now: number }, unknown>(ACL_SQL.guestCounts);
  const ofMemberGroups = db.prepare<{ a: number; now: number }, unknown>(ACL_SQL.ofMemberGroups).raw(true);
  const guestOfAccount = db.prepare<{ a: number; now: number }, unknown>(ACL_SQL.guestOfAccount).raw(true);
  const groupView = db.prepare<{ g: number; now: number }, unknown>(ACL_SQL.groupView).raw(true);
  const personalView = db.prepare<{ a: number; now: number }, unknown>(ACL_SQL.personalView).raw(true);
  const guestView = db.prepare<{ a: number; g: number; now: number }, unknown>(ACL_SQL.guestView).raw(true);
  const dropExpiredOf = {
    personal: db.prepare<{ a: number; now: number }>(`DELETE FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND expires_at < @now`),
    group: db.prepare<{ g: number; now: number }>(`DELETE FROM acl_entries WHERE group_id = @g AND kind = 'group' AND expires_at < @now`),
    guest: db.prepare<{ a: number; g: number; now: number }>(`DELETE FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND expires_at < @now`),
  };
  const clearGroup = db.prepare<[number]>(`DELETE FROM acl_entries WHERE group_id = ? AND kind = 'group'`);
  const clearGuest = db.prepare<[number, number]>(`DELETE FROM acl_entries WHERE account_id = ? AND group_id = ? AND kind = 'guest'`);

  // "Which live entries contain this block": one probe of acl_by_range per possible network start.
  // The IN list has 1 to 129 members; statements are prepared once per list length.
  const containingByCount = new Map<number, Statement<unknown[], unknown>>();
  const containingStmt = (n: number): Statement<unknown[], unknown> => {
    let s = containingByCount.get(n);
    if (!s) {
      s = db.prepare<unknown[], unknown>(ACL_SQL.containing(n)).raw(true);
      containingByCount.set(n, s);
    }
    return s;
  };

  return {
    insert: (e) => Number(insert.run(e).lastInsertRowid),
    remove: (id) => remove.run(id).changes === 1,
    list(owner, now) {
      switch (owner.kind) {
        case 'personal':
          return personal.all({ a: owner.accountId, now }).map(decodeAclRow);
        case 'group':
          return ofGroup.all({ g: owner.groupId, now }).map(decodeAclRow);
        case 'guest':
          return guest.all({ a: owner.accountId, g: owner.groupId, now }).map(decodeAclRow);
      }
    },
    dropExpired(owner, now) {
      switch (owner.kind) {
        case 'personal':
          return dropExpiredOf.personal.run({ a: owner.accountId, now }).changes;
        case 'group':
          return dropExpiredOf.group.run({ g: owner.groupId, now }).changes;
        case 'guest':
          return dropExpiredOf.guest.run({ a: owner.accountId, g: owner.groupId, now }).changes;
      }
    },
    guestCounts: (groupId, now) => {
      const out = new Map<number, number>();
      for (const raw of guestCounts.all({ g: groupId, now })) {
        const r = rowOf(raw, T);
        out.set(int(r.account_id, T, 'account_id'), int(r.n, T, 'count(*)'));
      }
      return out;
    },
    view(owner, now) {
      switch (owner.kind) {
        case 'personal':
          return personalView.all({ a: owner.accountId, now }).map((t) => decodeAclView(t, 'personal', owner.accountId));
        case 'group':
          return groupView.all({ g: owner.groupId, now }).map((t) => decodeAclView(t, 'group', null));
        case 'guest':
          return guestView.all({ a: owner.accountId, g: owner.groupId, now }).map((t) => decodeAclView(t, 'guest', owner.accountId));
      }
    },
    ofMemberGroups: (accountId, now) => ofMemberGroups.all({ a: accountId, now }).map((t) => decodeAclView(t, 'group', null)),
    guestOfAccount: (accountId, now) => guestOfAccount.all({ a: accountId, now }).map((t) => decodeAclView(t, 'guest', accountId)),
    clearGroup: (groupId) => clearGroup.run(groupId).changes,
    clearGuest: (accountId, groupId) => clearGuest.run(accountId, groupId).changes,
    containing: (family, starts, end, now) =>
      starts.length === 0
        ? []
        : containingStmt(starts.length)
            .all(family, ...starts, end, now)
            .map(decodeAclRow),
  };
}
