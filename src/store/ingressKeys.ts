// Queries about accounts' ingress (login) keys.
import type { DB } from './db.js';
import { blob, int, intOrNull, text, textOrNull, tupleOf } from './decode.js';

export interface IngressKeyRow {
  readonly id: number;
  readonly account_id: number;
  readonly type: string;
  readonly blob: Buffer;
  readonly size: number | null;
  readonly fingerprint: string;
  readonly comment: string;
  readonly options: string;
  readonly from_list: string | null;
  readonly created_at: number;
}

export interface NewIngressKey {
  accountId: number;
  type: string;
  blob: Buffer;
  size: number | null;
  fingerprint: string;
  comment: string;
  options: string;
  fromList: readonly string[] | null;
  createdAt: number;
}

const T = 'ingress_keys';
const COLUMNS = 'id, account_id, type, blob, size, fingerprint, comment, options, from_list, created_at';
const WIDTH = COLUMNS.split(', ').length;

/**
 * An ingress key row, from a raw tuple in COLUMNS' order: the login reads an account's keys on
 * every attempt, and better-sqlite3 hands over a tuple faster than an object.
 */
export function decodeIngressKey(raw: unknown): IngressKeyRow {
  const t = tupleOf(raw, T, WIDTH);
  return {
    id: int(t[0], T, 'id'),
    account_id: int(t[1], T, 'account_id'),
    type: text(t[2], T, 'type'),
    blob: blob(t[3], T, 'blob'),
    size: intOrNull(t[4], T, 'size'),
    fingerprint: text(t[5], T, 'fingerprint'),
    comment: text(t[6], T, 'comment'),
    options: text(t[7], T, 'options'),
    from_list: textOrNull(t[8], T, 'from_list'),
    created_at: int(t[9], T, 'created_at'),
  };
}

export interface IngressKeyReader {
  /** The account's login keys, oldest first. */
  forAccount(accountId: number): IngressKeyRow[];
  byFingerprint(accountId: number, fp: string): IngressKeyRow | undefined;
}

export interface IngressKeyWriter {
  insert(k: NewIngressKey): number;
  remove(accountId: number, id: number): boolean;
}

export type IngressKeyQueries = IngressKeyReader & IngressKeyWriter;

export function ingressKeyQueries(db: DB): IngressKeyQueries {
  const forAccount = db.prepare<[number], unknown>(`SELECT ${COLUMNS} FROM ingress_keys WHERE account_id = ? ORDER BY id`).raw(true);
  const insert = db.prepare(
    `INSERT INTO ingress_keys (account_id, type, blob, size, fingerprint, comment, options, from_list, created_at)
     VALUES (@accountId, @type, @blob, @size, @fingerprint, @comment, @options, @fromList, @createdAt)`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM ingress_keys WHERE account_id = ? AND id = ?');
  const byFingerprint = db.prepare<[number, string], unknown>(`SELECT ${COLUMNS} FROM ingress_keys WHERE account_id = ? AND fingerprint = ?`).raw(true);
  return {
    forAccount: (accountId) => forAccount.all(accountId).map(decodeIngressKey),
    byFingerprint: (accountId, fp) => {
      const raw = byFingerprint.get(accountId, fp);
      return raw === undefined ? undefined : decodeIngressKey(raw);
    },
    insert: (k) => Number(insert.run({ ...k, fromList: k.fromList === null ? null : JSON.stringify(k.fromList) }).lastInsertRowid),
    remove: (accountId, id) => remove.run(accountId, id).changes === 1,
  };
}
