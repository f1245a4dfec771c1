// ssh2 client plumbing for the soak: every connection and every call has a deadline, and every
// failure is reduced to a short label ("auth-refused", "reset", "timeout"…) so that thousands of
// outcomes can be counted instead of printed.
import net from 'node:net';
import ssh2, { type ClientChannel } from 'ssh2';
import { ssh2Login } from '../lib/openssh.js';
const { Client } = ssh2;

export type SshClient = InstanceType<typeof Client>;

export interface Login {
  readonly port: number;
  readonly user: string;
  readonly privateKey: string;
  /** The loopback address to connect from (127.0.0.2 for attackers: another "source"). */
  readonly localAddress?: string;
}

/** What a failed connection or call comes down to, for counting. */
export function outcomeLabel(e: unknown): string {
  const err = e as { code?: unknown; level?: unknown; message?: unknown };
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  if (/authentication methods failed/i.test(msg)) return 'auth-refused';
  if (/timed out|timeout/i.test(msg)) return 'timeout';
  if (typeof err?.code === 'string') return err.code.toLowerCase();
  if (/not connected|no response|closed|ended/i.test(msg)) return 'closed-by-server';
  if (/bad packet length|packet/i.test(msg)) return 'protocol-error';
  return msg.slice(0, 40).replace(/\s+/g, '-').toLowerCase();
}

/** Connects and authenticates; rejects with the client's error, or after timeoutMs. */
export function connect(login: Login, timeoutMs: number): Promise<SshClient> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    c.once('ready', () => {
      clearTimeout(timer);
      // Errors after login (a reset while a call runs) surface through the call's own deadline.
      c.on('error', () => {});
      resolve(c);
    });
    // ssh2 may emit a second 'error' (a connection the server refused at accept gives both a
    // reset and "Connection lost before handshake"): keep listening, settle once.
    c.on('error', (e) => {
      clearTimeout(timer);
      c.destroy();
      reject(e);
    });
    c.connect({ ...ssh2Login(login.port, login.user, login.privateKey, timeoutMs), ...(login.localAddress ? { localAddress: login.localAddress } : {}) });
    c.setNoDelay(true);
  });
}

export interface Exec {
  readonly ch: ClientChannel;
  /** The exit status once the channel has closed (null when none was sent). */
  readonly done: Promise<number | null>;
  /**
   * The exit status as soon as it arrives (or null at close without one). An attacker's channel
   * may never close on our side: its writes the server never took keep the stream open.
   */
  readonly exited: Promise<number | null>;
}

/**
 * Opens an exec channel on an authenticated client, or rejects after timeoutMs. The exit status is
 * listened for inside ssh2's callback: the server's answer, exit status and close often arrive in
 * the same TCP read as the exec's success, and are emitted before any awaiting code runs again.
 */
export function openExec(c: SshClient, command: string, pty: boolean, timeoutMs: number): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('exec request timed out')), timeoutMs);
    c.exec(command, pty ? { pty: { term: 'xterm', cols: 80, rows: 24, width: 0, height: 0, modes: {} } } : {}, (err, ch) => {
      clearTimeout(timer);
      if (err) return reject(err);
      let code: number | null = null;
      let exited: (n: number | null) => void = () => {};
      ch.on('exit', (n: number | null) => {
        code = n;
        exited(n);
      });
      const done = new Promise<number | null>((r) => ch.once('close', () => r(code)));
      resolve({ ch, done, exited: Promise.race([done, new Promise<number | null>((r) => (exited = r))]) });
    });
  });
}

export interface CallOutcome {
  readonly code: number | null;
  readonly stdout: string;
}

/** Runs one command on an open client, reading all its output; rejects after timeoutMs. */
export async function call(c: SshClient, command: string, timeoutMs: number): Promise<CallOutcome> {
  const deadline = Date.now() + timeoutMs;
  const e = await openExec(c, command, false, timeoutMs);
  const { ch } = e;
  let stdout = '';
  ch.on('data', (d: Buffer) => (stdout += d.toString()));
  ch.stderr.resume();
  ch.end();
  const code = await closed(e, Math.max(1, deadline - Date.now()));
  if (code === 'timeout') {
    ch.destroy();
    throw new Error('call timed out');
  }
  return { code, stdout };
}

/** Waits until a writable side drains, closes, or timeoutMs passes; says which. */
export function drained(ch: ClientChannel, timeoutMs: number): Promise<'drain' | 'close' | 'stalled'> {
  return new Promise((resolve) => {
    const done = (r: 'drain' | 'close' | 'stalled'): void => {
      clearTimeout(timer);
      ch.off('drain', onDrain);
      ch.off('close', onClose);
      resolve(r);
    };
    const onDrain = (): void => done('drain');
    const onClose = (): void => done('close');
    const timer = setTimeout(() => done('stalled'), timeoutMs).unref();
    ch.once('drain', onDrain);
    ch.once('close', onClose);
  });
}

/** The exit status when the channel closes (or, with `early`, as soon as it arrives), or 'timeout' after timeoutMs. */
export function closed(e: Exec, timeoutMs: number, early = false): Promise<number | null | 'timeout'> {
  return Promise.race([early ? e.exited : e.done, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())]);
}

/** Whether this machine lets us use a local address (Linux routes all of 127/8 to lo; not every OS does). */
export function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, address, () => s.close(() => resolve(true)));
  });
}
