// Reading OpenSSH public key lines (authorized_keys format), as The Bastion's get_ssh_pub_key_info
// (lib/perl/OVH/Bastion/ssh.inc) does, with ssh2's parser instead of ssh-keygen: the same accepted
// shapes, families, sizes and SHA256 fingerprints, without a child process.
import crypto from 'node:crypto';
import ssh2 from 'ssh2';
const { utils } = ssh2;
import { R, isOk, type Result } from '../kernel/result.js';
import { honourKeyOptions, splitOptionsField } from './authorizedOptions.js';

export type KeyFamily = 'RSA' | 'ECDSA' | 'ED25519';

export interface PublicKeyInfo {
  /**
   * The options before the key type as Gatehouse keeps them (from="…" first, then the accepted
   * no-… flags), '' when none. Options it can't honour are refused, never dropped (authorizedOptions.ts).
   */
  readonly prefix: string;
  readonly typecode: string;
  readonly base64: string;
  readonly comment: string;
  readonly family: KeyFamily;
  readonly size: number;
  /** `SHA256:` + unpadded base64 of the key blob's digest, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  readonly blob: Buffer;
  /** The addresses of a `from="…"` prefix, [] when none. */
  readonly fromList: readonly string[];
}

const KEY_TYPE = '(ssh-dss|ssh-rsa|ecdsa-sha\\d+-nistp\\d+|ssh-ed\\d+|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com)';
/** The key itself, once the options field (if any) is set aside: type, base64, optional comment. */
const KEY_PART = new RegExp(`^${KEY_TYPE}\\s+([a-zA-Z0-9/=+]+)(\\s+(.{1,128})?)?$`);
/** A line that starts with a key type has no options field (as sshd tries the key first). */
const STARTS_WITH_TYPE = new RegExp(`^${KEY_TYPE}[ \\t]`);

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Parses one public key line. Codes: KO_PRIVATE_KEY, KO_NOT_A_KEY, KO_FORBIDDEN_ALGORITHM, KO_UNSUPPORTED_KEY_OPTION. */
export function parsePublicKeyLine(input: string): Result<PublicKeyInfo> {
  const line = input.replace(/[\r\n]/g, '');
  if (/PRIVATE KEY/.test(line)) {
    return R('KO_PRIVATE_KEY', {
      msg: 'This is a PRIVATE key. Never paste it anywhere: give the bastion the public half (the .pub file).',
    });
  }
  if (line.length > 3000) return R('KO_NOT_A_KEY', { msg: notAKeyMessage });
  let keyPart = line.replace(/^\s+/, '');
  let field = '';
  if (!STARTS_WITH_TYPE.test(keyPart)) {
    const split = splitOptionsField(keyPart);
    if ('kind' in split) return R('KO_NOT_A_KEY', { msg: `${notAKeyMessage} (${split.msg})` });
    field = split.field;
    keyPart = split.rest;
  }
  const m = KEY_PART.exec(keyPart);
  if (!m) return R('KO_NOT_A_KEY', { msg: notAKeyMessage });
  const typecode = m[1] ?? '';
  const base64 = m[2] ?? '';
  const comment = (m[4] ?? '').trim();
  if (typecode === 'ssh-dss') {
    return R('KO_FORBIDDEN_ALGORITHM', { msg: 'DSA keys are not accepted: generate an Ed25519, ECDSA or RSA key.' });
  }
  if (typecode.startsWith('sk-')) {
    return R('KO_FORBIDDEN_ALGORITHM', {
      msg: 'Security-key (sk-) keys are not supported by Gatehouse: use an Ed25519, ECDSA or RSA key.',
    });
  }
  const parsed = utils.parseKey(`${typecode} ${base64}`);
  if (parsed instanceof Error || Array.isArray(parsed) || parsed.type !== typecode) {
    return R('KO_NOT_A_KEY', { msg: notAKeyMessage });
  }
  const blob = parsed.getPublicSSH();
  const details = crypto.createPublicKey(parsed.getPublicPEM()).asymmetricKeyDetails ?? {};
  let family: KeyFamily;
  let size: number;
  if (typecode === 'ssh-rsa') {
    family = 'RSA';
    size = details.modulusLength ?? 0;
  } else if (typecode === 'ssh-ed25519') {
    family = 'ED25519';
    size = 256;
  } else {
    family = 'ECDSA';
    size = Number(/nistp(\d+)$/.exec(typecode)?.[1] ?? 0);
  }
  // Options are judged once the key is known to be one, so a bad key still says KO_NOT_A_KEY.
  const options = honourKeyOptions(field);
  if (!isOk(options)) return R(options.code, { msg: options.msg });
  return R('OK', {
    value: {
      prefix: options.value.text,
      typecode,
      base64,
      comment,
      family,
      size,
      fingerprint: fingerprintOf(blob),
      blob,
      fromList: options.value.fromList,
    },
  });
}

const notAKeyMessage = "This doesn't look like an SSH public key: accepted formats are Ed25519, ECDSA and RSA (>= 2048 bits) public key lines.";

/** Checks a parsed key against the bastion's algorithm and size policy for ingress or egress keys. */
export function checkKeyPolicy(key: PublicKeyInfo, policy: { allowed: readonly string[]; minRsa: number; maxRsa: number }): Result<PublicKeyInfo> {
  if (!policy.allowed.includes(key.family.toLowerCase())) {
    return R('KO_FORBIDDEN_ALGORITHM', {
      msg: 'This key algorithm has been disabled on this bastion, please use another one.',
    });
  }
  if (key.family === 'RSA' && key.size < policy.minRsa) {
    return R('KO_KEY_SIZE_TOO_SMALL', {
      msg: `This RSA key has ${key.size} bits, the minimum here is ${policy.minRsa}: please generate a bigger key.`,
    });
  }
  if (key.family === 'RSA' && key.size > policy.maxRsa) {
    return R('KO_KEY_SIZE_TOO_BIG', {
      msg: `This RSA key has ${key.size} bits, the maximum here is ${policy.maxRsa}.`,
    });
  }
  return R('OK', { value: key });
}

/** The key line as The Bastion shows it: [from="…" ]type base64[ comment]. */
export function keyLine(k: { typecode: string; base64: string; comment: string }, fromList: readonly string[]): string {
  const from = fromList.length > 0 ? `from="${fromList.join(',')}" ` : '';
  return `${from}${k.typecode} ${k.base64}${k.comment ? ' ' + k.comment : ''}`;
}
