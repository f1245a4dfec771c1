// Creating an account with its first ingress keys, its personal egress key and its settings, in
// one transaction: shared by accountCreate, `gatehouse setup-admin` and the first-start bootstrap.
// The uid rules are those of The Bastion's osh-accountCreate helper.
import { isOk, R, type Result } from '../kernel/result.js';
import type { PublicKeyInfo } from '../keys/publicKey.js';
import type { Store } from '../store/store.js';
import type { NewKeyPair } from '../store/egressKeys.js';
import type { BastionConfig } from '../config/schema.js';
import { VERSION } from '../kernel/version.js';
import { SETTING } from '../policy/settings.js';
import { checkEgressAlgoAndSize } from '../services/egressKeyGen.js';
import { newEgressKeyPair } from './keys.js';
import type { Keyring } from '../services/keyring.js';

export interface AccountSpec {
  readonly name: string;
  /** A fixed uid, or 'auto' for the highest free one in accountUidMin..accountUidMax. */
  readonly uid: number | 'auto';
  readonly comment: string | null;
  readonly createdBy: string;
  readonly ttlSeconds: number | null;
  readonly keys: readonly PublicKeyInfo[];
  readonly settings: Readonly<Record<string, string>>;
  readonly nowSec: number;
  /** The personal egress key pair, generated and sealed beforehand (generation is async). */
  readonly egressKey?: NewKeyPair;
}

/**
 * The personal egress key pair every new account gets (defaultAccountEgressKeyAlgorithm and
 * defaultAccountEgressKeySize), sealed for the store. Generated before the transaction: it is async.
 */
export async function newAccountEgressKey(config: BastionConfig, keyring: Keyring, account: string, nowSec: number): Promise<Result<NewKeyPair & { algo: string; size: number }>> {
  const algo = checkEgressAlgoAndSize(config, config.defaultAccountEgressKeyAlgorithm, config.defaultAccountEgressKeySize);
  if (!isOk(algo)) {
    return R(algo.code, { msg: `The default egress key settings of this bastion are not usable: ${algo.msg}` });
  }
  const pair = await newEgressKeyPair(config, keyring, account, algo.value, nowSec);
  return R('OK', { value: { ...pair, algo: algo.value.algo, size: algo.value.size } });
}

export function createAccount(store: Store, config: BastionConfig, spec: AccountSpec): Result<{ id: number; uid: number }> {
  return store.tx(() => {
    if (store.accounts.byName(spec.name)) {
      return R('KO_ALREADY_EXISTING', { msg: `The account ${spec.name} already exists` });
    }
    const uid = pickUid(store, config, spec.uid);
    if (!isOk(uid)) return R(uid.code, { msg: uid.msg });
    const id = store.accounts.insert({
      name: spec.name,
      uid: uid.value,
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
    if (spec.egressKey) store.egressKeys.insert({ ...spec.egressKey, accountId: id });
    store.accounts.setSetting(id, SETTING.creationBastionVersion, VERSION);
    for (const [key, value] of Object.entries(spec.settings)) store.accounts.setSetting(id, key, value);
    return R('OK', { value: { id, uid: uid.value } });
  });
}

/** A uid asked for must be free and within the configured range; 'auto' takes the highest free one. */
function pickUid(store: Store, config: BastionConfig, wanted: number | 'auto'): Result<number> {
  const { accountUidMin: min, accountUidMax: max } = config;
  if (wanted === 'auto') {
    const next = highestFreeUid(store, min, max);
    if (next === null) return R('ERR_UID_COLLISION', { msg: 'No available UID in the allowed range' });
    return R('OK', { value: next });
  }
  return uidAvailable(store, config, wanted);
}

/** Whether a fixed uid may be given to a new account: free (ERR_UID_COLLISION), then in range (ERR_UID_INVALID_RANGE). */
export function uidAvailable(store: Store, config: BastionConfig, uid: number): Result<number> {
  const { accountUidMin: min, accountUidMax: max } = config;
  if (store.accounts.uidTaken(uid)) return R('ERR_UID_COLLISION', { msg: `This UID (${uid}) is already taken` });
  if (uid < min || uid > max) return R('ERR_UID_INVALID_RANGE', { msg: `UID must be between ${min} and ${max}` });
  return R('OK', { value: uid });
}

/** The highest uid in [min, max] that no account uses, as The Bastion's get_next_available_uid. */
export function highestFreeUid(store: Store, min: number, max: number): number | null {
  let candidate = max;
  for (const used of store.accounts.uidsBetweenDesc(min, max)) {
    if (used === candidate) candidate--;
    else if (used < candidate) break;
  }
  return candidate >= min ? candidate : null;
}
