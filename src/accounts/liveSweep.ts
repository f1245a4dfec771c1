// Accounts also stop being usable with time alone: a TTL runs out, accountMaxInactiveDays passes.
// Nobody calls a plugin for that, so every liveAccountCheckSeconds the accounts with something
// open are checked again, the way each call checks its caller (src/access/accountState.ts), and
// what an unusable account has open is ended: its egress sessions (the reason recorded in their
// sessions rows), then its connections. It also catches a deletion or a freeze made by another
// process sharing the store.
import type { Logger } from 'pino';
import { checkAccountState } from '../policy/accountState.js';
import type { ConfigSource } from '../config/source.js';
import type { EndReason, LiveSessions } from '../services/liveSessions.js';
import type { Clock } from '../osh/context.js';
import type { Store } from '../store/store.js';

export interface SweepDeps {
  readonly live: LiveSessions;
  readonly store: Store;
  readonly config: ConfigSource;
  readonly clock: Clock;
  readonly log: Logger;
}

/** Why the account can no longer use what it has open, or null when it still may. */
function unusableReason(d: Omit<SweepDeps, 'log'>, accountId: number, loggedInAs: string | undefined): EndReason | null {
  const row = d.store.accounts.byId(accountId);
  if (!row || (loggedInAs !== undefined && row.name !== loggedInAs)) return 'account_deleted';
  const nowSec = Math.floor(d.clock.now() / 1000);
  // A session in progress is activity, even when no call has been made for days.
  const seen = d.live.hasSessions(accountId) ? { ...row, last_activity_at: nowSec } : row;
  const state = checkAccountState(seen, d.store.accounts.settings(accountId), d.config.current(), nowSec);
  if (state.ok) return null;
  return state.code === 'KO_ACCOUNT_FROZEN' ? 'account_frozen' : 'account_expired';
}

/** One pass over the live accounts; returns how many were ended. */
async function sweepLiveAccounts(d: SweepDeps): Promise<number> {
  let n = 0;
  for (const id of d.live.accounts()) {
    let reason: EndReason | null;
    try {
      reason = unusableReason(d, id, d.live.accountName(id));
    } catch (err) {
      d.log.error({ err, accountId: id }, 'live account check failed');
      continue;
    }
    if (reason === null) continue;
    const ended = await d.live.endAccount(id, reason);
    if (ended.sessions + ended.connections === 0) continue;
    n++;
    d.log.info(
      { accountId: id, account: d.live.accountName(id), reason, sessions: ended.sessions, connections: ended.connections },
      'account no longer usable, its sessions and connections ended',
    );
  }
  return n;
}

/** Runs the sweep every liveAccountCheckSeconds (read again each time) until stopped. */
export function startLiveSweep(d: SweepDeps): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void sweepLiveAccounts(d)
        .catch((err: unknown) => d.log.error({ err }, 'live account sweep failed'))
        .finally(arm);
    }, d.config.current().liveAccountCheckSeconds * 1000);
    // It never holds the process up by itself.
    timer.unref();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
