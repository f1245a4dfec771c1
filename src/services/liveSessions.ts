// What is live right now, by account: the authenticated SSH connections and the egress sessions
// running through them, so that a decision about an account reaches what it already has open
// (The Bastion's accountFreeze ends its sessions, osh-accountKillSessions), and so that a shutdown
// can wait for calls to finish. The policy (who is ended, and why) is the caller's: plugins, the
// account sweep, the shutdown. This is only the mechanism, one instance per server, passed in
// Services (no module state).

/** Why a session or connection was ended by the bastion; kept in the sessions row's comment. */
export type EndReason = 'account_frozen' | 'account_deleted' | 'account_expired' | 'bastion_shutdown';

export interface LiveConnectionInfo {
  readonly connId: string;
  readonly accountId: number;
  readonly accountName: string;
  /** Disconnects the client. Called once, when its calls are over or the grace has run out. */
  close(reason: EndReason): void;
}

export interface LiveConnection {
  /** False once the connection is being closed or the bastion drains: it takes no new call. */
  readonly open: boolean;
  /** Counts one call in flight on this connection; the returned function says it is over. */
  beginCall(): () => void;
  /** The connection is gone (its socket closed). */
  unregister(): void;
}

export interface EndCount {
  readonly sessions: number;
  readonly connections: number;
}

export interface LiveSessions {
  /**
   * Registers a running egress session; `end` asks it to stop with a reason. The returned
   * function unregisters it, and is to be called once its end is recorded in the store.
   */
  register(accountId: number, end: (reason: EndReason) => void): () => void;
  /** Registers an authenticated connection. */
  registerConnection(info: LiveConnectionInfo): LiveConnection;
  /**
   * Ends the account's egress sessions and waits (at most SESSION_END_WAIT_MS) for their end to
   * be recorded, then closes its connections once the calls on them are over (at most
   * CLOSE_GRACE_MS later: that part is not waited for, the caller's own call may be one of them).
   */
  endAccount(accountId: number, reason: EndReason): Promise<EndCount>;
  /** The accounts with a live connection or session now. */
  accounts(): number[];
  /** The name the account's connections logged in with (undefined when it has none). */
  accountName(accountId: number): string | undefined;
  /** Whether the account has an egress session running (a session is activity). */
  hasSessions(accountId: number): boolean;
  /** From now on no connection takes a new call (shutdown). */
  drain(): void;
  /** Calls in flight on every connection. */
  callsInFlight(): number;
  /** The account's registered connections (maxConnectionsPerAccount). */
  connectionCount(accountId: number): number;
  /** The calls running now on the account's connections (maxCallsPerAccount). */
  callCount(accountId: number): number;
  /** Resolves true once no call is in flight, false when `timeoutMs` passed or `cut` fired first. */
  whenIdle(timeoutMs: number, cut?: AbortSignal): Promise<boolean>;
  /** Ends every session (waiting for their end to be recorded), then closes every connection. */
  endAll(reason: EndReason): Promise<EndCount>;
}

/** How long an ended session may take to record its end before the connections close anyway. */
export const SESSION_END_WAIT_MS = 5000;
/** How long a closing connection waits for the calls on it to finish (their exit status sent). */
export const CLOSE_GRACE_MS = 3000;

interface SessionEntry {
  readonly end: (reason: EndReason) => void;
  readonly done: Promise<void>;
}

interface ConnectionEntry {
  readonly info: LiveConnectionInfo;
  calls: number;
  closing: boolean;
  idle: (() => void)[];
}

