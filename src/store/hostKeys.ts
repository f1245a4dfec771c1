// Egress host keys an account has seen (The Bastion's per-account ~/.ssh/known_hosts): one row per
// (account, target address, port, key type), written on first use and checked on every connection.
import type { DB } from './db.js';
import { blob, int, rowOf, text } from './decode.js';

export interface HostKeyRow {
  readonly account_id: number;
  /** The address connected to, canonical form (known_hosts lines name the IP The Bastion dialled). */
  readonly host: string;
  readonly port: number;
  /** The SSH key type, e.g. ssh-ed25519. */
  readonly type: string;
  /** SHA256:base64 of the key blob, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  readonly blob: Buffer;
  readonly first_seen_at: number;
  readonly last_seen_at: number;
}

export interface NewHostKey {
  accountId: number;
  host: string;
  port: number;
  type: string;
  fingerprint: string;
  blob: Buffer;
  at: number;
}

const T = 'egress_host_keys';
const COLUMNS = 'account_id, host, port, type, fingerprint, blob, first_seen_at, last_seen_at';

export function decodeHostKey(raw: unknown): HostKeyRow {
  const r = rowOf(raw, T);
  return {
    account_id: int(r.account_id, T, 'account_id'),
    host: text(r.host, T, 'host'),
    port: int(r.port, T, 'port'),
    type: text(r.type, T, 'type'),
    fingerprint: text(r.fingerprint, T, 'fingerprint'),
    blob: blob(r.blob, T, 'blob'),
    first_seen_at: int(r.first_seen_at, T, 'first_seen_at'),
    last_seen_at: int(r.last_seen_at, T, 'last_seen_at'),
  };
}

export interface HostKeyReader {
  /** The keys the account has stored for one target, first seen first. */
  forTarget(accountId: number, host: string, port: number): HostKeyRow[];
  countForAccount(accountId: number): number;
}

export interface HostKeyWriter {
  /** Stores a key seen for the first time; a key of that type already stored is left as it is. */
  remember(k: NewHostKey): boolean;
  touch(accountId: number, host: string, port: number, type: string, at: number): void;
  /** Forgets every key of one target for one account; returns how many were removed. */
  forget(accountId: number, host: string, port: number): number;
  /** Forgets one target's keys for every account; returns how many accounts had one. */
  forgetEverywhere(host: string, port: number): number;
}

export type HostKeyQueries = HostKeyReader & HostKeyWriter;

export function hostKeyQueries(db: DB): HostKeyQueries {
  const forTarget = db.prepare<[number, string, number], unknown>(
    `SELECT ${COLUMNS} FROM egress_host_keys WHERE account_id = ? AND host = ? AND port = ? ORDER BY first_seen_at, type`,
  );
  const insert = db.prepare(
    `INSERT INTO egress_host_keys (account_id, host, port, type, fingerprint, blob, first_seen_at, last_seen_at)
     VALUES (@accountId, @host, @port, @type, @fingerprint, @blob, @at, @at)
     ON CONFLICT (account_id, host, port, type) DO NOTHING`,
  );
  const seen = db.prepare<[number, number, string, number, string]>('UPDATE egress_host_keys SET last_seen_at = ? WHERE account_id = ? AND host = ? AND port = ? AND type = ?');
  const forgetOne = db.prepare<[number, string, number]>('DELETE FROM egress_host_keys WHERE account_id = ? AND host = ? AND port = ?');
  const accountsFor = db.prepare<[string, number], unknown>('SELECT DISTINCT account_id FROM egress_host_keys WHERE host = ? AND port = ?');
  const forgetAll = db.prepare<[string, number]>('DELETE FROM egress_host_keys WHERE host = ? AND port = ?');
  const countFor = db.prepare<[number], unknown>('SELECT count(*) FROM egress_host_keys WHERE account_id = ?').pluck();
  return {
    forTarget: (accountId, host, port) => forTarget.all(accountId, host, port).map(decodeHostKey),
    remember: (k) => insert.run(k).changes === 1,
    touch: (accountId, host, port, type, at) => void seen.run(at, accountId, host, port, type),
    forget: (accountId, host, port) => forgetOne.run(accountId, host, port).changes,
    forgetEverywhere: (host, port) => {
      const n = accountsFor.all(host, port).length;
      forgetAll.run(host, port);
      return n;
    },
    countForAccount: (accountId) => int(countFor.get(accountId), T, 'count(*)'),
  };
}
