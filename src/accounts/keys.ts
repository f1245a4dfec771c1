// Ingress and egress keys as the self* and account* plugins show and change them, with The
// Bastion's value shapes (bin/plugin/open/selfListIngressKeys, selfAddIngressKey,
// selfDelIngressKey, selfListEgressKeys and lib/perl/OVH/Bastion/ssh.inc): one module so that
// "list my keys" and "list that account's keys" can't drift apart.
import crypto from 'node:crypto';
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import type { BastionConfig } from '../config/schema.js';
import { effectiveFromList } from '../policy/fromList.js';
import { checkEgressAlgoAndSize, generateKeyPair, sealedKeyPair, type EgressAlgo } from '../services/egressKeyGen.js';
import type { Keyring } from '../services/keyring.js';
import { checkKeyPolicy, keyLine, type KeyFamily, type PublicKeyInfo } from '../keys/publicKey.js';
import type { Terminal } from '../osh/terminal.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { EgressKeyRow, NewKeyPair } from '../store/egressKeys.js';
import type { IngressKeyRow } from '../store/ingressKeys.js';
import type { Store } from '../store/store.js';
import { isFlagOn, SETTING } from '../policy/settings.js';

/** Whether the account was created with --immutable-key (its own key plugins are refused). */
export function hasImmutableKey(store: Store, accountId: number): boolean {
  return isFlagOn(store.accounts.settings(accountId), SETTING.immutableKey);
}

export function ingressPolicy(config: BastionConfig): { allowed: readonly string[]; minRsa: number; maxRsa: number } {
  return { allowed: config.allowedIngressSshAlgorithms, minRsa: config.minimumIngressRsaKeySize, maxRsa: config.maximumIngressRsaKeySize };
}

export function familyOf(typecode: string): KeyFamily {
  if (typecode === 'ssh-rsa') return 'RSA';
  if (typecode === 'ssh-ed25519') return 'ED25519';
  return 'ECDSA';
}

/** The Bastion's id for a key that is not a numbered line of a file: 'id' + 8 hex digits of md5(line). */
export function lineId(line: string): string {
  return 'id' + crypto.createHash('md5').update(line).digest('hex').slice(0, 8);
}

function fromPrefix(list: readonly string[]): string {
  return list.length > 0 ? `from="${list.join(',')}"` : '';
}

/** A key's own from= entries: addresses and networks only, as The Bastion keeps them (is_valid_ip). */
export function checkOwnFromList(list: readonly string[]): Result<readonly string[]> {
  for (const entry of list) {
    if (!isAddressOrNetwork(entry)) {
      return R('ERR_INVALID_PARAMETER', {
        msg: `The from="…" entry '${entry}' is not an IP address or a network (hostnames and patterns are not accepted)`,
      });
    }
  }
  return R('OK', { value: list });
}

/** A dotted-quad IPv4 or an IPv6 address, optionally with a /prefix length (no shorthand forms like '10.1'). */
function isAddressOrNetwork(entry: string): boolean {
  const [addr = '', bits, ...more] = entry.split('/');
  if (more.length > 0) return false;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(addr);
  if (!v4 && !(addr.includes(':') && ipaddr.IPv6.isValid(addr))) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128);
}

// ---------------------------------------------------------------------------------------------
// Ingress keys

/** One ingress key as selfListIngressKeys / accountListIngressKeys show it. */
export interface IngressKeyView {
  typecode: string;
  base64: string;
  /** from="…" as it applies now (own list or ingressKeysFrom), '' when none. */
  prefix: string;
  fingerprint: string;
  /** Its position in the account's list, from 1 (The Bastion: its line in authorized_keys). */
  id: number;
  line: string;
  mtime: null;
  family: KeyFamily;
  comment: string;
  /** OK, or the code the current key policy refuses it with (it can't log in then). */
  validity: string;
  from_list: string[];
  size: number;
}

