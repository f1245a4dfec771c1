import { checkTtl } from '../../src/policy/aclEntry.js';
import { GROUP_SETTING } from '../../src/access/groupInfo.js';
import { findGroup } from '../../src/access/groupName.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import { durationToHuman } from '../../src/kernel/duration.js';

const done = { value: null, error_code: 'OK', error_message: 'OK' };

export default definePlugin({
  name: 'groupModify',
  category: 'group-owner',
  summary: 'Change the settings of a group (guest TTL limit, idle timeouts)',
  header: 'modify the configuration of a group',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: "Missing mandatory parameter 'group'",
      valueName: 'GROUP',
      description: 'The group to modify',
    },
    'mfa-required': {
      type: 'string',
      choices: ['password', 'totp', 'any', 'none'],
      description: 'Multi-factor authentication to reach the servers of the group (only none on Gatehouse)',
    },
    'idle-lock-timeout': {
      type: 'string',
      valueName: 'DURATION|0|-1',
      description: 'Override idleLockTimeout for the servers of the group; 0 disables it for them, -1 removes the override',
    },
    'idle-kill-timeout': {
      type: 'string',
      valueName: 'DURATION|0|-1',
      description: 'Override idleKillTimeout for the servers of the group; 0 disables it for them, -1 removes the override',
    },
    'guest-ttl-limit': {
      type: 'string',
      valueName: 'DURATION',
      description: 'Guest accesses must be given a TTL no longer than DURATION; 0 lifts the requirement',
    },
  },
  help: `DURATION is a number of seconds or a duration such as 2d8h15m. The value has one entry per
setting changed, each {"value": null, "error_code": "OK", "error_message": "OK"}.
Only owners of the group (or superowners) may change its settings.`,
  examples: ['--group web --guest-ttl-limit 7d', '--group web --idle-kill-timeout 1h', '--group web --guest-ttl-limit 0'],
  differences: [
    '--mfa-required accepts only none: multi-factor authentication is not available on Gatehouse, so a policy requiring it is refused (ERR_NOT_IMPLEMENTED) rather than stored and not enforced.',
    "The idle timeouts appear in the value as idle_lock_timeout / idle_kill_timeout (The Bastion's value has an unreadable key there).",
  ],
  handler(ctx, opts) {
    const { store, out } = ctx;
    const mfa = opts['mfa-required'];
    const raw = { ttl: opts['guest-ttl-limit'], lock: opts['idle-lock-timeout'], kill: opts['idle-kill-timeout'] };
    if (!mfa && raw.ttl === undefined && raw.lock === undefined && raw.kill === undefined) return R('ERR_MISSING_PARAMETER', { msg: 'Nothing to modify' });
    const seconds: { ttl?: number; lock?: number; kill?: number } = {};
    for (const k of ['ttl', 'lock', 'kill'] as const) {
      const text = raw[k];
      if (text === undefined) continue;
      if (text === '-1') {
        seconds[k] = -1;
        continue;
      }
      const t = checkTtl(text);
      if (!isOk(t)) return R(t.code, { msg: t.msg });
      if (t.value !== null) seconds[k] = t.value;
    }
    if (seconds.ttl === -1) {
      return R('ERR_INVALID_PARAMETER', { msg: "Invalid TTL (-1), expected an amount of seconds, or a duration string such as '2d8h15m'" });
    }
    const found = findGroup(store, opts.group);
    if (!isOk(found)) return found;
    const g = found.value;
    const refused = requireGroupRole(ctx, g, 'owner', 'modify it');
    if (refused) return refused;
    if (mfa !== undefined && mfa !== 'none') {
      return R('ERR_NOT_IMPLEMENTED', { msg: 'Multi-factor authentication is not available on this bastion: only --mfa-required none is accepted' });
    }
    const now = Math.floor(ctx.clock.now() / 1000);
    const value: Record<string, typeof done> = {};
    store.tx(() => {
      if (mfa !== undefined) {
        out.info('Modifying mfa-required policy of group...');
        store.groups.deleteSetting(g.id, GROUP_SETTING.mfaRequired);
        out.info('... done, policy is now: none');
        value['mfa_required'] = done;
      }
      for (const [k, key, name] of [
        ['lock', GROUP_SETTING.idleLockTimeout, 'idle lock timeout'],
        ['kill', GROUP_SETTING.idleKillTimeout, 'idle kill timeout'],
      ] as const) {
        const s = seconds[k];
        if (s === undefined) continue;
        out.info(`Modifying ${name} policy of group...`);
        if (s >= 0) {
          store.groups.setSetting(g.id, key, String(s));
          out.info(s === 0 ? `... done, this group's ${name} policy is now set to: disabled` : `... done, this group now uses a ${name} of ${durationToHuman(s, now).duration}`);
        } else {
          store.groups.deleteSetting(g.id, key);
          out.info(`... done, this group will now use the global ${name} policy`);
        }
        value[key] = done;
      }
      if (seconds.ttl !== undefined) {
        out.info('Modifying guest TTL limit policy of group...');
        if (seconds.ttl > 0) {
          store.groups.setSetting(g.id, GROUP_SETTING.guestTtlLimit, String(seconds.ttl));
          out.info(`... done, guest accesses must now have a TTL set on creation, of at most ${durationToHuman(seconds.ttl, now).duration}`);
        } else {
          store.groups.deleteSetting(g.id, GROUP_SETTING.guestTtlLimit);
          out.info('... done, guest accesses no longer need to have a TTL set');
        }
        value[GROUP_SETTING.guestTtlLimit] = done;
      }
    });
    ctx.log.info({ type: 'group', action: 'modify', group: g.name, settings: Object.keys(value) }, 'group modified');
    return R('OK', { value });
  },
});
