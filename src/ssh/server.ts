// The SSH side, kept thin: accept TCP with Nagle off and a login deadline, authenticate by public
// key against the store, accept only the channel requests we serve, and hand every exec/shell to
// the dispatcher as plain data. Everything ssh2 does not need to know stays out of here.
import crypto from 'node:crypto';
import net from 'node:net';
import ssh2, { type Algorithms, type AuthContext, type Connection } from 'ssh2';
const { Server } = ssh2;
import type { Logger } from 'pino';
import type { Services } from '../dispatch/callTypes.js';
import type { BastionConfig } from '../config/schema.js';
import { canonicalIp } from '../policy/fromList.js';
import type { AccountRow } from '../store/accounts.js';
import type { HostKey } from './hostKeys.js';
import { handleSession } from './session.js';
import { checkIngressAttempt, checkSignedAfterQuery, type KeyMatch } from './ingressAuth.js';
import { createPreauthLimiter, preauthPolicy, type PreauthEvent, type PreauthPolicy, type PreauthTicket, type RefusalReason } from './preauthLimits.js';

export interface SshServerOptions {
  readonly hostKeys: readonly HostKey[];
  readonly log: Logger;
  readonly services: Services;
  readonly version: string;
  /** The admission state every listener shares (see createAdmission). */
  readonly admission: Admission;
}

/**
 * What decides who may come in, for the whole process as sshd's MaxStartups and PerSourcePenalties
 * are for all its listeners: the pre-authentication limiter (its policy rebuilt when the
 * configuration changes, not on every connection) and the accounts refused a connection past
 * maxConnectionsPerAccount, with how many (the first refusal logs, the next admitted connection
 * logs the count: one line per episode, not per connection). One per process, shared by every
 * listen address, so a client can't multiply its allowance by the number of listeners.
 */
export interface Admission {
  readonly preauth: ReturnType<typeof createPreauthLimiter>;
  policyOf(config: BastionConfig): PreauthPolicy;
  readonly overLimit: Map<number, number>;
}

export function createAdmission(services: Services, log: Logger): Admission {
  let policyFor: { config: BastionConfig; policy: PreauthPolicy } | null = null;
  return {
    preauth: createPreauthLimiter({ now: () => services.clock.now(), random: Math.random, report: (e) => logPreauthEvent(log, e) }),
    policyOf(config) {
      if (policyFor?.config !== config) policyFor = { config, policy: preauthPolicy(config) };
      return policyFor.policy;
    },
    overLimit: new Map(),
  };
}

