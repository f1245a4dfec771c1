// Egress host keys an account has seen (The Bastion's per-account ~/.ssh/known_hosts): one row per
// (account, target address, port, key type), written on first use and checked on every connection.
import type { DB } from './db.js';

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

export function hostKeyQueries(db: DB) {
  const forTarget = db.prepare<[number, string, number], HostKeyRow>('SELECT * FROM egress_host_keys WHERE account_id = ? AND host = ? AND port = ? ORDER BY first_seen_at, type');
  const insert = db.prepare(
    `INSERT INTO egress_host_keys (account_id, host, port, type, fingerprint, blob, first_seen_at, last_seen_at)
     VALUES (@accountId, @host, @port, @type, @fingerprint, @blob, @at, @at)
     ON CONFLICT (account_id, host, port, type) DO NOTHING`,
  );
  const seen = db.prepare<[number, number, string, number, string]>('UPDATE egress_host_keys SET last_seen_at = ? WHERE account_id = ? AND host = ? AND port = ? AND type = ?');
  const forgetOne = db.prepare<[number, string, number]>('DELETE FROM egress_host_keys WHERE account_id = ? AND host = ? AND port = ?');
  const accountsFor = db.prepare<[string, number], { account_id: number }>('SELECT DISTINCT account_id FROM egress_host_keys WHERE host = ? AND port = ?');
  const forgetAll = db.prepare<[string, number]>('DELETE FROM egress_host_keys WHERE host = ? AND port = ?');
  const countFor = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM egress_host_keys WHERE account_id = ?');
  return {
    forTarget: (accountId: number, host: string, port: number): HostKeyRow[] => forTarget.all(accountId, host, port),
    /** Stores a key seen for the first time; a key of that type already stored is left as it is. */
    remember: (k: NewHostKey): boolean => insert.run(k).changes === 1,
    touch: (accountId: number, host: string, port: number, type: string, at: number): void => void seen.run(at, accountId, host, port, type),
    /** Forgets every key of one target for one account; returns how many were removed. */
    forget: (accountId: number, host: string, port: number): number => forgetOne.run(accountId, host, port).changes,
    /** Forgets one target's keys for every account; returns how many accounts had one. */
    forgetEverywhere: (host: string, port: number): number => {
      const n = accountsFor.all(host, port).length;
      forgetAll.run(host, port);
      return n;
    },
    countForAccount: (accountId: number): number => countFor.get(accountId)?.n ?? 0,
  };
}

export type HostKeyQueries = ReturnType<typeof hostKeyQueries>;
