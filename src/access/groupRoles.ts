// Group roles as the dispatcher and the group plugins check them (The Bastion's _has_group_role
// and friends in lib/perl/OVH/Bastion/allowkeeper.inc):
//   - the category check: a group-owner / -gatekeeper / -aclkeeper plugin is callable at all only
//     by an account holding that role on at least one group (or a superowner), else the call
//     ends before parsing with KO_RESTRICTED_COMMAND (exit 106);
//   - the plugin check: the role on the very group named, else ERR_NOT_GROUP_OWNER and friends
//     (exit 100). Superowners (and admins, who are superowners) pass where The Bastion lets
//     them, and a change made that way is flagged to the caller and logged as an override.
// Roles are not implied by one another at check time: an owner who is not a gatekeeper can't
// add members, but may make themself a gatekeeper (groupCreate gives the first owner every role).
import type { PluginContext } from '../osh/context.js';
import { type Failed, type FailCode, R } from '../kernel/result.js';
import type { GroupRole, GroupRow } from '../store/groups.js';
import type { Store } from '../store/store.js';
import type { GroupRoleCheck } from '../policy/roles.js';

/** The dispatcher's hook: whether an account holds `role` on at least one group. */
export function groupRoleCheck(store: Store): GroupRoleCheck {
  return (accountId, role) => store.groups.hasRoleAnywhere(accountId, role);
}

export interface RoleVerdict {
  readonly ok: boolean;
  /** Allowed only because the caller is a superowner (or admin). */
  readonly override: boolean;
}

/** Whether the caller holds `role` on `group`; superowners pass when `superowner` is set. */
export function callerHasRole(ctx: PluginContext, group: GroupRow, role: GroupRole, superowner: boolean): RoleVerdict {
  if (ctx.store.groups.hasRole(group.id, ctx.caller.account.id, role)) return { ok: true, override: false };
  if (superowner && ctx.caller.roles.isSuperOwner) return { ok: true, override: true };
  return { ok: false, override: false };
}

type ManagingRole = 'owner' | 'gatekeeper' | 'aclkeeper';

/** The refusal of each role, in The Bastion's words (its aclkeeper plugins phrase it their own way). */
const REFUSAL: Record<ManagingRole, { code: FailCode; msg: (group: string, why: string) => string }> = {
  owner: { code: 'ERR_NOT_GROUP_OWNER', msg: (g, why) => `Sorry, you're not an owner of group ${g}, which is needed to ${why}` },
  gatekeeper: { code: 'ERR_NOT_GROUP_GATEKEEPER', msg: (g, why) => `Sorry, you're not a gatekeeper of group ${g}, which is needed to ${why}` },
  aclkeeper: { code: 'ERR_NOT_GROUP_ACLKEEPER', msg: (g, why) => `Sorry, you must be an aclkeeper of group ${g} to be able to ${why}` },
};

/**
 * The plugin-level check before a change to `group`: null when the caller may go on (warning
 * them and logging when it is a superowner override), else the refusal to return.
 */
export function requireGroupRole(ctx: PluginContext, group: GroupRow, role: ManagingRole, why: string): Failed | null {
  const v = callerHasRole(ctx, group, role, true);
  if (!v.ok) return R(REFUSAL[role].code, { msg: REFUSAL[role].msg(group.name, why) });
  if (v.override) {
    ctx.out.warn(`SUPER OWNER OVERRIDE: you're not a ${role} of the group ${group.name},`);
    ctx.out.warn("but it's allowed because you're a superowner. This has been logged.");
    ctx.log.info({ type: 'superowner-override', account: ctx.caller.name, group: group.name, role }, 'superowner override');
  }
  return null;
}

const FLAG_ORDER: readonly GroupRole[] = ['owner', 'gatekeeper', 'aclkeeper', 'member', 'guest'];

/** Each group the account has a role on, by name, with its roles in The Bastion's order (accountInfo's `groups`, groupList's flags). */
export function accountGroupFlags(store: Store, accountId: number): Record<string, { name: string; flags: string[] }> {
  const out: Record<string, { name: string; flags: string[] }> = {};
  for (const r of store.groups.rolesOfAccount(accountId)) {
    const g = out[r.group] ?? { name: r.group, flags: [] };
    out[r.group] = g;
    g.flags.push(r.role);
  }
  for (const g of Object.values(out)) g.flags.sort((a, b) => FLAG_ORDER.indexOf(a as GroupRole) - FLAG_ORDER.indexOf(b as GroupRole));
  return out;
}
