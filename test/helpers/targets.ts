// Target SSH servers for egress tests, on loopback addresses only: a real OpenSSH sshd on a high
// port with a throwaway configuration, and an in-process ssh2 server that runs exec commands with
// /bin/sh. Plus store seeding for accesses and egress keys, straight into the store as the
// plugins would write them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import { parseAddress } from '../../src/policy/aclAddress.js';
import { sealedKeyPair } from '../../src/services/egressKeyGen.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { loadKeyring } from '../../src/services/keyring.js';
import { parsePublicKeyLine, type PublicKeyInfo } from '../../src/keys/publicKey.js';
import type { NewAclEntry } from '../../src/store/acl.js';
import type { NewKeyPair } from '../../src/store/egressKeys.js';
import type { Store } from '../../src/store/store.js';
import { freePort as anyFreePort, waitForPort } from './ports.js';
import type { AddAccountOptions, TestAccount, TestServer } from './server.js';
const { Server, utils } = ssh2;

const SSHD = '/usr/sbin/sshd';

function assertLoopback(host: string): void {
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== '::1') throw new Error(`test targets live on loopback only, not ${host}`);
}

/** A free TCP port on `host` (bound then released: the caller binds it right after). */
export function freePort(host: string): Promise<number> {
  assertLoopback(host);
  return anyFreePort(host);
}

/** An ed25519 host key pair in OpenSSH format (checked: ssh2's generator may emit a broken pair). */
export function hostKeyPair(): { private: string; public: string; fingerprint: string } {
  const pair = generateCheckedKeyPair('ed25519');
  return { private: pair.private, public: pair.public, fingerprint: testPublicKey(pair.public).fingerprint };
}

function testPublicKey(line: string): PublicKeyInfo {
  const pub = parsePublicKeyLine(line).value;
  if (!pub) throw new Error(`bad generated key: ${line}`);
  return pub;
}

export interface SshdTarget {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  hostKeyFingerprint: string;
  /** What sshd wrote on stderr (for failing tests). */
  readonly log: () => string;
  /** Replaces the authorized_keys file (read on every login). */
  setAuthorizedKeys(lines: readonly string[]): void;
  /** Restarts sshd on the same address and port with a new host key. */
  rotateHostKey(): Promise<void>;
  close(): Promise<void>;
}

export function sshdAvailable(): boolean {
  return fs.existsSync(SSHD);
}

/**
 * A real OpenSSH sshd as root on host:port, logins as root with the given keys only.
 * `alsoListen`: more loopback addresses the same sshd listens on, with the same port (one sshd
 * standing for several servers).
 */
