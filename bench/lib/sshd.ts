// A throwaway OpenSSH sshd on 127.0.0.1 (or up to 16 other loopback addresses) and a high port,
// with its own config, host key and authorized_keys in the run's temp dir: the reference a real
// SSH server sets for `ssh … true`.
// When sshd is not installed the bench installs openssh-server (as root, with apt-get); when it
// still can't run, the caller gets the reason to print instead of figures.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { freePort, waitForPort } from '../../test/helpers/ports.js';
import { PINNED_HOST_KEY, PINNED_KEX } from './openssh.js';
import { run, stop } from './proc.js';
import type { BenchContext } from './types.js';

const CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/usr/bin/sshd'];

export interface Sshd {
  readonly port: number;
  readonly user: string;
  /** The listening sshd's pid (its per-connection processes are its children). */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** The loopback addresses it listens on (127.0.0.1 by default); sshd takes at most 16 (MAX_LISTEN_SOCKS). */
  readonly listen?: readonly string[];
  /** The port (a free one on 127.0.0.1 by default). */
  readonly port?: number;
  /** Its directory under ctx.tmpDir (`sshd` by default), for several sshd in one section. */
  readonly name?: string;
  /** More sshd_config lines. */
  readonly extraConfig?: readonly string[];
}

/** sshd refuses more listening sockets than this (MAX_LISTEN_SOCKS in its sources). */
export const SSHD_MAX_LISTEN = 16;

function findSshd(): string | null {
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

/** sshd's path, installing openssh-server first when it is missing; or why it can't be had. */
export async function ensureSshd(ctx: BenchContext): Promise<{ path: string } | { error: string }> {
  const found = findSshd();
  if (found) return { path: found };
  if (process.getuid?.() !== 0) return { error: 'sshd not installed (and not root to install openssh-server)' };
  ctx.log('sshd not found: apt-get install -y openssh-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = await run('apt-get', ['install', '-y', '--no-install-recommends', 'openssh-server'], { env });
  if (r.code !== 0) {
    ctx.log('apt-get install failed, refreshing the package lists once');
    await run('apt-get', ['update'], { env });
    r = await run('apt-get', ['install', '-y', '--no-install-recommends', 'openssh-server'], { env });
  }
  const after = findSshd();
  if (after) return { path: after };
  return { error: `sshd not installed: apt-get install openssh-server failed (${r.code}): ${r.stderr.trim().split('\n').pop() ?? ''}` };
}

export async function startSshd(ctx: BenchContext, sshdPath: string, authorizedPublicLine: string, opts: SshdOptions = {}): Promise<Sshd> {
  const listen = opts.listen ?? ['127.0.0.1'];
  const bad = listen.find((a) => !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a));
  if (bad !== undefined) throw new Error(`the bench's sshd listens on 127.0.0.0/8 only, not ${bad}`);
  if (listen.length === 0 || listen.length > SSHD_MAX_LISTEN) throw new Error(`sshd listens on 1 to ${SSHD_MAX_LISTEN} addresses, not ${listen.length}`);
  const dir = path.join(ctx.tmpDir, opts.name ?? 'sshd');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  fs.writeFileSync(hostKey, generateCheckedKeyPair('ed25519').private, { mode: 0o600 });
  // The session's HOME is an empty directory, so the login user's shell start-up files (a
  // .bashrc that runs pyenv, say) are not what gets measured: only sshd and a trivial command.
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { recursive: true });
  const authorized = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorized, authorizedPublicLine + '\n', { mode: 0o600 });
  const user = os.userInfo().username;
  const port = opts.port ?? (await freePort());
  const config = [
    `Port ${port}`,
    ...listen.map((a) => `ListenAddress ${a}`),
    `HostKey ${hostKey}`,
    `HostKeyAlgorithms ${PINNED_HOST_KEY}`,
    `KexAlgorithms ${PINNED_KEX}`,
    `AuthorizedKeysFile ${authorized}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${user}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `SetEnv HOME=${home}`,
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'LogLevel ERROR',
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n');
  const configFile = path.join(dir, 'sshd_config');
  fs.writeFileSync(configFile, config);
  // As root, sshd wants its privilege-separation directory (normally made by the service unit).
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const test = await run(sshdPath, ['-t', '-f', configFile]);
  if (test.code !== 0) throw new Error(`sshd -t refused the config: ${test.stderr.trim()}`);
  const child = spawn(sshdPath, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const stopIt = (): Promise<void> => stop(child);
  ctx.onCleanup(stopIt);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${stderr.trim()}`))));
  await Promise.race([Promise.all(listen.map((a) => waitForPort(port, a))), exited]);
  if (child.pid === undefined) throw new Error('sshd did not start');
  return { port, user, pid: child.pid, stop: stopIt };
}