interface ListedKey {
  readonly row: IngressKeyRow;
  readonly view: IngressKeyView;
}

function ownFromList(row: IngressKeyRow): string[] {
  if (row.from_list === null) return [];
  const parsed: unknown = JSON.parse(row.from_list);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

function infoOfRow(row: IngressKeyRow): PublicKeyInfo {
  const own = ownFromList(row);
  return {
    prefix: fromPrefix(own),
    typecode: row.type,
    base64: row.blob.toString('base64'),
    comment: row.comment,
    family: familyOf(row.type),
    size: row.size ?? 0,
    fingerprint: row.fingerprint,
    blob: row.blob,
    fromList: own,
  };
}

function listed(store: Store, config: BastionConfig, accountId: number): ListedKey[] {
  return store.ingressKeys.forAccount(accountId).map((row, i) => {
    const info = infoOfRow(row);
    const from = [...effectiveFromList(info.fromList, config)];
    const validity = checkKeyPolicy(info, ingressPolicy(config)).code;
    return {
      row,
      view: {
        typecode: info.typecode,
        base64: info.base64,
        prefix: fromPrefix(from),
        fingerprint: info.fingerprint,
        id: i + 1,
        line: keyLine(info, from),
        mtime: null,
        family: info.family,
        comment: info.comment,
        validity,
        from_list: from,
        size: info.size,
      },
    };
  });
}

export function listIngressKeys(store: Store, config: BastionConfig, accountId: number): IngressKeyView[] {
  return listed(store, config, accountId).map((k) => k.view);
}

/** The Bastion's print_public_key, in our words: fingerprint, family-size, id, then the key line. */
export function printKey(
  out: Terminal,
  k: { fingerprint: string; family: string; size: number; prefix: string; typecode: string; base64: string; comment: string },
  tag: string,
  validity = 'OK',
  withLine = true,
): void {
  const bad = validity === 'OK' ? '' : ` ***<<${validity}>>***`;
  out.info(`${out.colour('fingerprint: ', 'green')}${k.fingerprint} (${k.family}-${k.size}) [${tag}]${bad}`);
  if (withLine) {
    out.info(`${out.colour('keyline', 'red')} follows, copy the whole line:`);
    out.write(`${k.prefix ? k.prefix + ' ' : ''}${k.typecode} ${k.base64}${k.comment ? ' ' + k.comment : ''}\n`);
  }
  out.info(' ');
}

/** A parsed key in The Bastion's value shape; `fromKey` is 'fromList' on refusals, 'from_list' once added. */
function keyValue(k: PublicKeyInfo, from: readonly string[], fromKey: 'fromList' | 'from_list'): Record<string, unknown> {
  const line = keyLine(k, from);
  return {
    prefix: fromPrefix(from),
    typecode: k.typecode,
    base64: k.base64,
    comment: k.comment,
    line,
    id: lineId(line),
    mtime: null,
    [fromKey]: [...from],
    size: k.size,
    fingerprint: k.fingerprint,
    family: k.family,
  };
}

export interface AddedKey {
  connect_only_from: string[];
  key: Record<string, unknown>;
}

/** What selfAddIngressKey answers: the added key, or on a refusal the key as it was parsed. */
export type AddOutcome = AddedKey | { key: Record<string, unknown> };

/**
 * Whether a parsed key may become an ingress key: the algorithm/size policy, then its own from=
 * entries. The one check for selfAddIngressKey, accountCreate and setup-admin alike.
 */
export function checkIngressKey(key: PublicKeyInfo, config: BastionConfig): Result<PublicKeyInfo> {
  const policy = checkKeyPolicy(key, ingressPolicy(config));
  if (!isOk(policy)) return policy;
  const own = checkOwnFromList(key.fromList);
  if (!isOk(own)) return R(own.code, { msg: own.msg });
  return R('OK', { value: key });
}

/**
 * Adds a parsed key to an account: policy, own from= entries, duplicate check and insert in one
 * transaction. Refusals carry `{ key }` as The Bastion's do, so a script sees what was parsed.
 */
export function addIngressKey(
  store: Store,
  config: BastionConfig,
  accountId: number,
  key: PublicKeyInfo,
  info: { addedBy: string; using: string; version: string; nowSec: number },
): Result<AddedKey, { key: Record<string, unknown> } | null> {
  const refusedValue = { key: keyValue(key, key.fromList, 'fromList') };
  const checked = checkIngressKey(key, config);
  if (!isOk(checked)) return R(checked.code, { msg: checked.msg, value: refusedValue });
  return store.tx(() => {
    if (store.ingressKeys.byFingerprint(accountId, key.fingerprint)) {
      return R('KO_DUPLICATE_KEY', { msg: 'This public key already exists on this account!', value: refusedValue });
    }
    store.ingressKeys.insert({
      accountId,
      type: key.typecode,
      blob: key.blob,
      size: key.size,
      fingerprint: key.fingerprint,
      comment: key.comment,
      options: key.prefix,
      fromList: key.fromList.length > 0 ? key.fromList : null,
      createdAt: info.nowSec,
    });
    const from = [...effectiveFromList(key.fromList, config)];
    const datetime = new Date(info.nowSec * 1000).toISOString().replace(/\.\d{3}Z$/, '');
    const value = keyValue(key, from, 'from_list');
    value['info'] = `ADDED_BY=${info.addedBy} USING=${info.using} TIMESTAMP=${info.nowSec} DATETIME=${datetime} VERSION=${info.version}`;
    return R('OK', { value: { connect_only_from: from, key: value } });
  });
}

export type DeleteTarget = { by: 'id'; id: number } | { by: 'fingerprint'; fingerprint: string };

/**
 * Deletes one ingress key, never the account's last valid one (The Bastion's ERR_ONLY_ONE_KEY).
 * The check and the delete run in one transaction, so two concurrent deletions can't both pass.
 */
export function deleteIngressKey(store: Store, config: BastionConfig, accountId: number, target: DeleteTarget): Result<{ deleted_key: Record<string, unknown> }> {
  return store.tx(() => {
    const keys = listed(store, config, accountId);
    const valid = keys.filter((k) => k.view.validity === 'OK');
    if (valid.length === 0) return R('ERR_NO_KEY', { msg: 'This account has no valid key to delete' });
    const found = target.by === 'id' ? keys.find((k) => k.view.id === target.id) : keys.find((k) => k.view.fingerprint === target.fingerprint);
    if (!found) {
      return target.by === 'id' ? R('ERR_INVALID_ID', { msg: `No key has the ID ${target.id}` }) : R('ERR_NO_MATCH', { msg: "Couldn't find any key matching this fingerprint" });
    }
    if (found.view.validity === 'OK' && valid.length === 1) {
      return R('ERR_ONLY_ONE_KEY', { msg: "You can't delete the only valid key left on this account!" });
    }
    store.ingressKeys.remove(accountId, found.row.id);
    const v = found.view;
    const deleted: Record<string, unknown> = {
      prefix: v.prefix,
      typecode: v.typecode,
      base64: v.base64,
      comment: v.comment,
      line: v.line,
      id: lineId(v.line),
      mtime: null,
      fromList: v.from_list,
      size: v.size,
      fingerprint: v.fingerprint,
      family: v.family,
      err: v.validity,
      index: String(v.id),
    };
    return R('OK', { msg: `Key ID ${v.id} successfully deleted`, value: { deleted_key: deleted } });
  });
}

// ---------------------------------------------------------------------------------------------
// Egress keys

/**
 * The addresses a target sees the bastion connect from, for the from="…" to paste with an egress
 * key: egressKeysFrom, or else this host's addresses (The Bastion's get_bastion_ips runs
 * `hostname --all-ip-addresses`: every address but loopback and IPv6 link-local).
 */
export function bastionEgressIps(config: BastionConfig): string[] {
  if (config.egressKeysFrom.length > 0) return [...config.egressKeysFrom];
  const ips: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal || (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:'))) continue;
      ips.push(a.address);
    }
  }
  return ips;
}

