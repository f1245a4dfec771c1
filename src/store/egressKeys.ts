// Queries about accounts' personal egress keys (the key pairs the bastion uses, on an account's
// behalf, to reach targets). Listings read the public columns only: the sealed private key has its
// own query, meant for the egress code path, so a listing can't leak it by accident.
// The shape of a stored key pair is defined here once; group keys (groups.ts) add their owner to it.
import type { KeyPairRow } from '../policy/records.js';
import type { DB } from './db.js';

export type { KeyPairRow };

/** The public half of a stored key pair, personal or group: what listings see. */
/** Those columns, in both key tables (account_egress_keys and group_egress_keys). */
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

const PUBLIC_COLUMNS = `account_id, ${KEY_PAIR_COLUMNS}`;

export function egressKeyQueries(db: DB) {
  const forAccount = db.prepare<[number], EgressKeyRow>(`SELECT ${PUBLIC_COLUMNS} FROM account_egress_keys WHERE account_id = ? ORDER BY created_at, id`);
  const sealedForAccount = db.prepare<[number], SealedEgressKey>(`SELECT ${PUBLIC_COLUMNS}, private_sealed FROM account_egress_keys WHERE account_id = ? ORDER BY created_at, id`);
  const byFingerprint = db.prepare<[number, string], EgressKeyRow>(`SELECT ${PUBLIC_COLUMNS} FROM account_egress_keys WHERE account_id = ? AND fingerprint = ?`);
  const insert = db.prepare(
    `INSERT INTO account_egress_keys (account_id, type, size, fingerprint, base64, comment, private_sealed, created_at)
     VALUES (@accountId, @type, @size, @fingerprint, @base64, @comment, @privateSealed, @createdAt)`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM account_egress_keys WHERE account_id = ? AND id = ?');
  return {
    /** Public halves, oldest first (The Bastion lists key files in name order, which embeds the creation time). */
    forAccount: (accountId: number): EgressKeyRow[] => forAccount.all(accountId),
    /** With the sealed private halves: for the egress connection only, never for a listing. */
    sealedForAccount: (accountId: number): SealedEgressKey[] => sealedForAccount.all(accountId),
    byFingerprint: (accountId: number, fp: string): EgressKeyRow | undefined => byFingerprint.get(accountId, fp),
    insert: (k: NewEgressKey): number => Number(insert.run(k).lastInsertRowid),
    remove: (accountId: number, id: number): boolean => remove.run(accountId, id).changes === 1,
  };
}

export type EgressKeyQueries = ReturnType<typeof egressKeyQueries>;
