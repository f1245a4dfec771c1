// Queries about accounts and their settings. Statements are prepared once per store.
import type { AccountRow } from '../policy/records.js';
import type { DB } from './db.js';
import { decodeSetting, int, intOrNull, rowOf, text, textOrNull, tupleOf } from './decode.js';

export type { AccountRow };

export interface NewAccount {
  name: string;
  uid: number | null;
  comment: string | null;
  createdAt: number;
  createdBy: string;
  ttlSeconds: number | null;
}

const T = 'accounts';
const COLUMNS = 'id, name, uid, comment, created_at, created_by, ttl_seconds, last_activity_at, last_activity_from, frozen_at, frozen_by, frozen_reason';
const WIDTH = COLUMNS.split(', ').length;

/**
 * An account row, from a raw tuple in COLUMNS' order: the login reads one on every attempt and
 * every call re-reads the caller's, and better-sqlite3 hands over a tuple faster than an object.
 */
export function decodeAccount(raw: unknown): AccountRow {
  const t = tupleOf(raw, T, WIDTH);
  return {
    id: int(t[0], T, 'id'),
    name: text(t[1], T, 'name'),
    uid: intOrNull(t[2], T, 'uid'),
    comment: textOrNull(t[3], T, 'comment'),
    created_at: int(t[4], T, 'created_at'),
    created_by: text(t[5], T, 'created_by'),
    ttl_seconds: intOrNull(t[6], T, 'ttl_seconds'),
    last_activity_at: intOrNull(t[7], T, 'last_activity_at'),
    last_activity_from: textOrNull(t[8], T, 'last_activity_from'),
    frozen_at: intOrNull(t[9], T, 'frozen_at'),
    frozen_by: textOrNull(t[10], T, 'frozen_by'),
    frozen_reason: textOrNull(t[11], T, 'frozen_reason'),
  };
}

export interface AccountReader {
  byName(name: string): AccountRow | undefined;
  byId(id: number): AccountRow | undefined;
  /** Every account, by name. */
  all(): AccountRow[];
  count(): number;
  uidTaken(uid: number): boolean;
  /** The uids in use in [min, max], highest first (uid-auto takes the highest free one). */
  uidsBetweenDesc(min: number, max: number): number[];
  settings(id: number): Map<string, string>;
  /** Every account's settings in one query, for listings over all accounts. */
  allSettings(): Map<number, Map<string, string>>;
}

export interface AccountWriter {
  insert(a: NewAccount): number;
  remove(id: number): boolean;
  touch(id: number, at: number, from: string): void;
  setFrozen(id: number, f: { at: number; by: string; reason: string | null } | null): void;
  setSetting(id: number, key: string, value: string): void;
  /** Whether a row was removed. */
  deleteSetting(id: number, key: string): boolean;
}

export type AccountQueries = AccountReader & AccountWriter;

export function accountQueries(db: DB): AccountQueries {
  const byName = db.prepare<[string], unknown>(`SELECT ${COLUMNS} FROM accounts WHERE name = ?`).raw(true);
  const byId = db.prepare<[number], unknown>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`).raw(true);
  const all = db.prepare<[], unknown>(`SELECT ${COLUMNS} FROM accounts ORDER BY name`).raw(true);
  const count = db.prepare<[], unknown>('SELECT count(*) FROM accounts').pluck();
  const insert = db.prepare(
    `INSERT INTO accounts (name, uid, comment, created_at, created_by, ttl_seconds)
     VALUES (@name, @uid, @comment, @createdAt, @createdBy, @ttlSeconds)`,
  );
  const remove = db.prepare<[number]>('DELETE FROM accounts WHERE id = ?');
  const uidTaken = db.prepare<[number], unknown>('SELECT id FROM accounts WHERE uid = ?');
  const uidsDesc = db.prepare<[number, number], unknown>('SELECT uid FROM accounts WHERE uid BETWEEN ? AND ? ORDER BY uid DESC').pluck();
  const touch = db.prepare<[number, string, number]>('UPDATE accounts SET last_activity_at = ?, last_activity_from = ? WHERE id = ?');
  const freeze = db.prepare<[number | null, string | null, string | null, number]>('UPDATE accounts SET frozen_at = ?, frozen_by = ?, frozen_reason = ? WHERE id = ?');
  const getSettings = db.prepare<[number], unknown>('SELECT key, value FROM account_settings WHERE account_id = ?');
  const setSetting = db.prepare<[number, string, string]>(
    `INSERT INTO account_settings (account_id, key, value) VALUES (?, ?, ?)
     ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value`,
  );
  const delSetting = db.prepare<[number, string]>('DELETE FROM account_settings WHERE account_id = ? AND key = ?');
  const everySetting = db.prepare<[], unknown>('SELECT account_id, key, value FROM account_settings');

  const one = (raw: unknown): AccountRow | undefined => (raw === undefined ? undefined : decodeAccount(raw));
  return {
    byName: (name) => one(byName.get(name)),
    byId: (id) => one(byId.get(id)),
    all: () => all.all().map(decodeAccount),
    count: () => int(count.get(), T, 'count(*)'),
    insert: (a) => Number(insert.run(a).lastInsertRowid),
    remove: (id) => remove.run(id).changes === 1,
    uidTaken: (uid) => uidTaken.get(uid) !== undefined,
    uidsBetweenDesc: (min, max) => uidsDesc.all(min, max).map((v) => int(v, T, 'uid')),
    touch: (id, at, from) => void touch.run(at, from, id),
    setFrozen: (id, f) => void freeze.run(f?.at ?? null, f?.by ?? null, f?.reason ?? null, id),
    settings: (id) => new Map(getSettings.all(id).map((r) => decodeSetting(r, 'account_settings'))),
    setSetting: (id, key, value) => void setSetting.run(id, key, value),
    deleteSetting: (id, key) => delSetting.run(id, key).changes === 1,
    allSettings: () => {
      const out = new Map<number, Map<string, string>>();
      for (const raw of everySetting.all()) {
        const accountId = int(rowOf(raw, 'account_settings').account_id, 'account_settings', 'account_id');
        let m = out.get(accountId);
        if (!m) {
          m = new Map();
          out.set(accountId, m);
        }
        m.set(...decodeSetting(raw, 'account_settings'));
      }
      return out;
    },
  };
}
