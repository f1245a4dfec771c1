// What sshd's MaxStartups, PerSourceMaxStartups and PerSourcePenalties do, for connections that
// have not authenticated yet, decided at accept before ssh2 sees the socket:
// - a global cap on unauthenticated connections, with OpenSSH's random early drop
//   (`start:rate:full`: from `start` on, refuse with probability `rate`% rising linearly to 100%
//   at `full`; a plain number N is N:100:N, a hard cap);
// - a cap per source address;
// - penalties per source address, as OpenSSH's srclimit.c: a connection that failed to
//   authenticate, never tried, or ran out its login grace time adds seconds to its source's
//   penalty (accumulated up to a maximum, while it has not expired); once the accumulated penalty
//   exceeds the minimum it is enforced, and the source's new connections are refused until it
//   expires. The table of penalised sources is bounded (the least recently penalised is dropped).
// Each of these logs once per event (a limit starts refusing, a penalty starts; then one summary
// when it stops, with the count of refused connections), never once per refused connection.
// Time and randomness are injected, so the unit tests need no sleeping.
import type { BastionConfig } from '../config/schema.js';
import { addressMatchesFromList } from '../policy/fromList.js';

export interface StartupsSpec {
  readonly start: number;
  readonly rate: number;
  readonly full: number;
}

export interface PreauthPolicy {
  readonly maxStartups: StartupsSpec;
  /** 0: no cap per source. */
  readonly perSourceMaxStartups: number;
  /** Penalty amounts and bounds, in milliseconds. */
  readonly penalty: { readonly authfail: number; readonly noauth: number; readonly graceExceeded: number; readonly min: number; readonly max: number };
  readonly maxSources: number;
  readonly exempt: (ip: string) => boolean;
}

/** How a connection that never authenticated ended. */
export type PreauthEnd = 'authfail' | 'noauth' | 'grace-exceeded';
export type RefusalReason = 'penalty' | 'per-source' | 'startups';

export type PreauthEvent =
  | { readonly kind: 'startups-refusing'; readonly peer: string; readonly unauthenticated: number; readonly maxStartups: string }
  | { readonly kind: 'startups-stopped'; readonly refused: number }
  | { readonly kind: 'per-source-refusing'; readonly peer: string; readonly unauthenticated: number; readonly limit: number }
  | { readonly kind: 'per-source-stopped'; readonly peer: string; readonly refused: number }
  | { readonly kind: 'penalty-started'; readonly peer: string; readonly seconds: number; readonly reason: PreauthEnd }
  | { readonly kind: 'penalty-ended'; readonly peer: string; readonly refused: number }
  | { readonly kind: 'penalty-table-full'; readonly dropped: number; readonly maxSources: number };

export interface PreauthTicket {
  /** The connection logged in: it stops counting as unauthenticated, and its end is no penalty. */
  authenticated(): void;
  /** The connection closed; for one that never logged in, `how` decides its source's penalty. */
  closed(how: PreauthEnd): void;
}

export interface PreauthLimiter {
  admit(ip: string, policy: PreauthPolicy): { ok: true; ticket: PreauthTicket } | { ok: false; why: RefusalReason };
  /** Expires penalties and closes quiet refusal episodes (logging their summaries). Also run by admit and closed. */
  sweep(): void;
  /** For tests and diagnostics. */
  stats(): { unauthenticated: number; sources: number; penalties: number };
}

/** A refusal episode ends (and its summary is logged) after this long without a refusal. */
export const EPISODE_QUIET_MS = 10_000;
/** Per-source refusal episodes tracked by address; beyond, they are counted under one '*' entry. */
const EPISODES_MAX = 1024;
const SWEEP_EVERY_MS = 1000;
const TABLE_FULL_REPORT_EVERY_MS = 60_000;