export async function startSshd(host: string, authorizedKeys: readonly string[], opts: { alsoListen?: readonly string[] } = {}): Promise<SshdTarget> {
  assertLoopback(host);
  for (const h of opts.alsoListen ?? []) assertLoopback(h);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-sshd-'));
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort(host);
  const keyFile = path.join(dir, 'ssh_host_ed25519_key');
  const authFile = path.join(dir, 'authorized_keys');
  const writeHostKey = (): string => {
    const k = hostKeyPair();
    fs.rmSync(keyFile, { force: true });
    fs.writeFileSync(keyFile, k.private, { mode: 0o600 });
    return k.fingerprint;
  };
  const setAuthorizedKeys = (lines: readonly string[]): void => fs.writeFileSync(authFile, lines.map((l) => l + '\n').join(''), { mode: 0o600 });
  setAuthorizedKeys(authorizedKeys);
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      ...[host, ...(opts.alsoListen ?? [])].map((h) => `ListenAddress ${h}:${port}`),
      `HostKey ${keyFile}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authFile}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AcceptEnv LANG LC_*',
      'PrintMotd no',
      'PrintLastLog no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  let stderr = '';
  const target: SshdTarget = {
    host,
    port,
    dir,
    hostKeyFingerprint: writeHostKey(),
    log: () => stderr,
    setAuthorizedKeys,
    async rotateHostKey() {
      await stop();
      target.hostKeyFingerprint = writeHostKey();
      await start();
    },
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const start = async (): Promise<void> => {
    const c = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child = c;
    await waitForPort(port, host, 10_000);
  };
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  await start();
  return target;
}

export interface Ssh2Target {
  readonly host: string;
  readonly port: number;
  hostKeyFingerprint: string;
  /** Users that logged in, in order, with the key fingerprint they used. */
  readonly logins: { user: string; fingerprint: string }[];
  /** The last pty request a session made (term, cols, rows), null when none. */
  lastPty: { term: string; cols: number; rows: number } | null;
  /** Env requests received by the last session. */
  lastEnv: Record<string, string>;
  /** Window changes and signals received, in order, across sessions. */
  readonly windowChanges: { cols: number; rows: number }[];
  readonly signals: string[];
  rotateHostKey(): Promise<void>;
  close(): Promise<void>;
  /** SSH clients that connected (counted at their identification line, before any key exchange): zero proves nothing dialled it. */
  connections: number;
  /** Exec commands received, in order, as the target's shell got them. */
  readonly execs: string[];
}

/**
 * An ssh2 server that accepts the given public keys for any user and runs each exec command with
 * `/bin/sh -c` (stdout and stderr kept apart, exit status or signal passed back), or `/bin/sh`
 * reading stdin for a shell.
 */
export async function startSsh2Target(host: string, authorizedKeys: readonly string[], opts: { port?: number } = {}): Promise<Ssh2Target> {
  assertLoopback(host);
  const allowed = authorizedKeys.map((l) => {
    const k = parsePublicKeyLine(l);
    if (!k.value) throw new Error(k.msg);
    return k.value;
  });
  let hostKey = hostKeyPair();
  const port = opts.port ?? (await freePort(host));
  const clients = new Set<Connection>();
  let server: InstanceType<typeof Server> | null = null;
  const target: Ssh2Target = {
    host,
    port,
    hostKeyFingerprint: hostKey.fingerprint,
    logins: [],
    lastPty: null,
    lastEnv: {},
    windowChanges: [],
    signals: [],
    async rotateHostKey() {
      await stop();
      hostKey = hostKeyPair();
      target.hostKeyFingerprint = hostKey.fingerprint;
      await start();
    },
    close: () => stop(),
    connections: 0,
    execs: [],
  };
  const onClient = (client: Connection): void => {
    target.connections++;
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      const match = allowed.find((k) => k.typecode === ctx.key.algo.replace(/^rsa-sha2-\d+$/, 'ssh-rsa') && k.blob.equals(ctx.key.data));
      if (!match) return ctx.reject(['publickey']);
      if (!ctx.signature) return ctx.accept();
      const pub = utils.parseKey(`${match.typecode} ${match.base64}`);
      if (pub instanceof Error || Array.isArray(pub) || !ctx.blob || pub.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      target.logins.push({ user: ctx.username, fingerprint: match.fingerprint });
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        const env: Record<string, string> = {};
        target.lastEnv = env;
        target.lastPty = null;
        session.on('env', (acc, _rej, info) => {
          env[info.key] = info.val;
          acc?.();
        });
        session.on('pty', (acc, _rej, info) => {
          target.lastPty = { term: info.term, cols: info.cols, rows: info.rows };
          acc?.();
        });
        session.on('window-change', (acc, _rej, info) => {
          target.windowChanges.push({ cols: info.cols, rows: info.rows });
          acc?.();
        });
        let child: ChildProcess | null = null;
        session.on('signal', (acc, _rej, info) => {
          target.signals.push(info.name);
          acc?.();
          if (child) killGroup(child, `SIG${info.name}` as NodeJS.Signals);
        });
        session.on('exec', (acc, _rej, info) => {
          target.execs.push(info.command);
          const ch = acc?.();
          if (ch) child = run(ch, ['-c', info.command]);
        });
        session.on('shell', (acc) => {
          const ch = acc?.();
          if (ch) child = run(ch, []);
        });
      });
    });
  };
  const start = async (): Promise<void> => {
    const srv = new Server({ hostKeys: [hostKey.private] }, onClient);
    server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, host, () => resolve());
    });
  };
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const c of clients) c.end();
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  await start();
  return target;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function run(ch: ServerChannel, args: string[]): ChildProcess {
  // Its own process group, so a signal or the end of the session reaches every process it started.
  const child = spawn('/bin/sh', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  ch.pipe(child.stdin);
  child.stdin.on('error', () => {});
  child.stdout.pipe(ch, { end: false });
  child.stderr.pipe(ch.stderr, { end: false });
  // The session went away (the bastion closed it): the command goes with it.
  ch.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  });
  child.on('close', (code, signal) => {
    const finish = (): void => {
      if (signal) ch.exit(signal.replace(/^SIG/, ''), false, '');
      else ch.exit(code ?? 0);
      ch.end();
    };
    // stderr is a stream of its own: what it still holds (the window full of stdout) would be lost
    // if the channel ended first, as a real sshd never does. Let it drain.
    if (ch.stderr.writableLength > 0) ch.stderr.once('drain', finish);
    else finish();
  });
  return child;
}

// ---- store seeding: what the access and key plugins would have written -------------------------

export interface EgressKey {
  readonly fingerprint: string;
  /** The authorized_keys line for targets. */
  readonly publicLine: string;
}

/** A checked ed25519 pair sealed with the server's keyring, as the key plugins store one. */
function sealedTestPair(dataDir: string, comment: string): { record: NewKeyPair; key: EgressKey } {
  const pair = generateCheckedKeyPair('ed25519', { comment });
  const publicKey = testPublicKey(pair.public);
  const record = sealedKeyPair({ privateKey: pair.private, publicKey }, loadKeyring(dataDir), Math.floor(Date.now() / 1000));
  return { record, key: { fingerprint: publicKey.fingerprint, publicLine: pair.public } };
}

/** A personal egress key for the account, sealed with the server's keyring. */
export function addPersonalEgressKey(store: Store, dataDir: string, accountId: number): EgressKey {
  const { record, key } = sealedTestPair(dataDir, `gatehouse-test-${accountId}`);
  store.egressKeys.insert({ ...record, accountId });
  return key;
}

export function addGroupEgressKey(store: Store, dataDir: string, groupId: number): EgressKey {
  const { record, key } = sealedTestPair(dataDir, `gatehouse-test-group-${groupId}`);
  store.groups.insertKey({ ...record, groupId });
  return key;
}

/** An account with one personal egress key: its login (name, key, id) and that egress key. */
export function addEgressAccount(srv: TestServer, name: string, opts: AddAccountOptions = {}): TestAccount & { egress: EgressKey } {
  const a = srv.addAccount(name, opts);
  return { ...a, egress: addPersonalEgressKey(srv.gh.store, srv.gh.dataDir, a.id) };
}

export interface AccessSpec {
  readonly ip: string;
  readonly user?: string | null;
  readonly port?: number | null;
  readonly expiresAt?: number | null;
  readonly forceKey?: string | null;
}

/** An ACL line as the access plugins write it (the bench seeds its big lists with it too). */
export function aclEntry(kind: NewAclEntry['kind'], accountId: number | null, groupId: number | null, a: AccessSpec): NewAclEntry {
  const addr = parseAddress(a.ip, { allowSubnets: true }).value;
  if (!addr) throw new Error(`bad address ${a.ip}`);
  return {
    kind,
    accountId,
    groupId,
    ip: addr.ip,
    family: addr.family,
    prefixLen: addr.prefixLen,
    start: addr.start,
    end: addr.end,
    user: a.user ?? null,
    port: a.port ?? null,
    protocol: null,
    comment: null,
    expiresAt: a.expiresAt ?? null,
    forceKey: a.forceKey ?? null,
    forcePassword: null,
    addedBy: 'test',
    addedAt: Math.floor(Date.now() / 1000),
  };
}

export function grantPersonal(store: Store, accountId: number, a: AccessSpec): number {
  return store.acl.insert(aclEntry('personal', accountId, null, a));
}

export function createGroup(store: Store, name: string): number {
  return store.groups.insert(name, Math.floor(Date.now() / 1000), 'test');
}

export function grantGroup(store: Store, groupId: number, a: AccessSpec): number {
  return store.acl.insert(aclEntry('group', null, groupId, a));
}

export function grantGuest(store: Store, groupId: number, accountId: number, a: AccessSpec): number {
  return store.acl.insert(aclEntry('guest', accountId, groupId, a));
}

export function addRole(store: Store, groupId: number, accountId: number, role: 'member' | 'guest' | 'owner'): void {
  store.groups.addRole(groupId, accountId, role, 'test', Math.floor(Date.now() / 1000));
}