function waitAll(promises: readonly Promise<void>[], timeoutMs: number): Promise<void> {
  if (promises.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    // Not unref'd: bounded, and a shutdown awaiting it must not see the process exit under it.
    const timer = setTimeout(resolve, timeoutMs);
    void Promise.all(promises).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createLiveSessions(): LiveSessions {
  const sessions = new Map<number, Set<SessionEntry>>();
  const connections = new Map<number, Set<ConnectionEntry>>();
  let draining = false;
  const idleWaiters = new Set<() => void>();

  const inFlight = (): number => {
    let n = 0;
    for (const set of connections.values()) for (const c of set) n += c.calls;
    return n;
  };
  // Only a shutdown waits for idleness: without a waiter, a call's end costs no count.
  const checkIdle = (): void => {
    if (idleWaiters.size === 0 || inFlight() > 0) return;
    for (const w of [...idleWaiters]) w();
  };

  /** Asks every session to end and waits (bounded) until they have recorded it. */
  const endSessions = async (entries: readonly SessionEntry[], reason: EndReason): Promise<number> => {
    for (const s of entries) s.end(reason);
    await waitAll(
      entries.map((s) => s.done),
      SESSION_END_WAIT_MS,
    );
    return entries.length;
  };

  /** Closes a connection once its calls are over (their exit status sent), or after the grace. */
  const closeConnection = (c: ConnectionEntry, reason: EndReason): Promise<void> => {
    if (c.closing) return Promise.resolve();
    c.closing = true;
    return new Promise((resolve) => {
      const close = (): void => {
        clearTimeout(timer);
        c.idle = [];
        c.info.close(reason);
        resolve();
      };
      const timer = setTimeout(close, CLOSE_GRACE_MS);
      // Deferred to the next turn: the call that asked (accountDelete on its own account) is
      // counted until its outcome is written, which happens after its handler returns.
      setImmediate(() => {
        if (c.calls === 0) close();
        else c.idle.push(close);
      });
    });
  };

  return {
    register(accountId, end) {
      let set = sessions.get(accountId);
      if (!set) {
        set = new Set();
        sessions.set(accountId, set);
      }
      let finished = (): void => {};
      const entry: SessionEntry = { end, done: new Promise<void>((r) => (finished = r)) };
      set.add(entry);
      return () => {
        set.delete(entry);
        if (set.size === 0 && sessions.get(accountId) === set) sessions.delete(accountId);
        finished();
      };
    },

    registerConnection(info) {
      let set = connections.get(info.accountId);
      if (!set) {
        set = new Set();
        connections.set(info.accountId, set);
      }
      const entry: ConnectionEntry = { info, calls: 0, closing: false, idle: [] };
      set.add(entry);
      return {
        get open() {
          return !entry.closing && !draining;
        },
        beginCall() {
          entry.calls++;
          let over = false;
          return () => {
            if (over) return;
            over = true;
            entry.calls--;
            if (entry.calls === 0) for (const fn of entry.idle.splice(0)) fn();
            checkIdle();
          };
        },
        unregister() {
          set.delete(entry);
          if (set.size === 0 && connections.get(info.accountId) === set) connections.delete(info.accountId);
          checkIdle();
        },
      };
    },

    async endAccount(accountId, reason) {
      const ended = await endSessions([...(sessions.get(accountId) ?? [])], reason);
      const conns = [...(connections.get(accountId) ?? [])].filter((c) => !c.closing);
      for (const c of conns) void closeConnection(c, reason);
      return { sessions: ended, connections: conns.length };
    },

    accounts: () => [...new Set([...connections.keys(), ...sessions.keys()])],
    connectionCount: (accountId) => connections.get(accountId)?.size ?? 0,
    accountName: (accountId) => {
      for (const c of connections.get(accountId) ?? []) return c.info.accountName;
      return undefined;
    },
    hasSessions: (accountId) => (sessions.get(accountId)?.size ?? 0) > 0,
    drain() {
      draining = true;
    },
    callsInFlight: inFlight,
    callCount(accountId) {
      let calls = 0;
      for (const c of connections.get(accountId) ?? []) calls += c.calls;
      return calls;
    },

    whenIdle(timeoutMs, cut) {
      if (inFlight() === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (idle: boolean): void => {
          clearTimeout(timer);
          idleWaiters.delete(onIdle);
          cut?.removeEventListener('abort', onCut);
          resolve(idle);
        };
        const onIdle = (): void => finish(true);
        const onCut = (): void => finish(false);
        const timer = setTimeout(() => finish(false), timeoutMs);
        idleWaiters.add(onIdle);
        if (cut?.aborted) onCut();
        else cut?.addEventListener('abort', onCut, { once: true });
      });
    },

    async endAll(reason) {
      const all = [...sessions.values()].flatMap((set) => [...set]);
      const ended = await endSessions(all, reason);
      const conns = [...connections.values()].flatMap((set) => [...set]).filter((c) => !c.closing);
      await Promise.all(conns.map((c) => closeConnection(c, reason)));
      return { sessions: ended, connections: conns.length };
    },
  };
}
