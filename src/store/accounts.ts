// Queries about accounts and their settings. Statements are prepared once per store.
import type { AccountRow } from '../policy/records.js';
import type { DB } from './db.js';

export type { AccountRow };

export interface NewAccount {
  name: string;
  uid: number | null;
  comment: string | null;
  createdAt: number;
  createdBy: string;
  ttlSeconds: number | null;
}

export function accountQueries(db: DB) {
  const byName = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?');
  const byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?');
  const all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY name');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM accounts');
  const insert = db.prepare(
    `INSERT INTO accounts (name, uid, comment, created_at, created_by, ttl_seconds)
     VALUES (@name, @uid, @comment, @createdAt, @createdBy, @ttlSeconds)`,
  );
  const remove = db.prepare<[number]>('DELETE FROM accounts WHERE id = ?');
  const uidTaken = db.prepare<[number], { id: number }>('SELECT id FROM accounts WHERE uid = ?');
  const uidsDesc = db.prepare<[number, number], { uid: number }>('SELECT uid FROM accounts WHERE uid BETWEEN ? AND ? ORDER BY uid DESC');
  const touch = db.prepare<[number, string, number]>('UPDATE accounts SET last_activity_at = ?, last_activity_from = ? WHERE id = ?');
  const freeze = db.prepare<[number | null, string | null, string | null, number]>('UPDATE accounts SET frozen_at = ?, frozen_by = ?, frozen_reason = ? WHERE id = ?');
  const getSettings = db.prepare<[number], { key: string; value: string }>('SELECT key, value FROM account_settings WHERE account_id = ?');
  const setSetting = db.prepare<[number, string, string]>(
    `INSERT INTO account_settings (account_id, key, value) VALUES (?, ?, ?)
     ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value`,
  );
  const delSetting = db.prepare<[number, string]>('DELETE FROM account_settings WHERE account_id = ? AND key = ?');
  const everySetting = db.prepare<[], { account_id: number; key: string; value: string }>('SELECT account_id, key, value FROM account_settings');

  return {
    byName: (name: string): AccountRow | undefined => byName.get(name),
    byId: (id: number): AccountRow | undefined => byId.get(id),
    all: (): AccountRow[] => all.all(),
    count: (): number => count.get()?.n ?? 0,
    insert: (a: NewAccount): number => Number(insert.run(a).lastInsertRowid),
    remove: (id: number): boolean => remove.run(id).changes === 1,
    uidTaken: (uid: number): boolean => uidTaken.get(uid) !== undefined,
    /** The uids in use in [min, max], highest first (uid-auto takes the highest free one). */
    uidsBetweenDesc: (min: number, max: number): number[] => uidsDesc.all(min, max).map((r) => r.uid),
    touch: (id: number, at: number, from: string): void => void touch.run(at, from, id),
    setFrozen: (id: number, f: { at: number; by: string; reason: string | null } | null): void => void freeze.run(f?.at ?? null, f?.by ?? null, f?.reason ?? null, id),
    settings: (id: number): Map<string, string> => new Map(getSettings.all(id).map((r) => [r.key, r.value])),
    setSetting: (id: number, key: string, value: string): void => void setSetting.run(id, key, value),
    /** Whether a row was removed. */
    deleteSetting: (id: number, key: string): boolean => delSetting.run(id, key).changes === 1,
    /** Every account's settings in one query, for listings over all accounts. */
    allSettings: (): Map<number, Map<string, string>> => {
      const out = new Map<number, Map<string, string>>();
      for (const r of everySetting.all()) {
        let m = out.get(r.account_id);
        if (!m) {
          m = new Map();
          out.set(r.account_id, m);
        }
        m.set(r.key, r.value);
      }
      return out;
    },
  };
}

export type AccountQueries = ReturnType<typeof accountQueries>;
