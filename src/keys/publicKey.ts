// Reading OpenSSH public key lines (authorized_keys format), as The Bastion's get_ssh_pub_key_info
// (lib/perl/OVH/Bastion/ssh.inc) does, with ssh2's parser instead of ssh-keygen: the same accepted
// shapes, families, sizes and SHA256 fingerprints, without a child process.
import crypto from 'node:crypto';
import ssh2 from 'ssh2';
const { utils } = ssh2;
import { R, type Result } from '../result.js';

export type KeyFamily = 'RSA' | 'ECDSA' | 'ED25519';

export interface PublicKeyInfo {
  /** The options before the key type (e.g. `from="10.0.0.0/8"`), '' when none. */
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

const KEY_LINE =
  /^\s*((\S+)\s+)?(ssh-dss|ssh-rsa|ecdsa-sha\d+-nistp\d+|ssh-ed\d+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+([a-zA-Z0-9/=+]+)(\s+(.{1,128})?)?$/;

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Parses one public key line. Codes: KO_PRIVATE_KEY, KO_NOT_A_KEY, KO_FORBIDDEN_ALGORITHM. */
export function parsePublicKeyLine(input: string): Result<PublicKeyInfo> {
  const line = input.replace(/[\r\n]/g, '');
  if (/PRIVATE KEY/.test(line)) {
    return R('KO_PRIVATE_KEY', {
      msg: "This is a PRIVATE key. Never paste it anywhere: give the bastion the public half (the .pub file).",
    });
  }
  const m = line.length <= 3000 ? KEY_LINE.exec(line) : null;
  if (!m) return R('KO_NOT_A_KEY', { msg: notAKeyMessage });
  const prefix = m[2] ?? '';
  const typecode = m[3] ?? '';
  const base64 = m[4] ?? '';
  const comment = (m[6] ?? '').trim();
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
  const fromMatch = /^from=["']([^ "']+)/.exec(prefix);
  return R('OK', {
    value: {
      prefix,
      typecode,
      base64,
      comment,
      family,
      size,
      fingerprint: fingerprintOf(blob),
      blob,
      fromList: fromMatch?.[1] ? fromMatch[1].split(',') : [],
    },
  });
}

const notAKeyMessage =
  "This doesn't look like an SSH public key: accepted formats are Ed25519, ECDSA and RSA (>= 2048 bits) public key lines.";

/** Checks a parsed key against the bastion's algorithm and size policy for ingress or egress keys. */
export function checkKeyPolicy(
  key: PublicKeyInfo,
  policy: { allowed: readonly string[]; minRsa: number; maxRsa: number },
): Result<PublicKeyInfo> {
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
