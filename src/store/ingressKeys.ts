// Queries about accounts' ingress (login) keys.
import type { DB } from './db.js';
import { blob, int, intOrNull, rowOf, text, textOrNull } from './decode.js';

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

export function decodeIngressKey(raw: unknown): IngressKeyRow {
  const r = rowOf(raw, T);
  return {
    id: int(r.id, T, 'id'),
    account_id: int(r.account_id, T, 'account_id'),
    type: text(r.type, T, 'type'),
    blob: blob(r.blob, T, 'blob'),
    size: intOrNull(r.size, T, 'size'),
    fingerprint: text(r.fingerprint, T, 'fingerprint'),
    comment: text(r.comment, T, 'comment'),
    options: text(r.options, T, 'options'),
    from_list: textOrNull(r.from_list, T, 'from_list'),
    created_at: int(r.created_at, T, 'created_at'),
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
  const forAccount = db.prepare<[number], unknown>(`SELECT ${COLUMNS} FROM ingress_keys WHERE account_id = ? ORDER BY id`);
  const insert = db.prepare(
    `INSERT INTO ingress_keys (account_id, type, blob, size, fingerprint, comment, options, from_list, created_at)
     VALUES (@accountId, @type, @blob, @size, @fingerprint, @comment, @options, @fromList, @createdAt)`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM ingress_keys WHERE account_id = ? AND id = ?');
  const byFingerprint = db.prepare<[number, string], unknown>(`SELECT ${COLUMNS} FROM ingress_keys WHERE account_id = ? AND fingerprint = ?`);
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