/** One egress key as selfGenerateEgressKey returns it (a public key file read back, in The Bastion). */
export function egressKeyValue(row: EgressKeyRow, fromIps: readonly string[]): Record<string, unknown> {
  const line = `${row.type} ${row.base64}${row.comment ? ' ' + row.comment : ''}`;
  return {
    prefix: `from="${fromIps.join(',')}"`,
    typecode: row.type,
    base64: row.base64,
    comment: row.comment,
    line,
    id: lineId(line),
    mtime: row.created_at,
    fromList: [],
    size: row.size,
    fingerprint: row.fingerprint,
    family: familyOf(row.type),
  };
}

/** The listing of an account's egress keys: a hash keyed by fingerprint, as The Bastion's. */
export function egressKeysListing(store: Store, config: BastionConfig, accountId: number, out: Terminal): Record<string, Record<string, unknown>> {
  const ips = bastionEgressIps(config);
  const result: Record<string, Record<string, unknown>> = {};
  for (const row of store.egressKeys.forAccount(accountId)) {
    // The Bastion blanks the file names here: there are no files to name in Gatehouse either.
    const v = { ...egressKeyValue(row, ips), fullpath: null, filename: null };
    printEgressKey(out, v, row.created_at);
    result[row.fingerprint] = v;
  }
  return result;
}

