// Group egress keys: the key pairs members (and guests) of a group reach its servers with. The
// private half is sealed by the keyring and never leaves the store; listings show the public half
// in the shape of The Bastion's get_group_keys entries (the personal-key shape of
// src/accounts/keys.ts, plus the file names The Bastion's keys have: here they name no file, but
// scripts that read `filename`/`fullpath` keep working).
import ssh2 from 'ssh2';
import { bastionEgressIps, egressKeyValue, printEgressKey } from '../accounts/keys.js';
import type { BastionConfig } from '../config/schema.js';
import { checkEgressAlgoAndSize, generateKeyPair, type EgressAlgo, type GeneratedKey } from '../keys/generate.js';
import type { Keyring } from '../keys/keyring.js';
import type { Terminal } from '../command/terminal.js';
import { isOk, R, type Result } from '../result.js';
import type { GroupKeyRow, GroupRow } from '../store/groups.js';
import type { Store } from '../store/store.js';
const { utils } = ssh2;

/** The file name The Bastion gives a group key: id_<algo><size>_<group>.<time> (ed25519 has no size). */
export function keyFileName(k: Pick<GroupKeyRow, 'type' | 'size' | 'created_at'>, group: string): string {
  const algo = k.type === 'ssh-ed25519' ? 'ed25519' : k.type === 'ssh-rsa' ? `rsa${k.size}` : `ecdsa${k.size}`;
  return `id_${algo}_${group}.${k.created_at}`;
}

export function groupKeyValue(k: GroupKeyRow, group: string, config: BastionConfig): Record<string, unknown> {
  const filename = keyFileName(k, group);
  return {
    ...egressKeyValue({ ...k, account_id: 0 }, bastionEgressIps(config)),
    filename,
    fullpath: `/home/keykeeper/key${group}/${filename}`,
  };
}

/** The keys of a group keyed by fingerprint (groupInfo's `keys`), oldest first. */
export function groupKeysValue(store: Store, group: GroupRow, config: BastionConfig): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const k of store.groups.keys(group.id)) out[k.fingerprint] = groupKeyValue(k, group.name, config);
  return out;
}

export function printGroupKey(out: Terminal, v: Record<string, unknown>, createdAt: number): void {
  printEgressKey(out, v, createdAt);
}

// ssh2 now and then emits an ed25519 pair whose halves disagree: check and retry, as the
// personal-key generator does.
async function wellFormedPair(algo: EgressAlgo, size: number, comment: string): Promise<GeneratedKey> {
  let lastError: unknown = null;
  for (let i = 0; i < 8; i++) {
    try {
      const pair = await generateKeyPair(algo, size, comment);
      const priv = utils.parseKey(pair.privateKey);
      if (!(priv instanceof Error) && !Array.isArray(priv) && priv.getPublicSSH().equals(pair.publicKey.blob)) return pair;
      lastError = new Error('the private half does not match the public half');
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`could not generate a well-formed ${algo} key pair: ${String(lastError)}`);
}

export interface CheckedAlgo {
  readonly algo: EgressAlgo;
  readonly size: number;
}

/** The Bastion's rule: with ed25519 the size may be left out. */
export function checkGroupKeyAlgo(config: BastionConfig, algo: string | undefined, size: number | undefined): Result<CheckedAlgo> {
  const s = size === undefined && algo?.toLowerCase() === 'ed25519' ? 256 : size;
  const r = checkEgressAlgoAndSize(config, algo, s);
  if (!isOk(r) || r.value === null) return R(r.code, { msg: r.msg });
  return R('OK', { value: r.value });
}

/** Generates a key pair (outside any transaction: it takes time) ready to be stored for `group`. */
export async function newGroupKeyPair(config: BastionConfig, keyring: Keyring, group: string, a: CheckedAlgo, nowSec: number) {
  const pair = await wellFormedPair(a.algo, a.size, `${group}@${config.bastionName}:${nowSec}`);
  const pub = pair.publicKey;
  return {
    type: pub.typecode,
    size: pub.size,
    fingerprint: pub.fingerprint,
    base64: pub.base64,
    comment: pub.comment,
    privateSealed: keyring.seal(Buffer.from(pair.privateKey, 'utf8')),
    createdAt: nowSec,
  };
}
