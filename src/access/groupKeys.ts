// Group egress keys: the key pairs members (and guests) of a group reach its servers with. The
// private half is sealed by the keyring and never leaves the store; listings show the public half
// in the shape of The Bastion's get_group_keys entries (the personal-key shape of
// src/accounts/keys.ts, plus the file names The Bastion's keys have: here they name no file, but
// scripts that read `filename`/`fullpath` keep working).
import { bastionEgressIps, egressKeyValue } from '../accounts/keys.js';
import type { BastionConfig } from '../config/schema.js';
import { checkEgressAlgoAndSize, type EgressAlgo } from '../services/egressKeyGen.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { GroupKeyRow, GroupRow } from '../store/groups.js';
import type { Store } from '../store/store.js';

/** The file name The Bastion gives a group key: id_<algo><size>_<group>.<time> (ed25519 has no size). */
export function keyFileName(k: Pick<GroupKeyRow, 'type' | 'size' | 'created_at'>, group: string): string {
  const algo = k.type === 'ssh-ed25519' ? 'ed25519' : k.type === 'ssh-rsa' ? `rsa${k.size}` : `ecdsa${k.size}`;
  return `id_${algo}_${group}.${k.created_at}`;
}

/** `fromIps` is bastionEgressIps(config), looked up once by the caller for all the keys it shows. */
export function groupKeyValue(k: GroupKeyRow, group: string, fromIps: readonly string[]): Record<string, unknown> {
  const filename = keyFileName(k, group);
  return {
    ...egressKeyValue({ ...k, account_id: 0 }, fromIps),
    filename,
    fullpath: `/home/keykeeper/key${group}/${filename}`,
  };
}

/** The keys of a group keyed by fingerprint (groupInfo's `keys`), oldest first. */
export function groupKeysValue(store: Store, group: GroupRow, config: BastionConfig): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const ips = bastionEgressIps(config);
  for (const k of store.groups.keys(group.id)) out[k.fingerprint] = groupKeyValue(k, group.name, ips);
  return out;
}

/** The key options groupCreate and groupGenerateEgressKey share (each describes its own --algo). */
export const GROUP_KEY_OPTIONS = {
  size: {
    type: 'integer',
    valueName: 'SIZE',
    description: 'Size of the key: RSA between the configured minimum and maximum (4096 is good), ECDSA 256, 384 or 521, Ed25519 always 256',
  },
  encrypted: { type: 'boolean', description: 'Protect the private key with a passphrase (not available on Gatehouse)' },
} as const;

/** --encrypted: private keys are sealed by the keyring instead (a passphrase could not be typed at each connection). */
export function encryptedGroupKeyRefusal(): Result {
  return R('ERR_NOT_IMPLEMENTED', { msg: 'Passphrase-protected group keys are not available here: private keys are already encrypted at rest by the bastion.' });
}

export interface CheckedAlgo {
  readonly algo: EgressAlgo;
  readonly size: number;
}

/** The Bastion's rule: with ed25519 the size may be left out. */
export function checkGroupKeyAlgo(config: BastionConfig, algo: string | undefined, size: number | undefined): Result<CheckedAlgo> {
  const s = size === undefined && algo?.toLowerCase() === 'ed25519' ? 256 : size;
  const r = checkEgressAlgoAndSize(config, algo, s);
  if (!isOk(r)) return R(r.code, { msg: r.msg });
  return R('OK', { value: r.value });
}
