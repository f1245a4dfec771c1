// The egress sessions open right now, by account, so that an operator's decision reaches
// sessions already running: The Bastion's accountFreeze ends them (osh-accountKillSessions).
export interface LiveSessions {
  /** Registers a running session; `end` stops it with a reason. Returns the unregister function. */
  register(accountId: number, end: (reason: string) => void): () => void;
  /** Ends every open session of the account; returns how many there were. */
  terminate(accountId: number, reason: string): number;
}

export function createLiveSessions(): LiveSessions {
  const byAccount = new Map<number, Set<(reason: string) => void>>();
  return {
    register(accountId, end) {
      let set = byAccount.get(accountId);
      if (!set) byAccount.set(accountId, (set = new Set()));
      set.add(end);
      return () => {
        set.delete(end);
        if (set.size === 0 && byAccount.get(accountId) === set) byAccount.delete(accountId);
      };
    },
    terminate(accountId, reason) {
      const set = byAccount.get(accountId);
      if (!set) return 0;
      const ends = [...set];
      for (const end of ends) end(reason);
      return ends.length;
    },
  };
}
