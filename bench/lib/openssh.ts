// The OpenSSH client as users run it, timed from spawn to exit. Every comparison pins the same
// key exchange and host key algorithm on all sides (ssh2 has no post-quantum kex; SSH2-NOTES.md).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectConfig } from 'ssh2';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { collect } from '../../test/helpers/child.js';
import { OPENSSH_BATCH_OPTIONS } from '../../test/helpers/openssh.js';

export const PINNED_KEX = 'curve25519-sha256';
export const PINNED_HOST_KEY = 'ssh-ed25519';

/** The client options of every bench call: batch mode, no user config, the pinned algorithms. */
export const SSH_OPTS: readonly string[] = [
  ...OPENSSH_BATCH_OPTIONS,
  '-T',
  '-o',
  `KexAlgorithms=${PINNED_KEX}`,
  '-o',
  `HostKeyAlgorithms=${PINNED_HOST_KEY}`,
  '-o',
  'ControlMaster=no',
  '-o',
  'ControlPath=none',
];

/** An in-process ssh2 client's login to a server on 127.0.0.1, with the same pinned algorithms. */
export function ssh2Login(port: number, username: string, privateKey: string, readyTimeout: number): ConnectConfig {
  return { host: '127.0.0.1', port, username, privateKey, readyTimeout, algorithms: { kex: [PINNED_KEX], serverHostKey: [PINNED_HOST_KEY] } };
}

export interface KeyPair {
  readonly privateFile: string;
  readonly privateKey: string;
  readonly publicLine: string;
  readonly publicFile: string;
}

/** An ed25519 key pair in OpenSSH format, written under dir (private part 0600). */
export function makeKey(dir: string, name: string): KeyPair {
  const pair = generateCheckedKeyPair('ed25519', { comment: `${name}@bench` });
  const privateFile = path.join(dir, name);
  fs.writeFileSync(privateFile, pair.private, { mode: 0o600 });
  fs.writeFileSync(`${privateFile}.pub`, pair.public + '\n');
  return { privateFile, privateKey: pair.private, publicLine: pair.public, publicFile: `${privateFile}.pub` };
}

export interface TimedCall {
  readonly ms: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `ssh -p PORT -i KEY USER@127.0.0.1 -- ARGS…`, timed with the client's start-up included. */
export async function timedSsh(port: number, user: string, keyFile: string, args: readonly string[]): Promise<TimedCall> {
  const started = performance.now();
  const child = spawn('ssh', [...SSH_OPTS, '-i', keyFile, '-p', String(port), `${user}@127.0.0.1`, '--', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await collect(child, { timeoutMs: 30000 });
  return { ...r, ms: performance.now() - started };
}

export async function sshVersion(): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ssh', ['-V'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', () => resolve('ssh not found'));
    child.on('close', () => resolve(err.trim()));
  });
}
