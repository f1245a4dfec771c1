// Whether an account may do anything now, checked on every call in The Bastion's order
// (bin/shell/osh.pl): frozen (exit 131), TTL elapsed (121), expired by inactivity (113). The
// pieces (ttlStatus, activityStatus, alwaysActiveStatus) are exported so that accountInfo and
// accountList report exactly what the login check decides: one source of truth.
import { isFlagOn, SETTING } from './settings.js';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { AccountRow } from './records.js';
import type { ResultCode } from '../kernel/result.js';
import { formatDuration } from '../kernel/duration.js';

export type StateVerdict = { ok: true } | { ok: false; code: ResultCode; exit: number; msg: string };

export function inactiveDaysLimit(config: BastionConfig, settings: ReadonlyMap<string, string>): number {
  const own = settings.get(SETTING.maxInactiveDays);
  return own !== undefined && /^\d+$/.test(own) ? Number(own) : config.accountMaxInactiveDays;
}

export interface AlwaysActive {
  readonly on: boolean;
  /** accountInfo's always_active_reason, when on. */
  readonly reason: 'account local configuration' | 'account listed in global configuration' | null;
}

export function alwaysActiveStatus(account: Pick<AccountRow, 'name'>, settings: ReadonlyMap<string, string>, config: BastionConfig): AlwaysActive {
  if (isFlagOn(settings, SETTING.alwaysActive)) return { on: true, reason: 'account local configuration' };
  if (config.alwaysActiveAccounts.includes(account.name)) return { on: true, reason: 'account listed in global configuration' };
  return { on: false, reason: null };
}

export interface TtlStatus {
  readonly set: boolean;
  readonly expired: boolean;
  /** created_at + ttl, null without a TTL. */
  readonly expiresAt: number | null;
}

/** The Bastion's is_account_ttl_nonexpired: the TTL runs from the creation time. */
export function ttlStatus(account: Pick<AccountRow, 'created_at' | 'ttl_seconds'>, nowSec: number): TtlStatus {
  if (account.ttl_seconds === null) return { set: false, expired: false, expiresAt: null };
  const expiresAt = account.created_at + account.ttl_seconds;
  return { set: true, expired: expiresAt < nowSec, expiresAt };
}

export interface ActivityStatus {
  /** Days of inactivity allowed (0 = no limit). */
  readonly limitDays: number;
  /** Whether the account has made a call before (The Bastion: a lastlog exists). */
  readonly alreadySeen: boolean;
  /** Last activity, or the creation time when never seen. */
  readonly since: number;
  readonly idleSeconds: number;
  readonly idleDays: number;
  readonly expired: boolean;
}

/** The Bastion's is_account_nonexpired, plus the always-active exemption of the login check below. */
export function activityStatus(account: AccountRow, settings: ReadonlyMap<string, string>, config: BastionConfig, nowSec: number): ActivityStatus {
  const limitDays = inactiveDaysLimit(config, settings);
  const alreadySeen = account.last_activity_at !== null;
  const since = account.last_activity_at ?? account.created_at;
  const idleSeconds = Math.max(0, nowSec - since);
  const idleDays = Math.floor(idleSeconds / 86400);
  const exempt = alwaysActiveStatus(account, settings, config).on;
  return { limitDays, alreadySeen, since, idleSeconds, idleDays, expired: limitDays > 0 && !exempt && idleDays >= limitDays };
}

export function checkAccountState(account: AccountRow, settings: ReadonlyMap<string, string>, config: BastionConfig, nowSec: number): StateVerdict {
  if (account.frozen_at !== null) {
    const why = account.frozen_reason ? ` (${account.frozen_reason})` : '';
    return { ok: false, code: 'KO_ACCOUNT_FROZEN', exit: EXIT.ACCOUNT_FROZEN, msg: `Sorry ${account.name}, your account is frozen${why}.` };
  }
  const ttl = ttlStatus(account, nowSec);
  if (ttl.expired && ttl.expiresAt !== null) {
    return {
      ok: false,
      code: 'KO_TTL_EXPIRED',
      exit: EXIT.TTL_EXPIRED,
      msg: `Sorry ${account.name}, access denied (Account TTL has expired since ${humanDuration(nowSec - ttl.expiresAt)})`,
    };
  }
  const activity = activityStatus(account, settings, config, nowSec);
  if (activity.expired) {
    const template = config.accountExpiredMessage || 'Sorry, but your account has expired (#DAYS# days), access denied by policy.';
    return { ok: false, code: 'KO_ACCOUNT_EXPIRED', exit: EXIT.ACCOUNT_EXPIRED, msg: template.replace(/#DAYS#/g, String(activity.idleDays)) };
  }
  return { ok: true };
}

/** "1d+02:03:04" style durations, as The Bastion's duration2human prints them. */
export const humanDuration = formatDuration;
