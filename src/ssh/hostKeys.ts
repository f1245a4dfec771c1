// Host keys: ed25519 and ECDSA P-256, generated on first start (mode 0600) and kept. No RSA host
// key: ssh2 would also offer it with SHA-1 signatures (SSH2-NOTES.md).
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
const { utils } = ssh2;
import { fingerprintOf } from '../keys/publicKey.js';
import { generateCheckedKeyPair } from '../services/keygen.js';

export interface HostKey {
  readonly file: string;
  readonly type: string;
  readonly fingerprint: string;
  readonly privateKey: Buffer;
}

const WANTED = [
  { file: 'ssh_host_ed25519_key', generate: () => generateCheckedKeyPair('ed25519') },
  { file: 'ssh_host_ecdsa_key', generate: () => generateCheckedKeyPair('ecdsa', { bits: 256 }) },
] as const;

export function loadOrCreateHostKeys(dir: string, onCreate: (k: HostKey) => void = () => {}): HostKey[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return WANTED.map(({ file, generate }) => {
    const full = path.join(dir, file);
    let created = false;
    if (!fs.existsSync(full)) {
      const pair = generate();
      try {
        fs.writeFileSync(full, pair.private, { mode: 0o600, flag: 'wx' });
        fs.writeFileSync(`${full}.pub`, pair.public + '\n', { mode: 0o644 });
        created = true;
      } catch (e) {
        // Another process created it first: use theirs.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const privateKey = fs.readFileSync(full);
    const parsed = utils.parseKey(privateKey);
    if (parsed instanceof Error || Array.isArray(parsed)) throw new Error(`${full}: not a usable private key`);
    const key: HostKey = { file: full, type: parsed.type, fingerprint: fingerprintOf(parsed.getPublicSSH()), privateKey };
    if (created) onCreate(key);
    return key;
  });
}
