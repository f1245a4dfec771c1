// Whether an authentication attempt lets a client in: the account must exist, the offered key
// must be one of its keys (constant-time blob comparison, matching type), allowed by the current
// algorithm and size policy, the client address must pass the key's effective from= list, and a
// signed attempt's signature must verify.
//
// Account existence must not show in the time a refusal takes. An unknown name runs the very
// same steps as a known one, against a stand-in account: the first of adminAccounts, a real
// stored account with real keys. Both paths make one account lookup that finds a row and one
// that does not (a known name, then a name no account can have; an unknown name, then the
// stand-in), then read one account's keys, compare the offered key with each of them, and every
// signed attempt costs one signature verification, against the key found or, when none is,
// against the offered key itself (the same work as for a match). So an unknown name costs what
// a known account with the stand-in's number of keys costs. `work` reports what ran, so tests
// can show both paths did the same without timing anything.
import crypto from 'node:crypto';
import ssh2 from 'ssh2';
import type { BastionConfig } from '../config/schema.js';
import { addressMatchesFromList, effectiveFromList } from '../policy/fromList.js';
import { honourKeyOptions } from '../keys/authorizedOptions.js';
import { isOk } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import type { IngressKeyRow } from '../store/ingressKeys.js';
import type { StoreReader } from '../store/store.js';
const { utils } = ssh2;

export interface KeyMatch {
  readonly account: AccountRow;
  readonly key: IngressKeyRow;
}

export type MatchFailure = 'no-such-key' | 'from-refused' | 'policy-refused' | 'key-options-refused' | 'rsa-sha1' | 'bad-signature';

export interface IngressAttempt {
  readonly username: string;
  readonly algo: string;
  readonly data: Buffer;
  /** What the client signed; absent for a query ("would this key do?"). */
  readonly signed?: { readonly blob: Buffer; readonly signature: Buffer; readonly hashAlgo: string | undefined };
}

/** What an attempt cost: the same for a known and an unknown account (see the top of this file). */
export interface AuthWork {
  readonly lookups: number;
  readonly compared: number;
  readonly verified: number;
}

export type AttemptVerdict = ({ ok: true; match: KeyMatch } | { ok: false; why: MatchFailure }) & { readonly work: AuthWork };

const FAMILY_OF: Record<string, string> = {
  'ssh-rsa': 'rsa',
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa',
  'ecdsa-sha2-nistp384': 'ecdsa',
  'ecdsa-sha2-nistp521': 'ecdsa',
};

/** Row ids start at 1, and account names are never empty: lookups that cost a lookup and find nothing. */
const NO_ACCOUNT_ID = 0;
const NO_ACCOUNT_NAME = '';

interface Candidate {
  readonly type: string;
  readonly blob: Buffer;
}

/** The account (if the name is known) and the keys an attempt is compared against (see the top of this file). */
function candidateKeys(
  store: StoreReader,
  config: BastionConfig,
  username: string,
  offered: { algo: string; data: Buffer },
): { account: AccountRow | undefined; keys: readonly Candidate[]; lookups: number } {
  const account = store.accounts.byName(username);
  const standIn = store.accounts.byName(account ? NO_ACCOUNT_NAME : (config.adminAccounts[0] ?? NO_ACCOUNT_NAME));
  const rows: readonly Candidate[] = store.ingressKeys.forAccount((account ?? standIn)?.id ?? NO_ACCOUNT_ID);
  // No keys at all (an account whose keys were all removed, no stand-in): still one comparison,
  // with a zero-filled blob that never equals a key blob (those start with a length prefix).
  return { account, keys: rows.length > 0 ? rows : [{ type: offered.algo, blob: Buffer.alloc(offered.data.length) }], lookups: 3 };
}

/** The key among `keys` equal to the offered one; every key is compared (no early exit). */
function findKey<K extends Candidate>(keys: readonly K[], offered: { algo: string; data: Buffer }): { found: K | undefined; compared: number } {
  let found: K | undefined;
  let compared = 0;
  for (const k of keys) {
    compared++;
    if (k.blob.length === offered.data.length && crypto.timingSafeEqual(k.blob, offered.data) && k.type === offered.algo) found = k;
  }
  return { found, compared };
}