export const ALGORITHMS: Algorithms = {
  kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521'],
  serverHostKey: ['ssh-ed25519', 'ecdsa-sha2-nistp256'],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

/** How long close() lets a connection the bastion ended flush its last packets before destroying it. */
const FLUSH_MS = 2000;

interface Accepted {
  readonly timer: NodeJS.Timeout;
  readonly local: { ip: string; port: number } | undefined;
  readonly config: BastionConfig;
  /** Counts the connection as unauthenticated until it logs in or closes (pre-auth limits). */
  readonly ticket: PreauthTicket;
  /** Refused authentication attempts, and whether the login deadline ran out: how it ended. */
  failures: number;
  graceExceeded: boolean;
}

// What a refused client reads before the connection closes (RFC 4253 allows lines before the
// version string; OpenSSH's sshd sends the same words).
const REFUSAL_TEXT: Record<RefusalReason, string> = {
  penalty: 'Not allowed at this time\r\n',
  'per-source': 'Exceeded PerSourceMaxStartups\r\n',
  startups: 'Exceeded MaxStartups\r\n',
};

/** One log line per pre-auth limit event (see preauthLimits.ts), never one per refused connection. */
function logPreauthEvent(log: Logger, e: PreauthEvent): void {
  switch (e.kind) {
    case 'startups-refusing':
      log.warn({ peer: e.peer, unauthenticated: e.unauthenticated, maxStartups: e.maxStartups }, 'unauthenticated connections limit reached, refusing new connections');
      return;
    case 'startups-stopped':
      log.info({ refused: e.refused }, 'unauthenticated connections limit no longer refusing');
      return;
    case 'per-source-refusing':
      log.warn(
        { peer: e.peer, unauthenticated: e.unauthenticated, perSourceMaxStartups: e.limit },
        'per-source unauthenticated connections limit reached, refusing new connections',
      );
      return;
    case 'per-source-stopped':
      log.info({ peer: e.peer, refused: e.refused }, 'per-source unauthenticated connections limit no longer refusing');
      return;
    case 'penalty-started':
      log.warn({ peer: e.peer, seconds: e.seconds, reason: e.reason }, 'penalty started');
      return;
    case 'penalty-ended':
      log.info({ peer: e.peer, refused: e.refused }, 'penalty ended');
      return;
    case 'penalty-table-full':
      log.warn({ dropped: e.dropped, maxSources: e.maxSources }, 'penalty table full, least recently penalised sources forgotten');
      return;
  }
}

export interface RunningSsh {
  readonly tcp: net.Server;
  /** Stops accepting TCP connections; those open go on (a shutdown drains them). */
  stopListening(): void;
  /** Stops listening and destroys the sockets still open; resolves once the listener is closed. */
  close(): Promise<void>;
}

export function createSshServer(opts: SshServerOptions): RunningSsh {
  const { log, services } = opts;
  const ssh = new Server({
    hostKeys: opts.hostKeys.map((k) => k.privateKey),
    ident: `Gatehouse_${opts.version}`,
    algorithms: ALGORITHMS,
  });
  const sockets = new Set<net.Socket>();
  // ssh2 does not say which socket a connection came from; the peer address and port do, and they
  // are unique among live TCP connections. One entry per socket, from accept to close: the login
  // deadline (cleared once authenticated), our own address (the sessions table's "via") and the
  // configuration read at accept, which the whole login then uses (one config read per connection).
  const accepted = new Map<string, Accepted>();
  const { preauth, policyOf, overLimit } = opts.admission;
  ssh.on('connection', (client: Connection, info: { ip: string; port: number }) => {
    const a = accepted.get(`${info.ip}|${info.port}`);
    handleConnection(
      client,
      { ip: canonicalIp(info.ip), port: info.port },
      a?.local,
      a?.config ?? services.config.current(),
      opts,
      overLimit,
      () => {
        if (a) clearTimeout(a.timer);
        a?.ticket.authenticated();
      },
      () => {
        if (a) a.failures++;
      },
    );
  });
  const tcp = net.createServer({ noDelay: true }, (sock) => {
    sock.on('error', () => {});
    const config = services.config.current();
    // Refused before ssh2 sees the socket: no key exchange, no state kept for it.
    const peerIp = canonicalIp(sock.remoteAddress ?? '');
    const admitted = preauth.admit(peerIp, policyOf(config));
    if (!admitted.ok) {
      sock.write(REFUSAL_TEXT[admitted.why]);
      sock.destroy();
      return;
    }
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    // The login deadline covers the whole handshake and authentication; ssh2 has none, and
    // 'connection' only fires after the client's identification line.
    const timer = setTimeout(() => {
      log.info({ peer: sock.remoteAddress }, 'login grace time exceeded, dropping');
      entry.graceExceeded = true;
      sock.destroy();
    }, config.loginGraceTimeSeconds * 1000);
    timer.unref();
    const key = `${sock.remoteAddress}|${sock.remotePort}`;
    const local = sock.localAddress !== undefined && sock.localPort !== undefined ? { ip: canonicalIp(sock.localAddress), port: sock.localPort } : undefined;
    const entry: Accepted = { timer, local, config, ticket: admitted.ticket, failures: 0, graceExceeded: false };
    accepted.set(key, entry);
    sock.on('close', () => {
      clearTimeout(timer);
      if (accepted.get(key) === entry) accepted.delete(key);
      // Ignored once the connection logged in; otherwise its source pays for how it ended.
      entry.ticket.closed(entry.failures > 0 ? 'authfail' : entry.graceExceeded ? 'grace-exceeded' : 'noauth');
    });
    ssh.injectSocket(sock);
  });
  // net.Server.close() may be called once: its callback fires when the last socket is gone.
  let closed: Promise<void> | null = null;
  const stopListening = (): Promise<void> => (closed ??= new Promise((resolve) => tcp.close(() => resolve())));
  return {
    tcp,
    stopListening: () => void stopListening(),
    close: async () => {
      const done = stopListening();
      // A connection the bastion ended (client.end()) may still be flushing its last packets
      // (exit status, channel close, disconnect): destroying it now would drop them. It gets a
      // moment to finish; every other socket is destroyed at once.
      const flushing = [...sockets].filter((s) => s.writableEnded && !s.destroyed);
      for (const s of sockets) if (!flushing.includes(s)) s.destroy();
      if (flushing.length > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(flushing.map((s) => new Promise<void>((r) => s.once('close', () => r())))), new Promise<void>((r) => (timer = setTimeout(r, FLUSH_MS)))]);
        clearTimeout(timer);
      }
      for (const s of sockets) s.destroy();
      return done;
    },
  };
}

