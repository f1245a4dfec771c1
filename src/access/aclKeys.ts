// The private keys a connection test may use: the group's keys for a group line, the account's
// personal egress keys for a personal line. Opened from the keyring only for the test, never kept.
import type { Keyring } from '../services/keyring.js';
import type { Store } from '../store/store.js';
import type { ProbeKey } from './aclProbe.js';

export function groupProbeKeys(store: Store, keyring: Keyring, groupId: number): ProbeKey[] {
  return store.groups.sealedKeys(groupId).map((k) => ({ fingerprint: k.fingerprint, privateKey: keyring.open(k.private_sealed).toString('utf8') }));
}

export function personalProbeKeys(store: Store, keyring: Keyring, accountId: number): ProbeKey[] {
  return store.egressKeys.sealedForAccount(accountId).map((k) => ({ fingerprint: k.fingerprint, privateKey: keyring.open(k.private_sealed).toString('utf8') }));
}
