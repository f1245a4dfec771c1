// Creating an account with its first ingress keys and settings, in one transaction: shared by
// accountCreate, `gatehouse setup-admin` and the first-start bootstrap.
import { R, type Result } from '../result.js';
import type { PublicKeyInfo } from '../keys/publicKey.js';
import type { Store } from '../store/store.js';
import type { BastionConfig } from '../config/schema.js';

export interface AccountSpec {
  readonly name: string;
  /** A fixed uid, or 'auto' for the next free one in accountUidMin..accountUidMax. */
  readonly uid: number | 'auto';
  readonly comment: string | null;
  readonly createdBy: string;
  readonly ttlSeconds: number | null;
  readonly keys: readonly PublicKeyInfo[];
  readonly settings: Readonly<Record<string, string>>;
  readonly nowSec: number;
}

export function createAccount(store: Store, config: BastionConfig, spec: AccountSpec): Result<{ id: number; uid: number }> {
  return store.tx(() => {
    if (store.accounts.byName(spec.name)) {
      return R<{ id: number; uid: number }>('KO_ALREADY_EXISTING', { msg: `The account ${spec.name} already exists` });
    }
    let uid: number;
    if (spec.uid === 'auto') {
      const next = nextFreeUid(store, config);
      if (next === null) return R('KO_NO_FREE_UID', { msg: 'No free uid left in accountUidMin..accountUidMax' });
      uid = next;
    } else {
      if (store.accounts.uidTaken(spec.uid)) return R('KO_UID_TAKEN', { msg: `The uid ${spec.uid} is already used by another account` });
      uid = spec.uid;
    }
    const id = store.accounts.insert({
      name: spec.name,
      uid,
      comment: spec.comment,
      createdAt: spec.nowSec,
      createdBy: spec.createdBy,
      ttlSeconds: spec.ttlSeconds,
    });
    for (const k of spec.keys) {
      store.ingressKeys.insert({
        accountId: id,
        type: k.typecode,
        blob: k.blob,
        size: k.size,
        fingerprint: k.fingerprint,
        comment: k.comment,
        options: k.prefix,
        fromList: k.fromList.length > 0 ? k.fromList : null,
        createdAt: spec.nowSec,
      });
    }
    for (const [key, value] of Object.entries(spec.settings)) store.accounts.setSetting(id, key, value);
    return R('OK', { value: { id, uid } });
  });
}

function nextFreeUid(store: Store, config: BastionConfig): number | null {
  const max = store.accounts.maxUidBetween(config.accountUidMin, config.accountUidMax);
  const candidate = max === null ? config.accountUidMin : max + 1;
  if (candidate <= config.accountUidMax) return candidate;
  for (let uid = config.accountUidMin; uid <= config.accountUidMax; uid++) if (!store.accounts.uidTaken(uid)) return uid;
  return null;
}
