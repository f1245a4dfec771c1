// Starts a real Gatehouse on 127.0.0.1 (a free port) with its own temporary directory, and
// creates accounts whose private keys the OpenSSH client and ssh2 clients can use.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setupAdmin } from '../../src/accounts/admin.js';
import { createAccount } from '../../src/accounts/create.js';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import { startGatehouse, type Gatehouse } from '../../src/cli/main.js';
import type { Clock } from '../../src/osh/context.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';

export interface TestKey {
  readonly privateFile: string;
  readonly privateKey: string;
  readonly publicLine: string;
}

export interface TestServer {
  readonly gh: Gatehouse;
  readonly port: number;
  readonly dir: string;
  readonly configPath: string;
  /** Lines pino wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  readonly admin: { name: string; key: TestKey };
  newKey(type?: 'ed25519' | 'ecdsa' | 'rsa', comment?: string): TestKey;
  /**
   * An account with one fresh key (ed25519 unless keyType says otherwise), created straight in
   * the store as an admin would. keyOptions is put before the key, e.g. `from="127.0.0.1"`.
   */
  addAccount(name: string, opts?: AddAccountOptions): TestAccount;
  writeConfig(obj: Record<string, unknown>): void;
  close(): Promise<void>;
}

export interface TestAccount {
  readonly name: string;
  readonly key: TestKey;
  /** The accounts row id, for seeding the store. */
  readonly id: number;
}

export interface AddAccountOptions {
  readonly settings?: Record<string, string>;
  readonly keyType?: 'ed25519' | 'ecdsa' | 'rsa';
  readonly keyOptions?: string;
}

/** `listen`: the addresses to serve (one free port on 127.0.0.1 by default); `gh.addresses` has them all. */
export async function startTestServer(opts: { config?: Record<string, unknown>; listen?: readonly string[]; clock?: Clock } = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));
  const configPath = path.join(dir, 'bastion.conf');
  const baseConfig = { bastionName: 'testbastion', ...opts.config };
  // Written beside and renamed over: a new inode, so the server sees the change even when two
  // rewrites of the same size land within one tick of the file system's clock (in-process calls
  // are that fast), and never half a file.
  const write = (obj: Record<string, unknown>): void => {
    const tmp = `${configPath}.tmp`;
    fs.writeFileSync(tmp, `# written by the test harness\n${JSON.stringify(obj, null, 2)}\n`);
    fs.renameSync(tmp, configPath);
  };
  write(baseConfig);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const gh = await startGatehouse({
    configPath,
    overrides: { listen: opts.listen ?? ['127.0.0.1:0'], dataDir: path.join(dir, 'data'), hostKeysDir: path.join(dir, 'hostkeys'), logLevel: 'info' },
    logDestination: sink,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  let n = 0;
  const newKey = (type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519', comment = 'test@gatehouse'): TestKey => {
    // Checked pairs: ssh2 alone makes a broken ed25519 key once in 256 (src/services/keygen.ts).
    const pair = generateCheckedKeyPair(type, { bits: type === 'rsa' ? 2048 : 256, comment });
    const privateFile = path.join(dir, `key${++n}`);
    fs.writeFileSync(privateFile, pair.private, { mode: 0o600 });
    return { privateFile, privateKey: pair.private, publicLine: pair.public };
  };
  const adminKey = newKey();
  const now = Math.floor(Date.now() / 1000);
  const made = await setupAdmin(gh.store, gh.config.current(), gh.keyring, configPath, 'admin', adminKey.publicLine, now);
  if (made.code !== 'OK') throw new Error(`admin setup failed: ${made.msg}`);
  const addAccount = (name: string, o: AddAccountOptions = {}): TestAccount => {
    const key = newKey(o.keyType);
    const parsed = parsePublicKeyLine(o.keyOptions ? `${o.keyOptions} ${key.publicLine}` : key.publicLine);
    if (!parsed.value) throw new Error(parsed.msg);
    const r = createAccount(gh.store, gh.config.current(), {
      name,
      uid: 'auto',
      comment: null,
      createdBy: 'test',
      ttlSeconds: null,
      keys: [parsed.value],
      settings: o.settings ?? {},
      nowSec: Math.floor(Date.now() / 1000),
    });
    if (r.code !== 'OK' || !r.value) throw new Error(`account ${name}: ${r.msg}`);
    return { name, key, id: r.value.id };
  };
  const port = gh.addresses[0]?.port ?? 0;
  return {
    gh,
    port,
    dir,
    configPath,
    logs,
    admin: { name: 'admin', key: adminKey },
    newKey,
    addAccount,
    writeConfig: (obj) => {
      // Keep the admin: setupAdmin added it to the file.
      write({ adminAccounts: ['admin'], ...obj });
    },
    async close() {
      await gh.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