function signatureVerifies(key: Candidate, signed: NonNullable<IngressAttempt['signed']>): boolean {
  const pub = utils.parseKey(`${key.type} ${key.blob.toString('base64')}`);
  return !(pub instanceof Error) && !Array.isArray(pub) && pub.verify(signed.blob, signed.signature, signed.hashAlgo) === true;
}

export function checkIngressAttempt(store: StoreReader, config: BastionConfig, attempt: IngressAttempt, peerIp: string): AttemptVerdict {
  const offered = { algo: attempt.algo, data: attempt.data };
  const { account, keys, lookups } = candidateKeys(store, config, attempt.username, offered);
  const { found, compared } = findKey(keys, offered);
  const verified = attempt.signed ? signatureVerifies(found ?? { type: offered.algo, blob: offered.data }, attempt.signed) : false;
  const work: AuthWork = { lookups, compared, verified: attempt.signed ? 1 : 0 };
  // The stand-in's keys can match (someone offering its key under an unknown name): still no.
  if (!account || !found) return { ok: false, why: 'no-such-key', work };
  // A known account's candidates are its own rows (the zero-filled stand-in blob never matches).
  const key = found as IngressKeyRow;
  const checked = keyAllowed({ account, key }, config, peerIp, attempt.signed, verified);
  return checked === null ? { ok: true, match: { account, key }, work } : { ok: false, why: checked, work };
}

/**
 * The signed attempt that follows an accepted query for the same key reuses that query's match
 * (the key was looked up a moment ago; existence was answered by the query itself): the policy
 * is checked again and the signature verified.
 */
export function checkSignedAfterQuery(match: KeyMatch, config: BastionConfig, signed: NonNullable<IngressAttempt['signed']>, peerIp: string): AttemptVerdict {
  const verified = signatureVerifies(match.key, signed);
  const checked = keyAllowed(match, config, peerIp, signed, verified);
  const work: AuthWork = { lookups: 0, compared: 0, verified: 1 };
  return checked === null ? { ok: true, match, work } : { ok: false, why: checked, work };
}

/** Algorithm and size policy, from= list, then (signed attempts) SHA-1 RSA and the signature. */
function keyAllowed(match: KeyMatch, config: BastionConfig, peerIp: string, signed: IngressAttempt['signed'], verified: boolean): MatchFailure | null {
  const { key } = match;
  const family = FAMILY_OF[key.type];
  if (!family || !config.allowedIngressSshAlgorithms.includes(family)) return 'policy-refused';
  if (family === 'rsa' && key.size !== null && (key.size < config.minimumIngressRsaKeySize || key.size > config.maximumIngressRsaKeySize)) return 'policy-refused';
  const own = ownFromList(key);
  if (own === null) return 'key-options-refused';
  const allowed = effectiveFromList(own, config);
  if (allowed.length > 0 && !addressMatchesFromList(peerIp, allowed)) return 'from-refused';
  if (!signed) return null;
  // RSA: a SHA-1 signature (no hashAlgo) is refused, only rsa-sha2-256/512.
  if (family === 'rsa' && signed.hashAlgo !== 'sha256' && signed.hashAlgo !== 'sha512') return 'rsa-sha1';
  return verified ? null : 'bad-signature';
}

/**
 * The key's own from= entries, or null when its stored options can't be honoured. Keys stored before
 * the options were read as OpenSSH reads them kept their raw options with no from= list when the
 * from= was not first or not lower-case (`no-pty,FROM="…"`): their options are read again at every
 * login, so that a restriction written then is applied now, and a key whose options Gatehouse can't
 * honour is refused instead of letting them go. Keys stored since hold the options as honoured.
 */
function ownFromList(key: IngressKeyRow): readonly string[] | null {
  const stored = key.from_list === null ? [] : (JSON.parse(key.from_list) as string[]);
  if (key.options === '') return stored;
  const honoured = honourKeyOptions(key.options);
  if (!isOk(honoured)) return null;
  return stored.length > 0 ? stored : honoured.value.fromList;
}
