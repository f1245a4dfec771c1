// Making an account an admin from the command line: `gatehouse setup-admin` (like The Bastion's
// setup-first-admin-account.sh) and the first-start bootstrap of `serve --bootstrap-admin`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkAccountName } from '../policy/accountName.js';
import { addAdminAccount } from '../config/edit.js';
import type { BastionConfig } from '../config/schema.js';
import { parsePublicKeyLine } from '../keys/publicKey.js';
import { isOk, R, type Result } from '../kernel/result.js';
import { generateCheckedKeyPair } from '../services/keygen.js';
import type { Store } from '../store/store.js';
import { createAccount, newAccountEgressKey } from './create.js';
import { checkIngressKey } from './keys.js';
import type { Keyring } from '../services/keyring.js';

export async function setupAdmin(
  store: Store,
  config: BastionConfig,
  keyring: Keyring,
  configFile: string,
  account: string,
  publicKeyLine: string,
  nowSec: number,
): Promise<Result<{ account: string; fingerprint: string }>> {
  const name = checkAccountName(account);
  if (!isOk(name)) return R(name.code, { msg: name.msg });
  const parsed = parsePublicKeyLine(publicKeyLine.trim().split('\n')[0] ?? '');
  if (!isOk(parsed) || !parsed.value) return R(parsed.code, { msg: parsed.msg });
  const checked = checkIngressKey(parsed.value, config);
  if (!isOk(checked)) return R(checked.code, { msg: checked.msg });
  if (store.accounts.byName(account)) return R('KO_ALREADY_EXISTING', { msg: `The account ${account} already exists` });
  // Like any account accountCreate makes, the first admin gets its personal egress key, so it can
  // reach servers through the bastion as soon as they trust that key.
  const egressKey = await newAccountEgressKey(config, keyring, account, nowSec);
  if (!isOk(egressKey)) return R(egressKey.code, { msg: egressKey.msg });
  const created = createAccount(store, config, {
    name: account,
    uid: 'auto',
    comment: 'first admin account',
    createdBy: 'setup-admin',
    ttlSeconds: null,
    keys: [parsed.value],
    settings: {},
    nowSec,
    egressKey: egressKey.value,
  });
  if (!isOk(created)) return R(created.code, { msg: created.msg });
  addAdminAccount(configFile, account);
  return R('OK', { value: { account, fingerprint: parsed.value.fingerprint } });
}

export interface BootstrapOutcome {
  readonly account: string;
  /** The private key to use with ssh -i, when we generated one; null when the user's own key was used. */
  readonly identityFile: string | null;
  readonly publicKeyFile: string;
}

/** First start with no account at all: an admin named after the OS user, with the user's key or a new one. */
export async function bootstrapAdmin(
  store: Store,
  config: BastionConfig,
  keyring: Keyring,
  configFile: string,
  dataDir: string,
  nowSec: number,
): Promise<Result<BootstrapOutcome | null>> {
  if (store.accounts.count() > 0) return R('OK_NO_CHANGE', { msg: 'the store already has accounts' });
  let account = 'admin';
  try {
    const user = os.userInfo().username;
    if (isOk(checkAccountName(user))) account = user;
  } catch {
    account = 'admin';
  }
  const sshDir = path.join(os.homedir(), '.ssh');
  let publicKeyFile: string | null = null;
  for (const f of ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']) {
    const p = path.join(sshDir, f);
    if (fs.existsSync(p)) {
      publicKeyFile = p;
      break;
    }
  }
  let identityFile: string | null = null;
  if (publicKeyFile === null) {
    identityFile = path.join(dataDir, 'admin_ed25519');
    if (!fs.existsSync(identityFile)) {
      // Checked: ssh2 alone makes an unusable ed25519 key about once in 256 (src/services/keygen.ts).
      const pair = generateCheckedKeyPair('ed25519', { comment: `${account}@gatehouse` });
      fs.writeFileSync(identityFile, pair.private, { mode: 0o600 });
      fs.writeFileSync(`${identityFile}.pub`, pair.public + '\n', { mode: 0o644 });
    }
    publicKeyFile = `${identityFile}.pub`;
  }
  const done = await setupAdmin(store, config, keyring, configFile, account, fs.readFileSync(publicKeyFile, 'utf8'), nowSec);
  if (!isOk(done)) return R(done.code, { msg: done.msg });
  return R('OK', { value: { account, identityFile, publicKeyFile } });
}
