// Queries about accounts' personal egress keys (the key pairs the bastion uses, on an account's
// behalf, to reach targets). Listings read the public columns only: the sealed private key has its
// own query, meant for the egress code path, so a listing can't leak it by accident.
// The shape of a stored key pair is defined here once; group keys (groups.ts) add their owner to it.
import type { KeyPairRow } from '../policy/records.js';
import type { DB } from './db.js';
import { blob, int, rowOf, text } from './decode.js';

export type { KeyPairRow };

/** The columns of a key pair's public half, in both key tables (account_egress_keys and group_egress_keys). */
export const KEY_PAIR_COLUMNS = 'id, type, size, fingerprint, base64, comment, created_at';

/** A key pair to store, its private half sealed by the keyring; the owner is added per table. */
export interface NewKeyPair {
  type: string;
  size: number;
  fingerprint: string;
  base64: string;
  comment: string;
  privateSealed: Buffer;
  createdAt: number;
}

/** The public half of an account's egress key. */
export interface EgressKeyRow extends KeyPairRow {
  readonly account_id: number;
}

/** One key pair with its private half still sealed by the keyring (open it only to connect). */
export interface SealedEgressKey extends EgressKeyRow {
  readonly private_sealed: Buffer;
}

export interface NewEgressKey extends NewKeyPair {
  accountId: number;
}

/** The public half's columns of a row of either key table, already read as an object. */
export function decodeKeyPair(r: Readonly<Record<string, unknown>>, table: string): KeyPairRow {
  return {
    id: int(r.id, table, 'id'),
    type: text(r.type, table, 'type'),
    size: int(r.size, table, 'size'),
    fingerprint: text(r.fingerprint, table, 'fingerprint'),
    base64: text(r.base64, table, 'base64'),
    comment: text(r.comment, table, 'comment'),
    created_at: int(r.created_at, table, 'created_at'),
  };
}

const T = 'account_egress_keys';

export function decodeEgressKey(raw: unknown): EgressKeyRow {
  const r = rowOf(raw, T);
  return { account_id: int(r.account_id, T, 'account_id'), ...decodeKeyPair(r, T) };
}

export function decodeSealedEgressKey(raw: unknown): SealedEgressKey {
  const r = rowOf(raw, T);
  return { account_id: int(r.account_id, T, 'account_id'), ...decodeKeyPair(r, T), private_sealed: blob(r.private_sealed, T, 'private_sealed') };
}

const PUBLIC_COLUMNS = `account_id, ${KEY_PAIR_COLUMNS}`;

export interface EgressKeyReader {
  /** Public halves, oldest first (The Bastion lists key files in name order, which embeds the creation time). */
  forAccount(accountId: number): EgressKeyRow[];
  /** With the sealed private halves: for the egress connection only, never for a listing. */
  sealedForAccount(accountId: number): SealedEgressKey[];
  byFingerprint(accountId: number, fp: string): EgressKeyRow | undefined;
}

export interface EgressKeyWriter {
  insert(k: NewEgressKey): number;
  remove(accountId: number, id: number): boolean;
}

export type EgressKeyQueries = EgressKeyReader & EgressKeyWriter;

export function egressKeyQueries(db: DB): EgressKeyQueries {
  const forAccount = db.prepare<[number], unknown>(`SELECT ${PUBLIC_COLUMNS} FROM account_egress_keys WHERE account_id = ? ORDER BY created_at, id`);
  const sealedForAccount = db.prepare<[number], unknown>(`SELECT ${PUBLIC_COLUMNS}, private_sealed FROM account_egress_keys WHERE account_id = ? ORDER BY created_at, id`);
  const byFingerprint = db.prepare<[number, string], unknown>(`SELECT ${PUBLIC_COLUMNS} FROM account_egress_keys WHERE account_id = ? AND fingerprint = ?`);
  const insert = db.prepare(
    `INSERT INTO account_egress_keys (account_id, type, size, fingerprint, base64, comment, private_sealed, created_at)
     VALUES (@accountId, @type, @size, @fingerprint, @base64, @comment, @privateSealed, @createdAt)`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM account_egress_keys WHERE account_id = ? AND id = ?');
  return {
    forAccount: (accountId) => forAccount.all(accountId).map(decodeEgressKey),
    sealedForAccount: (accountId) => sealedForAccount.all(accountId).map(decodeSealedEgressKey),
    byFingerprint: (accountId, fp) => {
      const raw = byFingerprint.get(accountId, fp);
      return raw === undefined ? undefined : decodeEgressKey(raw);
    },
    insert: (k) => Number(insert.run(k).lastInsertRowid),
    remove: (accountId, id) => remove.run(accountId, id).changes === 1,
  };
}
