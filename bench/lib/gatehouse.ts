// Gatehouse as a child process, the way an operator runs it (`gatehouse setup-admin`, then
// `gatehouse serve`), with its own temporary config, data and host-key directories. A child, not
// in-process, so its memory can be read from /proc and the bench's own clients don't share its
// event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from '../../test/helpers/ports.js';
import { makeKey, type KeyPair } from './openssh.js';
import { run, stop } from './proc.js';
import type { BenchContext } from './types.js';

export interface GatehouseChild {
  readonly port: number;
  readonly pid: number;
  /** The admin account the bench created, and its key. */
  readonly admin: { readonly name: string; readonly key: KeyPair };
  readonly dir: string;
  readonly process: ChildProcess;
  /** Another admin account, with this key, written by `gatehouse setup-admin` as the first one was. */
  addAdmin(account: string, key: KeyPair): Promise<void>;
  stop(): Promise<void>;
}

export interface GatehouseOptions {
  /** Extra bastion.conf keys. */
  readonly config?: Record<string, unknown>;
  /** pino level; `info` (the default, as in production) logs one line per call. */
  readonly logLevel?: string;
  /** Subdirectory name under ctx.tmpDir, for several servers in one run. */
  readonly name?: string;
}

export async function startGatehouse(ctx: BenchContext, opts: GatehouseOptions = {}): Promise<GatehouseChild> {
  const dir = path.join(ctx.tmpDir, opts.name ?? 'gatehouse');
  fs.mkdirSync(dir, { recursive: true });
  const cli = path.join(ctx.repoRoot, 'dist', 'src', 'cli', 'cli.js');
  const configPath = path.join(dir, 'bastion.conf');
  fs.writeFileSync(configPath, `# bench\n${JSON.stringify({ bastionName: 'bench', ...opts.config }, null, 2)}\n`);
  const dataDir = path.join(dir, 'data');
  const key = makeKey(dir, 'admin_key');
  const addAdmin = async (account: string, k: KeyPair): Promise<void> => {
    const setup = await run(process.execPath, [cli, 'setup-admin', '--account', account, '--public-key-file', k.publicFile, '--config', configPath, '--data-dir', dataDir]);
    if (setup.code !== 0) throw new Error(`gatehouse setup-admin ${account} failed (${setup.code}): ${setup.stderr || setup.stdout}`);
  };
  await addAdmin('bench', key);
  const port = await freePort();
  const logFd = fs.openSync(path.join(dir, 'gatehouse.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--config',
      configPath,
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--hostkeys-dir',
      path.join(dir, 'hostkeys'),
      '--log-level',
      opts.logLevel ?? 'info',
    ],
    { stdio: ['ignore', logFd, logFd] },
  );
  fs.closeSync(logFd);
  const stopIt = (): Promise<void> => stop(child);
  ctx.onCleanup(stopIt);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`gatehouse exited early (${code}); see ${dir}/gatehouse.log`))));
  await Promise.race([waitForPort(port), exited]);
  if (child.pid === undefined) throw new Error('gatehouse did not start');
  return { port, pid: child.pid, admin: { name: 'bench', key }, dir, process: child, addAdmin, stop: stopIt };
}
