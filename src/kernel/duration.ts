// Durations and dates as The Bastion reads and prints them: TTL strings such as "2d8h15m"
// (is_valid_ttl in lib/perl/OVH/Bastion/allowkeeper.inc), "1d+02:03:04" durations and the
// "Mon 2026-11-23 23:57:11 UTC" dates of duration2human (allowdeny.inc). Scripts parse these
// strings out of accountInfo and accountList values, so the shapes are kept exactly.
import { R, type Result } from './result.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };

/**
 * A TTL: a plain number of seconds, or numbers each followed by a unit (s, m, h, d, w, y; a number
 * without a unit counts as seconds), e.g. "3600", "1d", "2h30m", "1w2d". KO_INVALID_PARAMETER
 * otherwise. Units are case-insensitive ("1D" is a day; The Bastion accepts it but counts seconds).
 */
export function parseTtl(text: string): Result<number> {
  const invalid = R('KO_INVALID_PARAMETER', {
    msg: `Invalid TTL (${text}), expected an amount of seconds, or a duration string such as '2d8h15m'`,
  });
  // Digits and units, starting with a digit, never two units in a row: checked with plain
  // character classes, since the nested /^(\d+[smhdwy]?)+$/ backtracked exponentially on a run of
  // digits with a bad last character (any group keeper's --ttl could hold the event loop).
  if (!/^\d[\dsmhdwy]*$/i.test(text) || /[smhdwy]{2}/i.test(text)) return invalid;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdwy])?/gi)) {
    const n = Number(m[1]);
    const unit = UNIT_SECONDS[(m[2] ?? 's').toLowerCase()] ?? 1;
    total += n * unit;
  }
  // Beyond this the sum stops being an exact integer (and SQLite's INTEGER); nobody means it.
  if (!Number.isSafeInteger(total)) return invalid;
  return R('OK', { value: total });
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "1d+02:03:04", or "02:03:04" under a day: duration2human's `duration`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hms = `${pad2(Math.floor((s % 86400) / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return d > 0 ? `${d}d+${hms}` : hms;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** strftime("%a %Y-%m-%d %H:%M:%S UTC", gmtime(t)). */
export function formatDateUtc(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`;
}

// Built once: a formatter costs far more than a format, and listings format a date per row.
const ZONE_NAME = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });

/** strftime("%a %Y-%m-%d %H:%M:%S %Z", localtime(t)), in the server's time zone. */
export function formatDateLocal(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  const zone = ZONE_NAME.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return `${DAYS[d.getDay()]} ${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${zone}`;
}

/** strftime("%Y-%m-%d", localtime(t)). */
export function formatDay(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export interface HumanDuration {
  readonly duration: string;
  /** Same as datetime_local (The Bastion keeps both names). */
  readonly date: string;
  readonly datetime_local: string;
  readonly datetime_utc: string;
  /** "<duration> (<datetime_local>)". */
  readonly human: string;
}

/**
 * duration2human: a duration and the date it points to, `seconds` before now (tense 'past') or
 * after now ('future').
 */
export function durationToHuman(seconds: number, nowSec: number, tense: 'past' | 'future' = 'future'): HumanDuration {
  const at = tense === 'past' ? nowSec - seconds : nowSec + seconds;
  const duration = formatDuration(seconds);
  const local = formatDateLocal(at);
  return { duration, date: local, datetime_local: local, datetime_utc: formatDateUtc(at), human: `${duration} (${local})` };
}
