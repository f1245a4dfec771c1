// The hostile loads of the soak, one function each. Every one runs until stop() (or until its own
// count/byte budget is spent), never dials anything but 127.0.0.1, bounds every wait with a
// deadline, and reports what the server did as counted outcomes rather than as errors: a refusal
// is the server defending itself, which is what we want to see.
import net from 'node:net';
import type { ClientChannel } from 'ssh2';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { Tally } from './tally.js';
import { closed, connect, drained, openExec, outcomeLabel, type Login, type SshClient } from './ssh.js';

export const ATTACKS = ['idle-sockets', 'auth-flood', 'stdin-flood', 'long-line', 'giant-strings', 'slow-reader'] as const;
export type AttackKind = (typeof ATTACKS)[number];

export interface SoakSizes {
  /** a. TCP connections opened and held silent. */
  readonly idleSockets: number;
  /** b. Wrong-key logins in flight at once. */
  readonly authConcurrency: number;
  /** c. Bytes of stdin streamed into pty calls, in all. */
  readonly stdinBytes: number;
  /** d. Length of the single line sent over a pty, repeatedly. */
  readonly lineBytes: number;
  /** e. Length of the user name and of the exec string. */
  readonly userBytes: number;
  readonly execBytes: number;
  /** f. Calls with a long output that are opened and never read. */
  readonly slowSessions: number;
}

export const FULL_SIZES: SoakSizes = {
  idleSockets: 2000,
  authConcurrency: 16,
  stdinBytes: 400 * 1024 * 1024,
  lineBytes: 1024 * 1024,
  userBytes: 30_000,
  execBytes: 64 * 1024,
  slowSessions: 8,
};

export interface AttackSpec {
  readonly kind: AttackKind;
  /** The attacker's own valid login (another account than the good client's, from another loopback address). */
  readonly login: Login;
  readonly sizes: SoakSizes;
  /** A plugin that reads a line from stdin (asks for it first). */
  readonly stdinCommand: string;
  /** A call with a long output, for the client that stops reading. */
  readonly longOutputCommand: string;
}

export interface AttackReport {
  /** Outcome label → count. */
  readonly counts: Record<string, number>;
  /** One line: what was sent and what the server did. */
  readonly summary: string;
}

export interface RunningAttack {
  /** Resolves once the load is in place (all sockets opened, first sessions started…), capped. */
  readonly engaged: Promise<void>;
  stop(): Promise<AttackReport>;
}

/** Per connection attempt / call: nothing in an attack waits longer than this. */
const STEP_MS = 10_000;
const ENGAGE_CAP_MS = 5_000;
const CHUNK = 64 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const capped = (p: Promise<unknown>): Promise<void> =>
  Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    sleep(ENGAGE_CAP_MS),
  ]);
const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function startAttack(spec: AttackSpec): RunningAttack {
  switch (spec.kind) {
    case 'idle-sockets':
      return idleSockets(spec);
    case 'auth-flood':
      return authFlood(spec);
    case 'stdin-flood':
      return stdinFlood(spec);
    case 'long-line':
      return longLine(spec);
    case 'giant-strings':
      return giantStrings(spec);
    case 'slow-reader':
      return slowReader(spec);
  }
}

/**
 * Runs `workers` copies of `step` in a loop until stopped (the loop of each stops itself too);
 * stop() then answers with `report()`.
 */
function loop(workers: number, step: (isStopped: () => boolean) => Promise<void>, report: () => AttackReport): RunningAttack {
  let stopped = false;
  let firstDone: () => void = () => {};
  const first = new Promise<void>((r) => (firstDone = r));
  const all = Promise.all(
    Array.from({ length: workers }, async () => {
      while (!stopped) {
        await step(() => stopped);
        firstDone();
      }
    }),
  );
  return {
    engaged: capped(first),
    async stop() {
      stopped = true;
      await Promise.race([all, sleep(STEP_MS + 2000)]);
      return report();
    },
  };
}

/** One attacker connection: `use` runs on it; a failure anywhere is counted (after `prefix`), and the connection is always destroyed. */
async function onConnection(t: Tally, login: Login, use: (c: SshClient) => Promise<void>, prefix = ''): Promise<void> {
  let c: SshClient | null = null;
  try {
    c = await connect(login, STEP_MS);
    await use(c);
  } catch (e) {
    t.add(`${prefix}${outcomeLabel(e)}`);
  } finally {
    c?.destroy();
  }
}

/** a. Sockets that connect and never send a byte. */
function idleSockets(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const socks: net.Socket[] = [];
  let stopping = false;
  const openOne = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: spec.login.port, ...(spec.login.localAddress ? { localAddress: spec.login.localAddress } : {}) });
      socks.push(s);
      let opened = false;
      s.on('data', () => {}); // the server's identification line: read and dropped
      s.once('connect', () => {
        opened = true;
        t.add('opened');
        resolve();
      });
      s.on('error', (e) => {
        if (!opened) t.add(`refused (${outcomeLabel(e)})`);
        resolve();
      });
      s.once('close', () => {
        if (opened && !stopping) t.add('closed by server');
        resolve();
      });
    });
  const opening = (async () => {
    for (let i = 0; i < spec.sizes.idleSockets && !stopping; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, spec.sizes.idleSockets - i) }, openOne));
    }
  })();
  return {
    engaged: capped(opening),
    async stop() {
      stopping = true;
      await capped(opening);
      for (const s of socks) s.destroy();
      return { counts: t.counts, summary: `${spec.sizes.idleSockets} silent sockets: ${t.text()}` };
    },
  };
}