/** OpenSSH's MaxStartups syntax, `start:rate:full` or `N`; start is clamped to full and rate to 100. */
export function parseMaxStartups(text: string): StartupsSpec {
  const parts = text.split(':').map((p) => Number.parseInt(p, 10));
  const [a = 1, b = 100, c = a] = parts;
  const full = Math.max(1, parts.length === 3 ? c : a);
  const start = Math.min(Math.max(1, a), full);
  const rate = Math.min(Math.max(0, parts.length === 3 ? b : 100), 100);
  return { start, rate, full };
}

export function preauthPolicy(config: BastionConfig): PreauthPolicy {
  const exemptList = config.perSourcePenaltyExemptList;
  return {
    maxStartups: parseMaxStartups(config.maxStartups),
    perSourceMaxStartups: config.perSourceMaxStartups,
    penalty: {
      authfail: config.perSourcePenaltyAuthFailSeconds * 1000,
      noauth: config.perSourcePenaltyNoAuthSeconds * 1000,
      graceExceeded: config.perSourcePenaltyGraceExceededSeconds * 1000,
      min: config.perSourcePenaltyMinSeconds * 1000,
      max: config.perSourcePenaltyMaxSeconds * 1000,
    },
    maxSources: config.perSourcePenaltyMaxSources,
    exempt: (ip) => exemptList.length > 0 && addressMatchesFromList(ip, exemptList),
  };
}

interface Penalty {
  expiry: number;
  active: boolean;
  refused: number;
}

interface Episode {
  lastAt: number;
  refused: number;
}

