// One session channel of a logged-in connection: take its pty, window changes, environment and
// signals, accept one exec or shell, and hand it to the dispatcher as plain data; then send the
// exit status back and close. Everything else asked on the channel is refused (deny by default).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Connection, ServerChannel, Session } from 'ssh2';
import type { Services } from '../dispatch/callTypes.js';
import { runCall } from '../dispatch/dispatch.js';
import type { BastionConfig } from '../config/schema.js';
import type { LiveConnection } from '../services/liveSessions.js';
import type { PtyInfo } from '../egress/types.js';
import { boundChannelInput } from '../kernel/channelInputBound.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { AccountRow } from '../store/accounts.js';
import { channelSink } from './channelSink.js';
import { acceptClientEnv } from './clientEnv.js';

/** One SSH session channel of a logged-in connection, and what it needs of that connection. */
export interface SessionFacts {
  readonly account: AccountRow;
  readonly peer: { ip: string; port: number };
  /** The bastion's own address of the connection, when known. */
  readonly local: { ip: string; port: number } | undefined;
  readonly connId: string;
  readonly log: Logger;
  readonly svc: Services;
  readonly connection: Connection;
  /** The connection as the live registry counts it: draining refuses new calls. */
  readonly live: LiveConnection;
  /** Notes a request refused (logged once, then counted). */
  readonly refusedRequest: (what: string) => void;
}

export function handleSession(session: Session, facts: SessionFacts): void {
  const { account, peer, local, connId, log, svc, connection, live, refusedRequest } = facts;
  let pty = false;
  // The pty as the client sized it, and its later window changes and signals, for the egress
  // bridge (which passes them to the target); plugins only need the `pty` flag.
  let ptyInfo: PtyInfo | null = null;
  const events = new EventEmitter();
  const env = new Map<string, string>();
  let started = false;
  session.on('pty', (accept, _reject, info) => {
    pty = true;
    ptyInfo = { term: info.term, cols: info.cols, rows: info.rows, width: info.width, height: info.height, modes: { ...info.modes } };
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    if (ptyInfo) ptyInfo = { ...ptyInfo, cols: info.cols, rows: info.rows, width: info.width, height: info.height };
    accept?.();
    events.emit('window-change', { cols: info.cols, rows: info.rows, width: info.width, height: info.height });
  });
  // Client environment (acceptClientEnv decides); refusals log once per session, then a count.
  let envLimits: BastionConfig | null = null;
  let envRefused = 0;
  session.on('env', (accept, reject, info) => {
    envLimits ??= svc.config.current();
    const r = acceptClientEnv(env, info.key, info.val, envLimits);
    if (r.ok) return accept?.();
    if (envRefused++ === 0) log.info({ account: account.name, name: info.key, why: r.why }, 'client environment variable refused');
    reject?.();
  });
  session.once('close', () => {
    if (envRefused > 1) log.info({ account: account.name, refused: envRefused }, 'client environment variables refused');
  });
  session.on('signal', (accept, _reject, info) => {
    accept?.();
    events.emit('signal', info.name);
  });
  const start = (channel: ServerChannel, command: string, kind: 'exec' | 'shell'): void => {
    started = true;
    // Accepted synchronously (above), paused until someone reads stdin: see SSH2-NOTES.md.
    channel.pause();
    // A client that ignores the SSH window could otherwise fill the paused channel's buffer
    // without bound (see boundChannelInput): that is a protocol violation, the connection ends.
    boundChannelInput(channel, () => {
      log.warn({ account: account.name }, 'client sent past the channel window, disconnecting');
      connection.end();
    });
    const { sink, gone, dispose } = channelSink(channel, [session, connection]);
    const ingress = { channel, stderr: channel.stderr, pty: () => ptyInfo, events, ...(local ? { local } : {}) };
    // Counted until the client has closed the channel too, which it does once it has read the
    // exit status: a connection closed (or a bastion stopped) before that could lose it (OpenSSH's
    // ControlMaster then reports 255 to its mux client). Closing connections bound the wait.
    const over = live.beginCall();
    let channelClosed = false;
    channel.once('close', () => (channelClosed = true));
    runCall(svc, { account, peer, local, connId, command, kind, pty, env, stdin: channel, sink, gone, log, ingress })
      .catch((err: unknown): { exit: number; signal?: undefined } => {
        log.error({ err }, 'call crashed');
        return { exit: EXIT.PLUGIN_ERROR };
      })
      .then((outcome) => {
        dispose();
        // exit-status (or exit-signal) first, then close: end() first would make exit() a no-op
        // (the client sees 255).
        if (outcome.signal) channel.exit(outcome.signal.name, outcome.signal.coreDumped, outcome.signal.message);
        else channel.exit(outcome.exit);
        channel.end();
        // Unread input would keep the paused channel from ever emitting 'close': discard it.
        channel.resume();
        if (channelClosed) over();
        else channel.once('close', over);
      })
      // The handler can't await (ssh2 event callback); a fault while closing the channel is logged
      // rather than left as an unhandled rejection, which would stop the whole bastion.
      .catch((err: unknown) => log.error({ err }, 'closing a call failed'));
  };
  // A connection being closed, or a bastion draining for shutdown, starts no new call.
  session.on('exec', (accept, reject, info) => {
    if (started || !live.open) {
      refusedRequest('exec');
      return reject?.();
    }
    const channel = accept?.();
    if (channel) start(channel, info.command, 'exec');
  });
  session.on('shell', (accept, reject) => {
    if (started || !live.open) {
      refusedRequest('shell');
      return reject?.();
    }
    const channel = accept?.();
    if (channel) start(channel, '', 'shell');
  });
  for (const ev of ['subsystem', 'x11', 'auth-agent', 'sftp'] as const) {
    session.on(ev as 'subsystem', (_accept: unknown, reject: (() => void) | undefined) => {
      refusedRequest(ev);
      reject?.();
    });
  }
}
