// What groupInfo tells about a group, and to whom (The Bastion's groupInfo plugin): anyone sees
// the owners and gatekeepers (whom to ask for access) and the public keys; auditors, owners
// (and superowners), gatekeepers, aclkeepers and members also see the aclkeepers, members,
// guests with their number of accesses, and the group's policy settings.
import type { PluginContext } from '../osh/context.js';
import type { GroupRow } from '../store/groups.js';
import { callerHasRole } from './groupRoles.js';
import { groupKeysValue } from './groupKeys.js';

export const GROUP_SETTING = {
  guestTtlLimit: 'guest_ttl_limit',
  idleLockTimeout: 'idle_lock_timeout',
  idleKillTimeout: 'idle_kill_timeout',
  mfaRequired: 'mfa_required',
} as const;

export function mayReadGroupDetails(ctx: PluginContext, group: GroupRow): boolean {
  return (
    ctx.caller.roles.isAuditor ||
    callerHasRole(ctx, group, 'owner', true).ok ||
    (['gatekeeper', 'aclkeeper', 'member'] as const).some((r) => callerHasRole(ctx, group, r, false).ok)
  );
}

export function groupInfoValue(ctx: PluginContext, group: GroupRow, withKeys: boolean): Record<string, unknown> {
  const { store } = ctx;
  const names = (role: 'owner' | 'gatekeeper' | 'aclkeeper' | 'member' | 'guest'): string[] => store.groups.holders(group.id, role).map((h) => h.name);
  const v: Record<string, unknown> = { group: group.name, owners: names('owner'), gatekeepers: names('gatekeeper') };
  if (mayReadGroupDetails(ctx, group)) {
    v['aclkeepers'] = names('aclkeeper');
    v['members'] = names('member');
    const now = Math.floor(ctx.clock.now() / 1000);
    const counts = store.acl.guestCounts(group.id, now);
    const guests = store.groups.holders(group.id, 'guest');
    v['guests'] = guests.map((g) => g.name);
    v['guests_accesses'] = Object.fromEntries(guests.map((g) => [g.name, counts.get(g.account_id) ?? 0]));
    // The Bastion lists here the members an external activeness check says are inactive; there is
    // no such check on Gatehouse, so none is.
    v['inactive'] = [];
    const settings = store.groups.settings(group.id);
    const mfa = settings.get(GROUP_SETTING.mfaRequired);
    if (mfa && mfa !== 'none') v['mfa_required'] = mfa;
    for (const key of [GROUP_SETTING.guestTtlLimit, GROUP_SETTING.idleKillTimeout, GROUP_SETTING.idleLockTimeout]) {
      const s = settings.get(key);
      if (s !== undefined && /^-?\d+$/.test(s)) v[key] = s;
    }
  }
  if (withKeys) v['keys'] = groupKeysValue(store, group, ctx.config);
  return v;
}
