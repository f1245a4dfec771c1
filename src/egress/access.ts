// The access decision as the egress path needs it: which accesses allow user@ip:port for this
// account, and the egress keys each one brings, in The Bastion's order (is_access_granted, then
// get_details_from_access_array in bin/shell/osh.pl). The decision itself is src/access/decision.ts;
// this module only shapes its answer for connecting and for the "will try" listing.
import type { GrantType, NetworkPolicy } from '../policy/decision.js';
import type { Store } from '../store/store.js';

export interface GrantKey {
  readonly fingerprint: string;
  /** RSA, ECDSA or ED25519, as listings print it. */
  readonly family: string;
  readonly size: number;
  /** Seconds since the epoch (The Bastion prints the key file's mtime). */
  readonly createdAt: number;
  /** The private half, sealed by the keyring: opened only to connect. */
  readonly privateSealed: Buffer;
}

export interface AccessGrant {
  readonly type: GrantType;
  /** The group that grants it (group-member, group-guest), null for a personal access. */
  readonly group: string | null;
  /** The fingerprint an ACL line forces (--force-key), null when any key of that access may be used. */
  readonly forceKey: string | null;
  /** The keys to try for this access, forceKey already applied. */
  readonly keys: readonly GrantKey[];
}

export interface AccessQuery {
  readonly accountId: number;
  readonly ip: string;
  readonly port: number;
  readonly user: string;
  /** Seconds since the epoch (TTL'd lines stop granting once past). */
  readonly now: number;
}

export interface EgressDecision {
  /** Empty when nothing allows the connection. */
  readonly grants: readonly AccessGrant[];
  /** A refusal that says more than "access denied" (a forbidden network, …), null otherwise. */
  readonly msg: string | null;
}

export type AccessDecider = (store: Store, q: AccessQuery, policy: NetworkPolicy) => EgressDecision;

/** "ED25519" from "ssh-ed25519", "ECDSA" from "ecdsa-sha2-nistp256", "RSA" from "ssh-rsa". */
export function keyFamily(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-rsa') return 'RSA';
  return type.toUpperCase();
}