export function printEgressKey(out: Terminal, v: Record<string, unknown>, createdAt: number): void {
  const day = new Date(createdAt * 1000).toISOString().slice(0, 10).replace(/-/g, '/');
  printKey(
    out,
    {
      fingerprint: String(v['fingerprint']),
      family: String(v['family']),
      size: Number(v['size']),
      prefix: String(v['prefix']),
      typecode: String(v['typecode']),
      base64: String(v['base64']),
      comment: String(v['comment']),
    },
    day,
  );
}

/**
 * A new egress key pair of an account or a group (`owner`), sealed for the store, with the comment
 * The Bastion writes: OWNER@BASTIONNAME:TIMESTAMP. Made outside any transaction: it takes time.
 */
export async function newEgressKeyPair(config: BastionConfig, keyring: Keyring, owner: string, a: { algo: EgressAlgo; size: number }, nowSec: number): Promise<NewKeyPair> {
  // generateKeyPair checks the pair (ssh2 now and then emits an unreadable ed25519 one) and retries.
  const pair = await generateKeyPair(a.algo, a.size, `${owner}@${config.bastionName}:${nowSec}`);
  return sealedKeyPair(pair, keyring, nowSec);
}

/**
 * Generates a personal egress key pair for an account and stores it, the private half sealed by
 * the keyring. Comment as The Bastion writes it: ACCOUNT@BASTIONNAME:TIMESTAMP. Also usable by
 * accountCreate, which gives every new account one key pair (defaultAccountEgressKey*).
 */
export async function generateEgressKey(
  deps: { store: Store; config: BastionConfig; keyring: Keyring },
  account: { id: number; name: string },
  algo: string | undefined,
  size: number | undefined,
  nowSec: number,
): Promise<Result<EgressKeyRow>> {
  const checked = checkEgressAlgoAndSize(deps.config, algo, size);
  if (!isOk(checked)) return R(checked.code, { msg: checked.msg });
  const pair = await newEgressKeyPair(deps.config, deps.keyring, account.name, checked.value, nowSec);
  const id = deps.store.egressKeys.insert({ ...pair, accountId: account.id });
  const row = deps.store.egressKeys.byFingerprint(account.id, pair.fingerprint);
  if (!row || row.id !== id) return R('ERR_INTERNAL', { msg: 'The new egress key could not be read back' });
  return R('OK', { value: row });
}
