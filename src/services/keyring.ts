// Encryption at rest for egress private keys: AES-256-GCM with a 32-byte key kept in a file under
// the data directory (mode 0600), created on first start. A stolen store without that file
// yields no usable private key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Keyring {
  seal(plain: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

const VERSION = 1;

export function keyringFromKey(key: Buffer): Keyring {
  if (key.length !== 32) throw new Error('the keyring key must be 32 bytes');
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed[0] !== VERSION || sealed.length < 29) throw new Error('unknown sealed key format');
      const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      d.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([d.update(sealed.subarray(29)), d.final()]);
    },
  };
}

/** Loads the keyring key from dataDir/secret.key, creating it (0600) if absent. */
export function loadKeyring(dataDir: string): Keyring {
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key = fs.readFileSync(file);
  return keyringFromKey(key);
}