function handleConnection(
  client: Connection,
  peer: { ip: string; port: number },
  local: { ip: string; port: number } | undefined,
  config: BastionConfig,
  opts: SshServerOptions,
  overLimit: Map<number, number>,
  loggedIn: () => void,
  failedAttempt: () => void,
): void {
  const connId = crypto.randomBytes(6).toString('hex');
  const log = opts.log.child({ conn: connId, peer: `${peer.ip}:${peer.port}` });
  const svc = opts.services;
  let attempts = 0;
  let account: AccountRow | null = null;
  log.info('connection');
  // At info: a protocol error is how an oversize request (an exec past ssh2's packet limit) ends
  // its connection before any call, so it is the only trace that attempt leaves.
  client.on('error', (err) => log.info({ account: account?.name, err: err.message }, 'connection error'));
  // Like sshd's MaxAuthTries, every refused attempt counts, key queries included: otherwise a
  // client could probe any number of public keys against an account on one connection. The
  // connection is dropped when the count reaches the limit.
  const refuse = (ctx: AuthContext, why: string, extra: Record<string, unknown> = {}): void => {
    attempts++;
    failedAttempt();
    log.info({ account: ctx.username, method: ctx.method, why, ...extra }, 'auth refused');
    ctx.reject(['publickey']);
    if (attempts >= config.maxAuthTries) {
      log.info({ account: ctx.username, attempts }, 'too many authentication failures, disconnecting');
      client.end();
    }
  };
  // OpenSSH first asks whether a key would do, then signs with it: the signed attempt that follows
  // an accepted query for the same account and key reuses that query's match (the connection's
  // configuration is the same), so a login looks the key up once, not twice.
  let queried: { username: string; algo: string; data: Buffer; match: KeyMatch } | null = null;
  client.on('authentication', (ctx) => {
    // ssh2 emits this from inside its socket handler: anything thrown here (a store error, a
    // corrupt row) would take the whole process down. Refuse the attempt and log it instead.
    try {
      authenticate(ctx);
    } catch (err) {
      log.error({ err, account: ctx.username }, 'authentication failed internally');
      refuse(ctx, 'internal-error');
    }
  });
  const authenticate = (ctx: AuthContext): void => {
    // 'none' is how clients ask which methods exist; it is not an attempt.
    if (ctx.method === 'none') {
      ctx.reject(['publickey']);
      return;
    }
    if (ctx.method !== 'publickey') {
      refuse(ctx, 'method-not-allowed');
      return;
    }
    const query = !ctx.signature;
    const offered = { algo: ctx.key.algo, data: ctx.key.data };
    const signed = ctx.signature && ctx.blob ? { blob: ctx.blob, signature: ctx.signature, hashAlgo: ctx.hashAlgo } : undefined;
    // A signature without the data it signs can't be verified: never treat it as a query.
    if (!query && !signed) {
      refuse(ctx, 'bad-signature', { query });
      return;
    }
    const asked = queried !== null && queried.username === ctx.username && queried.algo === offered.algo && queried.data.equals(offered.data) ? queried.match : null;
    const found =
      signed && asked
        ? checkSignedAfterQuery(asked, config, signed, peer.ip)
        : checkIngressAttempt(svc.store, config, { username: ctx.username, ...offered, ...(signed ? { signed } : {}) }, peer.ip);
    if (!found.ok) {
      refuse(ctx, found.why, { query });
      return;
    }
    // A query ("would this key do?") for a usable key is answered; only the signed attempt logs in.
    if (query) {
      queried = { username: ctx.username, algo: offered.algo, data: Buffer.from(offered.data), match: found.match };
      ctx.accept();
      return;
    }
    account = found.match.account;
    log.info({ account: account.name, key: found.match.key.fingerprint }, 'auth accepted');
    ctx.accept();
  };
  client.on('ready', () => {
    loggedIn();
    // ssh2 is ready only once a signed attempt was accepted, and that attempt set the account.
    const me = account;
    if (!me) {
      client.end();
      return;
    }
    // One account can't hold connections without bound (each may carry maxSessions sessions with
    // their buffers): past the limit the new one is closed before it can open anything.
    const held = svc.liveSessions.connectionCount(me.id);
    if (held >= config.maxConnectionsPerAccount) {
      const refused = (overLimit.get(me.id) ?? 0) + 1;
      overLimit.set(me.id, refused);
      if (refused === 1)
        log.warn(
          { account: me.name, connections: held, maxConnectionsPerAccount: config.maxConnectionsPerAccount },
          'connections per account limit reached, refusing new connections',
        );
      client.end();
      return;
    }
    if (overLimit.has(me.id)) {
      log.info({ account: me.name, refused: overLimit.get(me.id) }, 'connections per account limit no longer refusing');
      overLimit.delete(me.id);
    }
    // Registered as live for as long as the socket is open, bound to the account it logged in
    // as: deleting, freezing or expiring that account closes it (see src/services/liveSessions.ts).
    const live = svc.liveSessions.registerConnection({
      connId,
      accountId: me.id,
      accountName: me.name,
      close: (reason) => {
        log.info({ account: me.name, reason }, 'connection closed by the bastion');
        client.end();
      },
    });
    client.once('close', () => live.unregister());
    const refused = refusedRequests(log, me.name);
    client.once('close', refused.summary);
    let sessions = 0;
    let callLimitLogged = false;
    client.on('session', (accept, reject) => {
      if (sessions >= config.maxSessions || !live.open) {
        refused.note('session');
        return reject();
      }
      // One account's running calls are bounded over all its connections too: each holds what it
      // produces until the client reads it (an unread listing stays in memory).
      if (svc.liveSessions.callCount(me.id) >= config.maxCallsPerAccount) {
        if (!callLimitLogged) log.warn({ account: me.name, limit: config.maxCallsPerAccount }, 'account call limit reached, session refused');
        callLimitLogged = true;
        return reject();
      }
      sessions++;
      const session = accept();
      // Open sessions are counted, like sshd's MaxSessions, not sessions ever opened: a client
      // that multiplexes (ControlMaster) runs any number of calls one after the other.
      session.once('close', () => sessions--);
      handleSession(session, { account: me, peer, local, connId, log, svc, connection: client, live, refusedRequest: refused.note });
    });
    // Everything else a client may ask (port forwarding, …) is refused by default, and logged: an
    // account trying to forward a port past the bastion leaves a trace.
    client.on('tcpip', (_accept, reject, info) => {
      refused.note(`direct-tcpip ${info.destIP}:${info.destPort}`);
      reject();
    });
    client.on('openssh.streamlocal', (_accept, reject) => {
      refused.note('direct-streamlocal');
      reject();
    });
    // ssh2 emits only the forwarding requests here (it answers keepalives and no-more-sessions).
    client.on('request', (_accept, reject, name) => {
      refused.note(`global ${name}`);
      reject?.();
    });
  });
}

/**
 * Requests refused after login (port forwarding, sftp, agent or X11 forwarding, a session past
 * maxSessions, …): the first is logged with what it asked, the rest counted and logged once when
 * the connection closes, so a client repeating one can't flood the log.
 */
function refusedRequests(log: Logger, account: string): { note(what: string): void; summary(): void } {
  let count = 0;
  return {
    note(what) {
      if (count++ === 0) log.info({ account, request: what }, 'request refused');
    },
    summary() {
      if (count > 1) log.info({ account, refused: count }, 'requests refused');
    },
  };
}
