// Whether an account may do anything now, checked on every call in The Bastion's order
// (bin/shell/osh.pl): frozen (exit 131), TTL elapsed (121), expired by inactivity (113).
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../exitCodes.js';
import type { AccountRow } from '../store/accounts.js';
import type { ResultCode } from '../result.js';

export type StateVerdict = { ok: true } | { ok: false; code: ResultCode; exit: number; msg: string };

export const SETTING = {
  alwaysActive: 'always_active',
  maxInactiveDays: 'max_inactive_days',
} as const;

export function inactiveDaysLimit(config: BastionConfig, settings: ReadonlyMap<string, string>): number {
  const own = settings.get(SETTING.maxInactiveDays);
  return own !== undefined && /^\d+$/.test(own) ? Number(own) : config.accountMaxInactiveDays;
}

export function checkAccountState(
  account: AccountRow,
  settings: ReadonlyMap<string, string>,
  config: BastionConfig,
  nowSec: number,
): StateVerdict {
  if (account.frozen_at !== null) {
    const why = account.frozen_reason ? ` (${account.frozen_reason})` : '';
    return { ok: false, code: 'KO_ACCOUNT_FROZEN', exit: EXIT.ACCOUNT_FROZEN, msg: `Sorry ${account.name}, your account is frozen${why}.` };
  }
  if (account.ttl_seconds !== null && account.created_at + account.ttl_seconds < nowSec) {
    return {
      ok: false,
      code: 'KO_TTL_EXPIRED',
      exit: EXIT.TTL_EXPIRED,
      msg: `Sorry ${account.name}, access denied (Account TTL has expired since ${humanDuration(nowSec - account.created_at - account.ttl_seconds)})`,
    };
  }
  const limit = inactiveDaysLimit(config, settings);
  const alwaysActive = settings.get(SETTING.alwaysActive) === '1' || config.alwaysActiveAccounts.includes(account.name);
  if (limit > 0 && !alwaysActive) {
    const last = account.last_activity_at ?? account.created_at;
    const days = Math.floor((nowSec - last) / 86400);
    if (days >= limit) {
      const template = config.accountExpiredMessage || 'Sorry, but your account has expired (#DAYS# days), access denied by policy.';
      return { ok: false, code: 'KO_ACCOUNT_EXPIRED', exit: EXIT.ACCOUNT_EXPIRED, msg: template.replace(/#DAYS#/g, String(days)) };
    }
  }
  return { ok: true };
}

/** "1d+02:03:04" style durations, as The Bastion's duration2human prints them. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? `${d}d+${hms}` : hms;
}
