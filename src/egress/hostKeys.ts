// Trust on first use of target host keys, per account, with the account's StrictHostKeyChecking
// policy (accountModify --egress-strict-host-key-checking, values as ssh_config(5) plus The
// Bastion's 'bypass'). The key is identified by the SHA256 of its raw blob, as ssh-keygen prints it.
import { fingerprintOf } from '../keys/publicKey.js';
import type { Store } from '../store/store.js';
import { SETTING } from '../policy/settings.js';
import { HOST_KEY_ALGORITHMS_BY_TYPE } from '../services/sshClient.js';

/**
 * yes: only keys already known; accept-new: learn unknown hosts, refuse changed keys;
 * no: learn unknown hosts and connect despite a changed key (with a warning, the stored key kept);
 * ask: there is no prompt on the egress side, so it behaves as accept-new;
 * bypass: no checking and nothing stored (StrictHostKeyChecking=no + UserKnownHostsFile=/dev/null).
 */
export type StrictPolicy = 'yes' | 'accept-new' | 'no' | 'ask' | 'bypass';

const POLICIES: readonly StrictPolicy[] = ['yes', 'accept-new', 'no', 'ask', 'bypass'];

/** The account's policy; absent or 'default' means the bastion's default, trust on first use. */
export function strictPolicyOf(settings: ReadonlyMap<string, string>): StrictPolicy {
  const v = settings.get(SETTING.egressStrictHostKeyChecking);
  return POLICIES.find((p) => p === v) ?? 'accept-new';
}

export interface Target {
  readonly accountId: number;
  readonly host: string;
  readonly port: number;
}

export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly fingerprint: string; readonly type: string }
  | { readonly kind: 'learned'; readonly fingerprint: string; readonly type: string }
  | { readonly kind: 'unchecked'; readonly fingerprint: string; readonly type: string }
  | { readonly kind: 'unknown-refused'; readonly fingerprint: string; readonly type: string }
  | {
      readonly kind: 'changed';
      readonly accepted: boolean;
      readonly fingerprint: string;
      readonly type: string;
      /** The fingerprints on record for that target. */
      readonly expected: readonly string[];
    };

/** The key type a raw SSH public key blob starts with (RFC 4253 6.6: string type, then data). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return len > 0 && len < 64 && blob.length >= 4 + len ? blob.subarray(4, 4 + len).toString('latin1') : '';
}

export function checkHostKey(store: Store, target: Target, blob: Buffer, policy: StrictPolicy, nowSec: number): HostKeyVerdict {
  const fingerprint = fingerprintOf(blob);
  const type = blobType(blob);
  if (policy === 'bypass') return { kind: 'unchecked', fingerprint, type };
  const known = store.hostKeys.forTarget(target.accountId, target.host, target.port);
  const same = known.find((k) => k.type === type && k.blob.equals(blob));
  if (same) {
    store.hostKeys.touch(target.accountId, target.host, target.port, type, nowSec);
    return { kind: 'known', fingerprint, type };
  }
  // Any other key on record for this target, of this type or another one, means the target does
  // not present what it presented before: a key of a new type is no proof of identity either.
  if (known.length > 0) {
    return { kind: 'changed', accepted: policy === 'no', fingerprint, type, expected: known.map((k) => k.fingerprint) };
  }
  if (policy === 'yes') return { kind: 'unknown-refused', fingerprint, type };
  store.hostKeys.remember({ ...target, type, fingerprint, blob, at: nowSec });
  return { kind: 'learned', fingerprint, type };
}

/**
 * Host key algorithms to offer, the types already known for this target first (as OpenSSH does),
 * so a target with several host keys keeps presenting the one on record.
 */
export function hostKeyAlgorithms(store: Store, target: Target): string[] {
  const knownTypes = new Set(store.hostKeys.forTarget(target.accountId, target.host, target.port).map((k) => k.type));
  const first: string[] = [];
  const rest: string[] = [];
  for (const [type, algos] of HOST_KEY_ALGORITHMS_BY_TYPE) (knownTypes.has(type) ? first : rest).push(...algos);
  return [...first, ...rest];
}