/** b. Logins with a key the account doesn't have, as fast as `authConcurrency` clients can. */
function authFlood(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const wrong = generateCheckedKeyPair('ed25519', { comment: 'soak-wrong-key' }).private;
  return loop(
    spec.sizes.authConcurrency,
    async () => {
      try {
        const c = await connect({ ...spec.login, privateKey: wrong }, STEP_MS);
        t.add('LOGGED IN');
        c.end();
      } catch (e) {
        t.add(outcomeLabel(e));
      }
    },
    () => ({ counts: t.counts, summary: `wrong-key logins: ${t.text()}` }),
  );
}

/** Writes `bytes` (or until the call ends) into a channel, honouring backpressure; returns bytes written. */
async function feed(ch: ClientChannel, bytes: number, chunk: Buffer, isStopped: () => boolean, t: Tally): Promise<number> {
  let sent = 0;
  let open = true;
  ch.once('close', () => (open = false));
  while (open && sent < bytes && !isStopped()) {
    const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
    sent += piece.length;
    if (!ch.write(piece)) {
      const r = await drained(ch, STEP_MS);
      if (r === 'stalled') {
        // The server stopped taking input: backpressure, which is the defence we hope to see.
        t.add('write stalled 10 s');
        break;
      }
    }
  }
  return sent;
}

/** c. A pty call that asks for stdin gets `stdinBytes` with no newline, call after call. */
function stdinFlood(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const chunk = Buffer.alloc(CHUNK, 'A');
  let sent = 0;
  let calls = 0;
  return loop(
    1,
    async (isStopped) => {
      // The budget is spent: idle until stopped (the loop calls again).
      if (sent >= spec.sizes.stdinBytes) return sleep(100);
      await onConnection(t, spec.login, async (c) => {
        const e = await openExec(c, spec.stdinCommand, true, STEP_MS);
        e.ch.on('data', () => {});
        calls++;
        sent += await feed(e.ch, spec.sizes.stdinBytes - sent, chunk, isStopped, t);
        e.ch.end();
        if (!isStopped()) t.add(`exit ${await closed(e, STEP_MS, true)}`);
      });
    },
    () => ({ counts: { ...t.counts, bytes: sent, calls }, summary: `${mib(sent)} of stdin in ${calls} pty calls: ${t.text()}` }),
  );
}

/** d. One line of `lineBytes` then Enter over a pty, to a call that reads a line; repeated. */
function longLine(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const line = Buffer.concat([Buffer.alloc(spec.sizes.lineBytes, 'B'), Buffer.from('\r')]);
  let lines = 0;
  return loop(
    1,
    (isStopped) =>
      onConnection(t, spec.login, async (c) => {
        const e = await openExec(c, spec.stdinCommand, true, STEP_MS);
        e.ch.on('data', () => {});
        // Stopped half way, the line is incomplete: the server would rightly wait for the rest.
        if ((await feed(e.ch, line.length, line, isStopped, t)) < line.length || isStopped()) return;
        lines++;
        t.add(`exit ${await closed(e, STEP_MS, true)}`);
      }),
    () => ({ counts: { ...t.counts, lines }, summary: `${lines} lines of ${mib(spec.sizes.lineBytes)}: ${t.text()}` }),
  );
}

/** e. Logins with a huge user name, and calls with a huge exec string, alternately. */
function giantStrings(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const user = 'u'.repeat(spec.sizes.userBytes);
  const exec = `--osh info --json --${'x'.repeat(Math.max(1, spec.sizes.execBytes - 20))}`;
  let turn = 0;
  return loop(
    4,
    () =>
      turn++ % 2 === 0
        ? onConnection(t, { ...spec.login, user }, async () => t.add('user: LOGGED IN'), 'user: ')
        : onConnection(
            t,
            spec.login,
            async (c) => {
              const e = await openExec(c, exec, false, STEP_MS);
              e.ch.on('data', () => {});
              e.ch.stderr.resume();
              e.ch.end();
              t.add(`exec: exit ${await closed(e, STEP_MS, true)}`);
            },
            'exec: ',
          ),
    () => ({ counts: t.counts, summary: `${spec.sizes.userBytes} B user names / ${spec.sizes.execBytes} B exec strings: ${t.text()}` }),
  );
}

/** f. Calls with a long output whose output is never read (the channel stays paused). */
function slowReader(spec: AttackSpec): RunningAttack {
  const t = new Tally();
  const clients: SshClient[] = [];
  let stopping = false;
  const opening = (async () => {
    for (let i = 0; i < spec.sizes.slowSessions && !stopping; i++) {
      try {
        const c = await connect(spec.login, STEP_MS);
        clients.push(c);
        const { ch } = await openExec(c, spec.longOutputCommand, false, STEP_MS);
        // No 'data' listener and no resume(): ssh2 stops adjusting the window once its buffer
        // is full, so the server has to hold (or stop producing) the rest.
        ch.once('close', () => {
          if (!stopping) t.add('closed by server');
        });
        t.add('opened, unread');
      } catch (e) {
        t.add(outcomeLabel(e));
      }
    }
  })();
  return {
    engaged: capped(opening),
    async stop() {
      stopping = true;
      await capped(opening);
      for (const c of clients) c.destroy();
      return { counts: t.counts, summary: `${spec.sizes.slowSessions} unread long outputs: ${t.text()}` };
    },
  };
}
