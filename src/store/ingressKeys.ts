// Queries about accounts' ingress (login) keys.
import type { DB } from './db.js';

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

export function ingressKeyQueries(db: DB) {
  const forAccount = db.prepare<[number], IngressKeyRow>('SELECT * FROM ingress_keys WHERE account_id = ? ORDER BY id');
  const insert = db.prepare(
    `INSERT INTO ingress_keys (account_id, type, blob, size, fingerprint, comment, options, from_list, created_at)
     VALUES (@accountId, @type, @blob, @size, @fingerprint, @comment, @options, @fromList, @createdAt)`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM ingress_keys WHERE account_id = ? AND id = ?');
  const byFingerprint = db.prepare<[number, string], IngressKeyRow>('SELECT * FROM ingress_keys WHERE account_id = ? AND fingerprint = ?');
  return {
    forAccount: (accountId: number): IngressKeyRow[] => forAccount.all(accountId),
    byFingerprint: (accountId: number, fp: string): IngressKeyRow | undefined => byFingerprint.get(accountId, fp),
    insert: (k: NewIngressKey): number => Number(insert.run({ ...k, fromList: k.fromList === null ? null : JSON.stringify(k.fromList) }).lastInsertRowid),
    remove: (accountId: number, id: number): boolean => remove.run(accountId, id).changes === 1,
  };
}

export type IngressKeyQueries = ReturnType<typeof ingressKeyQueries>;
