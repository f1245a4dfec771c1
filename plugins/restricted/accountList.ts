import { activityStatus, ttlStatus } from '../../src/policy/accountState.js';
import { freezeInfo, lockedPasswordInfo, mfaFlags } from '../../src/accounts/info.js';
import { nameFilter } from '../../src/policy/listFilter.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';
import { durationToHuman } from '../../src/kernel/duration.js';

export default definePlugin({
  name: 'accountList',
  category: 'restricted',
  summary: 'List the bastion accounts',
  header: 'list bastion accounts',
  options: {
    account: { type: 'string', valueName: 'ACCOUNT', description: 'Only list this account: an easy way to check whether it exists (the value is {} when not)' },
    'inactive-only': { type: 'boolean', description: 'Only list inactive accounts (none on Gatehouse: every account is active)' },
    'realm-only': { type: 'boolean', description: 'No longer supported (refused, as by The Bastion)' },
    audit: { type: 'boolean', description: 'Add the state of each account (freeze, TTL, inactivity, last activity, MFA flags); auditors only' },
    'no-password-info': { type: 'boolean', description: "With --audit, don't add the password_* fields" },
    'no-output': { type: 'boolean', description: "Don't print the human-readable list (use with --json)" },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only list accounts whose name matches PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Omit accounts whose name matches PATTERN; wins over --include' },
  },
  help: `PATTERN may use the * and ? wildcards; a PATTERN without any wildcard matches the names that
contain it. The value is a hash keyed by account name.`,
  examples: ['', '--account alice', "--include 'bot-*' --exclude bot-old", '--audit --no-output --json'],
  differences: [
    'With --audit, can_connect is 1 only when the account is active, not frozen, not expired and its TTL has not elapsed; The Bastion 3.24 computes it inverted (1 only for an account that is frozen, expired and past its TTL).',
    "ttl_expired_details dates the TTL's end (The Bastion dates it as far in the future as it is in the past).",
    'There are no unix passwords: the password_* fields of --audit always describe a locked password.',
  ],
  handler(ctx, opts) {
    const { store, config, out, caller } = ctx;
    if (opts['realm-only']) return R('ERR_INVALID_PARAMETER', { msg: 'Option --realm-only is no longer supported, use realmList instead' });
    const rows = opts.account === undefined ? store.accounts.all() : [store.accounts.byName(opts.account)].filter((a) => a !== undefined);
    if (opts.audit && !caller.roles.isAuditor) {
      return R('ERR_PERMISSION_DENIED', { msg: 'You need to be a bastion auditor to use --audit' });
    }
    const keep = nameFilter(opts.include, opts.exclude);
    const nowSec = Math.floor(ctx.clock.now() / 1000);
    const allSettings = opts.audit ? store.accounts.allSettings() : new Map<number, Map<string, string>>();
    const result: Record<string, Record<string, unknown>> = {};
    for (const row of rows) {
      if (!keep(row.name)) continue;
      // Every account is active (no external activation program): --inactive-only lists nothing.
      if (opts['inactive-only']) continue;
      const s: Record<string, unknown> = { is_active: 1 };
      const lineParts: string[] = [];
      if (opts.audit) {
        const settings = allSettings.get(row.id) ?? new Map<string, string>();
        const frozen = freezeInfo(row);
        s['is_frozen'] = frozen ? 1 : 0;
        if (frozen) s['freeze_info'] = frozen;
        const ttl = ttlStatus(row, nowSec);
        s['is_ttl_expired'] = ttl.expired ? 1 : 0;
        if (ttl.expired && ttl.expiresAt !== null) s['ttl_expired_details'] = durationToHuman(nowSec - ttl.expiresAt, nowSec, 'past');
        const activity = activityStatus(row, settings, config, nowSec);
        s['is_expired'] = activity.expired ? 1 : 0;
        if (activity.expired) s['expired_days'] = activity.idleDays;
        s['already_seen_before'] = activity.alreadySeen ? 1 : 0;
        const h = durationToHuman(activity.idleSeconds, nowSec, 'past');
        s['last_activity'] = `${activity.alreadySeen ? 'Last seen' : 'Created'} on ${h.date} (${h.duration} ago)`;
        s['last_activity_timestamp'] = activity.since;
        s['can_connect'] = frozen || ttl.expired || activity.expired ? 0 : 1;
        Object.assign(s, mfaFlags(settings));
        if (!opts['no-password-info']) {
          for (const [k, v] of Object.entries(lockedPasswordInfo(row))) s[`password_${k}`] = v;
          s['password_name'] = row.name;
        }
        const yn = (b: unknown, bad = false): string => (b ? out.colour('yes', bad ? 'red' : 'green') : out.colour('no', bad ? 'green' : 'red'));
        lineParts.push(
          `active:${yn(1)}`,
          `expired:${yn(s['is_expired'], true)}`,
          `frozen:${yn(s['is_frozen'], true)}`,
          `ttl_expired:${yn(s['is_ttl_expired'], true)}`,
          `can_connect:${yn(s['can_connect'])}`,
          `already_seen:${yn(s['already_seen_before'])}`,
          `created_by:${row.created_by}`,
          String(s['last_activity']),
        );
      }
      s['created_by'] = row.created_by;
      s['name'] = row.name;
      s['uid'] = row.uid;
      result[row.name] = s;
      if (!opts['no-output']) out.info([`${row.name.padEnd(18)} ${String(row.uid ?? '-').padStart(6)}`, ...lineParts].join(' '));
    }
    if (opts['no-output']) out.info('No-output requested, if you see only this message, you might have omitted --json');
    return R('OK', { value: result });
  },
});