export function createPreauthLimiter(opts: { now: () => number; random: () => number; report: (e: PreauthEvent) => void }): PreauthLimiter {
  const { now, random, report } = opts;
  let unauthenticated = 0;
  /** Unauthenticated connections per source; an address leaves when its count drops to 0. */
  const live = new Map<string, number>();
  /** Insertion order = least recently penalised first (an update re-inserts). */
  const penalties = new Map<string, Penalty>();
  let startupsEpisode: Episode | null = null;
  const perSourceEpisodes = new Map<string, Episode>();
  let lastSweep = -Infinity;
  let tableFull = { dropped: 0, reportedAt: -Infinity, maxSources: 0 };

  const sweep = (): void => {
    const t = now();
    lastSweep = t;
    for (const [ip, p] of penalties) {
      if (p.expiry > t) continue;
      penalties.delete(ip);
      if (p.active) report({ kind: 'penalty-ended', peer: ip, refused: p.refused });
    }
    if (startupsEpisode && t - startupsEpisode.lastAt >= EPISODE_QUIET_MS) {
      if (startupsEpisode.refused > 1) report({ kind: 'startups-stopped', refused: startupsEpisode.refused });
      startupsEpisode = null;
    }
    for (const [ip, e] of perSourceEpisodes) {
      if (t - e.lastAt < EPISODE_QUIET_MS) continue;
      perSourceEpisodes.delete(ip);
      if (e.refused > 1) report({ kind: 'per-source-stopped', peer: ip, refused: e.refused });
    }
    if (tableFull.dropped > 0 && t - tableFull.reportedAt >= TABLE_FULL_REPORT_EVERY_MS) {
      report({ kind: 'penalty-table-full', dropped: tableFull.dropped, maxSources: tableFull.maxSources });
      tableFull = { dropped: 0, reportedAt: t, maxSources: tableFull.maxSources };
    }
  };
  const maybeSweep = (): void => {
    if (now() - lastSweep >= SWEEP_EVERY_MS) sweep();
  };

  const penalise = (ip: string, how: PreauthEnd, policy: PreauthPolicy): void => {
    if (policy.exempt(ip)) return;
    const amount = how === 'authfail' ? policy.penalty.authfail : how === 'noauth' ? policy.penalty.noauth : policy.penalty.graceExceeded;
    if (amount <= 0) return;
    const t = now();
    let p = penalties.get(ip);
    if (p && p.expiry <= t) {
      penalties.delete(ip);
      if (p.active) report({ kind: 'penalty-ended', peer: ip, refused: p.refused });
      p = undefined;
    }
    if (p) {
      penalties.delete(ip);
      p.expiry = Math.min(p.expiry + amount, t + policy.penalty.max);
    } else {
      p = { expiry: t + Math.min(amount, policy.penalty.max), active: false, refused: 0 };
      // Permissive overflow (OpenSSH's default): make room by forgetting the least recently
      // penalised source, rather than refusing everyone or penalising no one.
      while (penalties.size >= policy.maxSources) {
        const oldest = penalties.keys().next();
        if (oldest.done === true) break;
        penalties.delete(oldest.value);
        tableFull.dropped++;
        tableFull.maxSources = policy.maxSources;
      }
    }
    penalties.set(ip, p);
    if (!p.active && p.expiry - t > policy.penalty.min) {
      p.active = true;
      report({ kind: 'penalty-started', peer: ip, seconds: Math.ceil((p.expiry - t) / 1000), reason: how });
    }
  };

  const refuse = (ip: string, why: RefusalReason, policy: PreauthPolicy): { ok: false; why: RefusalReason } => {
    const t = now();
    if (why === 'startups') {
      if (startupsEpisode) {
        startupsEpisode.refused++;
        startupsEpisode.lastAt = t;
      } else {
        startupsEpisode = { lastAt: t, refused: 1 };
        const s = policy.maxStartups;
        report({ kind: 'startups-refusing', peer: ip, unauthenticated, maxStartups: `${s.start}:${s.rate}:${s.full}` });
      }
    } else if (why === 'per-source') {
      const key = perSourceEpisodes.has(ip) || perSourceEpisodes.size < EPISODES_MAX ? ip : '*';
      const e = perSourceEpisodes.get(key);
      if (e) {
        e.refused++;
        e.lastAt = t;
      } else {
        perSourceEpisodes.set(key, { lastAt: t, refused: 1 });
        report({ kind: 'per-source-refusing', peer: key, unauthenticated: live.get(ip) ?? 0, limit: policy.perSourceMaxStartups });
      }
    }
    return { ok: false, why };
  };

  const admit = (ip: string, policy: PreauthPolicy): { ok: true; ticket: PreauthTicket } | { ok: false; why: RefusalReason } => {
    maybeSweep();
    const t = now();
    const p = penalties.get(ip);
    if (p?.active && p.expiry > t && !policy.exempt(ip)) {
      p.refused++;
      return { ok: false, why: 'penalty' };
    }
    const mine = live.get(ip) ?? 0;
    if (policy.perSourceMaxStartups > 0 && mine >= policy.perSourceMaxStartups) return refuse(ip, 'per-source', policy);
    const { start, rate, full } = policy.maxStartups;
    if (unauthenticated >= full) return refuse(ip, 'startups', policy);
    if (unauthenticated >= start) {
      // OpenSSH's should_drop_connection: rate% at start, rising linearly to 100% at full.
      const chance = (rate + ((100 - rate) * (unauthenticated - start)) / (full - start)) / 100;
      if (random() < chance) return refuse(ip, 'startups', policy);
    }
    unauthenticated++;
    live.set(ip, mine + 1);
    let counted = true;
    const release = (): void => {
      if (!counted) return;
      counted = false;
      unauthenticated--;
      const n = (live.get(ip) ?? 1) - 1;
      if (n > 0) live.set(ip, n);
      else live.delete(ip);
    };
    let loggedIn = false;
    let ended = false;
    return {
      ok: true,
      ticket: {
        authenticated: () => {
          loggedIn = true;
          release();
        },
        closed: (how) => {
          if (ended) return;
          ended = true;
          release();
          if (!loggedIn) penalise(ip, how, policy);
          maybeSweep();
        },
      },
    };
  };

  return {
    admit,
    sweep,
    stats: () => ({ unauthenticated, sources: live.size, penalties: penalties.size }),
  };
}
