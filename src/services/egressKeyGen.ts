// Egress key pairs, generated in-process (in libuv's thread pool, so an RSA-8192 generation does
// not stall other sessions) with The Bastion's algorithm and size rules (is_allowed_algo_and_size
// in lib/perl/OVH/Bastion/ssh.inc). The private key is returned in OpenSSH format, to be sealed
// with the keyring before it is stored.
import ssh2 from 'ssh2';
import type { BastionConfig } from '../config/schema.js';
import type { NewKeyPair } from '../store/egressKeys.js';
import type { Keyring } from './keyring.js';
import { R, type Result } from '../kernel/result.js';
import { parsePublicKeyLine, type PublicKeyInfo } from '../keys/publicKey.js';
import { isWellFormedPair } from './keygen.js';
const { utils } = ssh2;

export type EgressAlgo = 'rsa' | 'ecdsa' | 'ed25519';

export function checkEgressAlgoAndSize(
  config: Pick<BastionConfig, 'allowedEgressSshAlgorithms' | 'minimumEgressRsaKeySize' | 'maximumEgressRsaKeySize'>,
  algoIn: string | undefined,
  size: number | undefined,
): Result<{ algo: EgressAlgo; size: number }> {
  if (!algoIn) return R('ERR_MISSING_PARAMETER', { msg: "Missing parameter 'algo'" });
  const algo = algoIn.toLowerCase();
  if (!['rsa', 'ecdsa', 'ed25519'].includes(algo) || !config.allowedEgressSshAlgorithms.includes(algo)) {
    return R('KO_NOT_SUPPORTED', { msg: `The algorithm '${algoIn}' is not supported (or disabled) for egress on this bastion` });
  }
  if (algo === 'rsa') {
    if (size === undefined) return R('ERR_MISSING_PARAMETER', { msg: "Missing parameter 'size'" });
    if (size < config.minimumEgressRsaKeySize) {
      return R('KO_KEY_SIZE_TOO_SMALL', { msg: `For the selected algorithm, minimum configured key size for egress by policy is ${config.minimumEgressRsaKeySize} bits` });
    }
    if (size > config.maximumEgressRsaKeySize) {
      return R('KO_KEY_SIZE_TOO_BIG', { msg: `For the selected algorithm, maximum configured key size for egress by policy is ${config.maximumEgressRsaKeySize} bits` });
    }
    return R('OK', { value: { algo: 'rsa', size } });
  }
  if (algo === 'ecdsa') {
    if (size === undefined || ![256, 384, 521].includes(size)) {
      return R('KO_KEY_SIZE_INVALID', { msg: 'For the selected algorithm, valid key sizes are 256, 384, 521' });
    }
    return R('OK', { value: { algo: 'ecdsa', size } });
  }
  if (size !== undefined && size !== 256) return R('KO_KEY_SIZE_INVALID', { msg: 'For the selected algorithm, key size must be 256' });
  return R('OK', { value: { algo: 'ed25519', size: 256 } });
}

export interface GeneratedKey {
  /** OpenSSH-format private key (unencrypted): seal it before storing. */
  readonly privateKey: string;
  readonly publicKey: PublicKeyInfo;
}

/**
 * A fresh pair whose two halves parse and agree. ssh2 1.17 makes an unreadable ed25519 pair about
 * once in 256 (see src/keys/keygen.ts); such a pair is thrown away and made again, here, so no
 * caller can store a key that will never work.
 */
export async function generateKeyPair(algo: EgressAlgo, size: number, comment: string): Promise<GeneratedKey> {
  let lastError: unknown = null;
  // Failures are independent (1/256 each for ed25519): 8 tries fail once in 2^64.
  for (let i = 0; i < 8; i++) {
    try {
      const pair = await generateOnce(algo, size, comment);
      if (isWellFormedPair(pair)) {
        const pub = parsePublicKeyLine(pair.public);
        if (pub.value) return { privateKey: pair.private, publicKey: pub.value };
        lastError = new Error(pub.msg);
      } else lastError = new Error('the private half does not match the public half');
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`could not generate a well-formed ${algo} key pair: ${String(lastError)}`);
}

/** A generated pair as the store keeps it (personal or group key): its private half sealed. */
export function sealedKeyPair(pair: GeneratedKey, keyring: Keyring, createdAt: number): NewKeyPair {
  const pub = pair.publicKey;
  return {
    type: pub.typecode,
    size: pub.size,
    fingerprint: pub.fingerprint,
    base64: pub.base64,
    comment: pub.comment,
    privateSealed: keyring.seal(Buffer.from(pair.privateKey, 'utf8')),
    createdAt,
  };
}

function generateOnce(algo: EgressAlgo, size: number, comment: string): Promise<{ private: string; public: string }> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, pair: { private: string; public: string }): void => (err ? reject(err) : resolve(pair));
    if (algo === 'ed25519') utils.generateKeyPair('ed25519', { comment }, done);
    else utils.generateKeyPair(algo, { bits: size, comment }, done);
  });
}
