// Queries about access-list entries: an account's personal accesses, a group's servers and a
// guest's per-server accesses to a group, all in one table. "Live" entries are those without an
// expiry or whose expiry is not yet past (The Bastion skips a line once EXPIRY < now); expired
// rows stay until the next change to the same list removes them, and no query returns them.
import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';

import type { AclKind, AclOwner, AclProtocol, AclRow, AclView } from '../policy/records.js';

export type { AclKind, AclOwner, AclProtocol, AclRow, AclView };

const VIEW_COLUMNS = ['id', 'ip', 'user', 'port', 'protocol', 'comment', 'expires_at', 'force_key', 'force_password', 'added_by', 'added_at', 'group_id'] as const;
type ViewTuple = [number, string, string | null, number | null, AclProtocol | null, string | null, number | null, string | null, string | null, string, number, number | null];

// Raw rows mapped by hand (better-sqlite3 builds an object per row much more slowly than a
// literal); what the list's owner already says (kind, account) is not fetched again.
function toView(t: ViewTuple, kind: AclKind, accountId: number | null): AclView {
  const ip = t[1];
  const slash = ip.indexOf('/');
  const family = ip.includes(':') ? 6 : 4;
  return {
    id: t[0],
    kind,
    account_id: accountId,
    group_id: t[11],
    ip,
    family,
    prefix_len: slash === -1 ? (family === 4 ? 32 : 128) : Number(ip.slice(slash + 1)),
    user: t[2],
    port: t[3],
    protocol: t[4],
    comment: t[5],
    expires_at: t[6],
    force_key: t[7],
    force_password: t[8],
    added_by: t[9],
    added_at: t[10],
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

/** Who an entry belongs to: the list it is part of. */
const LIVE = '(expires_at IS NULL OR expires_at >= @now)';

/**
 * The read queries, exported so tests can check their plans (EXPLAIN QUERY PLAN) use the indexes.
 * The "IS NULL" terms repeat what the kind implies (CHECK constraint): with them the whole index
 * key is matched and rows come out in id order, so no sort is needed.
 */
export const ACL_SQL = {
  personal: `SELECT * FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND group_id IS NULL AND ${LIVE} ORDER BY id`,
  group: `SELECT * FROM acl_entries WHERE group_id = @g AND kind = 'group' AND account_id IS NULL AND ${LIVE} ORDER BY id`,
  guest: `SELECT * FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND ${LIVE} ORDER BY id`,
  guestCounts: `SELECT account_id, count(*) AS n FROM acl_entries WHERE group_id = @g AND kind = 'guest' AND ${LIVE} GROUP BY account_id`,
  /** Group entries of every group the account is a member of (selfListAccesses). */
  ofMemberGroups: `SELECT ${VIEW_COLUMNS.map((c) => `e.${c}`).join(', ')} FROM group_roles r CROSS JOIN acl_entries e ON e.group_id = r.group_id AND e.kind = 'group'
     WHERE r.account_id = @a AND r.role = 'member' AND (e.expires_at IS NULL OR e.expires_at >= @now) ORDER BY e.group_id, e.id`,
  guestOfAccount: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND ${LIVE} ORDER BY group_id, id`,
  groupView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE group_id = @g AND kind = 'group' AND account_id IS NULL AND ${LIVE} ORDER BY id`,
  personalView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND group_id IS NULL AND ${LIVE} ORDER BY id`,
  guestView: `SELECT ${VIEW_COLUMNS.join(', ')} FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND ${LIVE} ORDER BY id`,
  containing: (n: number): string =>
    `SELECT * FROM acl_entries WHERE family = ? AND range_start IN (${Array(n).fill('?').join(', ')}) AND range_end >= ?
       AND (expires_at IS NULL OR expires_at >= ?)`,
} as const;

export function aclQueries(db: DB) {
  const insert = db.prepare(
    `INSERT INTO acl_entries (kind, account_id, group_id, ip, family, prefix_len, range_start, range_end, user, port, protocol,
       comment, expires_at, force_key, force_password, added_by, added_at)
     VALUES (@kind, @accountId, @groupId, @ip, @family, @prefixLen, @start, @end, @user, @port, @protocol,
       @comment, @expiresAt, @forceKey, @forcePassword, @addedBy, @addedAt)`,
  );
  const remove = db.prepare<[number]>('DELETE FROM acl_entries WHERE id = ?');
  const personal = db.prepare<{ a: number; now: number }, AclRow>(ACL_SQL.personal);
  const ofGroup = db.prepare<{ g: number; now: number }, AclRow>(ACL_SQL.group);
  const guest = db.prepare<{ a: number; g: number; now: number }, AclRow>(ACL_SQL.guest);
  const guestCounts = db.prepare<{ g: number; now: number }, { account_id: number; n: number }>(ACL_SQL.guestCounts);
  const ofMemberGroups = db.prepare<{ a: number; now: number }, ViewTuple>(ACL_SQL.ofMemberGroups).raw(true);
  const guestOfAccount = db.prepare<{ a: number; now: number }, ViewTuple>(ACL_SQL.guestOfAccount).raw(true);
  const groupView = db.prepare<{ g: number; now: number }, ViewTuple>(ACL_SQL.groupView).raw(true);
  const personalView = db.prepare<{ a: number; now: number }, ViewTuple>(ACL_SQL.personalView).raw(true);
  const guestView = db.prepare<{ a: number; g: number; now: number }, ViewTuple>(ACL_SQL.guestView).raw(true);
  const dropExpiredOf = {
    personal: db.prepare<{ a: number; now: number }>(`DELETE FROM acl_entries WHERE account_id = @a AND kind = 'personal' AND expires_at < @now`),
    group: db.prepare<{ g: number; now: number }>(`DELETE FROM acl_entries WHERE group_id = @g AND kind = 'group' AND expires_at < @now`),
    guest: db.prepare<{ a: number; g: number; now: number }>(`DELETE FROM acl_entries WHERE account_id = @a AND kind = 'guest' AND group_id = @g AND expires_at < @now`),
  };
  const clearGroup = db.prepare<[number]>(`DELETE FROM acl_entries WHERE group_id = ? AND kind = 'group'`);
  const clearGuest = db.prepare<[number, number]>(`DELETE FROM acl_entries WHERE account_id = ? AND group_id = ? AND kind = 'guest'`);

  // "Which live entries contain this block": one probe of acl_by_range per possible network start.
  // The IN list has 1 to 129 members; statements are prepared once per list length.
  const containingByCount = new Map<number, Statement<unknown[], AclRow>>();
  const containingStmt = (n: number): Statement<unknown[], AclRow> => {
    let s = containingByCount.get(n);
    if (!s) {
      s = db.prepare<unknown[], AclRow>(ACL_SQL.containing(n));
      containingByCount.set(n, s);
    }
    return s;
  };

  return {
    insert: (e: NewAclEntry): number => Number(insert.run(e).lastInsertRowid),
    remove: (id: number): boolean => remove.run(id).changes === 1,
    /** The live entries of one list, in the order they were added. */
    list(owner: AclOwner, now: number): AclRow[] {
      switch (owner.kind) {
        case 'personal':
          return personal.all({ a: owner.accountId, now });
        case 'group':
          return ofGroup.all({ g: owner.groupId, now });
        case 'guest':
          return guest.all({ a: owner.accountId, g: owner.groupId, now });
      }
    },
    /** Deletes the expired rows of one list (housekeeping before a change to it). */
    dropExpired(owner: AclOwner, now: number): number {
      switch (owner.kind) {
        case 'personal':
          return dropExpiredOf.personal.run({ a: owner.accountId, now }).changes;
        case 'group':
          return dropExpiredOf.group.run({ g: owner.groupId, now }).changes;
        case 'guest':
          return dropExpiredOf.guest.run({ a: owner.accountId, g: owner.groupId, now }).changes;
      }
    },
    /** Live guest entries per guest account of a group. */
    guestCounts: (groupId: number, now: number): Map<number, number> => new Map(guestCounts.all({ g: groupId, now }).map((r) => [r.account_id, r.n])),
    /** The same live entries as list(), without the range blobs: for listings. */
    view(owner: AclOwner, now: number): AclView[] {
      switch (owner.kind) {
        case 'personal':
          return personalView.all({ a: owner.accountId, now }).map((t) => toView(t, 'personal', owner.accountId));
        case 'group':
          return groupView.all({ g: owner.groupId, now }).map((t) => toView(t, 'group', null));
        case 'guest':
          return guestView.all({ a: owner.accountId, g: owner.groupId, now }).map((t) => toView(t, 'guest', owner.accountId));
      }
    },
    ofMemberGroups: (accountId: number, now: number): AclView[] => ofMemberGroups.all({ a: accountId, now }).map((t) => toView(t, 'group', null)),
    guestOfAccount: (accountId: number, now: number): AclView[] => guestOfAccount.all({ a: accountId, now }).map((t) => toView(t, 'guest', accountId)),
    clearGroup: (groupId: number): number => clearGroup.run(groupId).changes,
    clearGuest: (accountId: number, groupId: number): number => clearGuest.run(accountId, groupId).changes,
    /**
     * Live entries of any list whose block contains [start, end]: `starts` are the candidate
     * network addresses (candidateStarts in src/access/aclAddress.ts).
     */
    containing: (family: 4 | 6, starts: readonly Buffer[], end: Buffer, now: number): AclRow[] =>
      starts.length === 0 ? [] : containingStmt(starts.length).all(family, ...starts, end, now),
  };
}

export type AclQueries = ReturnType<typeof aclQueries>;
