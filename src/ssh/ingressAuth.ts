// Which stored ingress key, if any, lets a client in: the account must exist, the offered key must
// be one of its keys (constant-time blob comparison, matching type), allowed by the current
// algorithm and size policy, and the client address must pass the key's effective from= list.
// Unknown accounts go through the same steps against no keys, so both refusals cost the same.
import crypto from 'node:crypto';
import type { BastionConfig } from '../config/schema.js';
import { addressMatchesFromList, effectiveFromList } from '../keys/fromList.js';
import type { AccountRow } from '../store/accounts.js';
import type { IngressKeyRow } from '../store/ingressKeys.js';
import type { Store } from '../store/store.js';

export interface KeyMatch {
  readonly account: AccountRow;
  readonly key: IngressKeyRow;
}

export type MatchFailure = 'no-such-key' | 'from-refused' | 'policy-refused';

const FAMILY_OF: Record<string, string> = {
  'ssh-rsa': 'rsa',
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'ecdsa-sha2-nistp384': 'ecdsa',
  'ecdsa-sha2-nistp521': 'ecdsa',
};

export function matchIngressKey(
  store: Store,
  config: BastionConfig,
  username: string,
  offered: { algo: string; data: Buffer },
  peerIp: string,
): { ok: true; match: KeyMatch } | { ok: false; why: MatchFailure } {
  const account = store.accounts.byName(username);
  const keys = account ? store.ingressKeys.forAccount(account.id) : [];
  let found: IngressKeyRow | undefined;
  for (const k of keys) {
    // Compare every key (no early exit) so the time spent doesn't tell which one matched.
    if (k.blob.length === offered.data.length && crypto.timingSafeEqual(k.blob, offered.data) && k.type === offered.algo) {
      found = k;
    }
  }
  if (!account || !found) return { ok: false, why: 'no-such-key' };
  const family = FAMILY_OF[found.type];
  if (!family || !config.allowedIngressSshAlgorithms.includes(family)) return { ok: false, why: 'policy-refused' };
  if (family === 'rsa' && found.size !== null && (found.size < config.minimumIngressRsaKeySize || found.size > config.maximumIngressRsaKeySize)) {
    return { ok: false, why: 'policy-refused' };
  }
  const own = found.from_list === null ? [] : (JSON.parse(found.from_list) as string[]);
  const allowed = effectiveFromList(own, config);
  if (allowed.length > 0 && !addressMatchesFromList(peerIp, allowed)) return { ok: false, why: 'from-refused' };
  return { ok: true, match: { account, key: found } };
}
