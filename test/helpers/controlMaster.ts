// Many OpenSSH calls as the same account over one connection: OpenSSH's connection sharing
// (ControlMaster). The first call of an account opens the master connection and leaves it in the
// background (ControlPersist); each later call is a new session on it, without a TCP handshake,
// a key exchange or an authentication, so a long sequence of calls costs one login per account.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { greppable, sshCall, type CallResult } from './clients.js';
import type { Answer, Caller } from './groups.js';

export interface SharedConnections {
  /** The directory holding the control sockets (one per account, named by OpenSSH's %C hash). */
  readonly dir: string;
  /** The OpenSSH options that make a call use (or open) its account's master. */
  readonly sshOptions: readonly string[];
  /** `ssh CALLER@bastion -- ARGS…` over the caller's master. */
  call(port: number, who: Caller, args: readonly string[], opts?: { stdin?: string }): Promise<CallResult>;
  /** One `--json-greppable` call over the caller's master, answered as groups.ts's osh(). */
  osh(port: number, who: Caller, args: readonly string[], opts?: { stdin?: string }): Promise<Answer>;
  /** Whether the caller's master is up (`ssh -O check`). */
  alive(port: number, who: Caller): Promise<boolean>;
  /** Ends the masters of these callers (`ssh -O exit`), then removes the socket directory. */
  close(port: number, callers: readonly Caller[]): Promise<void>;
}

/**
 * A fresh socket directory; masters stay up 30 s after their last session unless closed.
 * The control sockets are unix sockets, whose paths are short (108 bytes): %C keeps them so.
 */
export function sharedConnections(): SharedConnections {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghmux-'));
  const sshOptions = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${path.join(dir, '%C')}`, '-o', 'ControlPersist=30'];
  const control = (port: number, who: Caller, command: 'check' | 'exit'): Promise<CallResult> =>
    sshCall(port, who.name, who.key.privateFile, [], { sshOptions: [...sshOptions, '-O', command], timeoutMs: 10_000 });
  const call = (port: number, who: Caller, args: readonly string[], opts: { stdin?: string } = {}): Promise<CallResult> =>
    sshCall(port, who.name, who.key.privateFile, args, { ...opts, sshOptions });
  return {
    dir,
    sshOptions,
    call,
    async osh(port, who, args, opts = {}) {
      const r = await call(port, who, ['--json-greppable', ...args], opts);
      return { exit: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
    },
    async alive(port, who) {
      return (await control(port, who, 'check')).code === 0;
    },
    async close(port, callers) {
      // A master the bastion already closed (account deleted or frozen) answers 255: nothing to end.
      await Promise.all(callers.map((who) => control(port, who, 'exit')));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
