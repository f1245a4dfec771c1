// Adding and removing an account's owner, gatekeeper, aclkeeper and member roles on a group:
// The Bastion's groupSetRole (lib/perl/OVH/Bastion/Plugin/groupSetRole.pm and the
// osh-groupSetRole helper), with the same order of checks and the same codes:
//   missing option → ERR_MISSING_PARAMETER (declared by the plugins: MISSING_ACCOUNT_OR_GROUP);
//   group name/existence; account name/existence;
//   owner/gatekeeper/aclkeeper lists need an owner, member/guest lists a gatekeeper (superowners
//   pass, flagged as an override); then OK, or OK_NO_CHANGE when the role already was (or wasn't).
// Making a guest a member first removes its guest accesses (a member has them all anyway).
import { findAccount } from '../accounts/lookup.js';
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { GroupRole, GroupRow } from '../store/groups.js';
import type { AccountRow } from '../store/accounts.js';
import { findGroup } from './groupName.js';
import { requireGroupRole } from './groupRoles.js';
import { printAcls } from './aclPrint.js';

export type ManagedRole = 'owner' | 'gatekeeper' | 'aclkeeper' | 'member';

export interface RoleTarget {
  readonly group: GroupRow;
  readonly account: AccountRow;
}

/**
 * groupSetRole's refusal when --group or --account is absent or empty: the role and guest plugins
 * declare both options required with it (`missingMessage`), so the checks below get both names.
 */
export const MISSING_ACCOUNT_OR_GROUP = "Missing mandatory parameter 'account' or 'group'";

/** The two options of every role change: --group and --account, both required with The Bastion's one message. */
export function roleChangeOptions(groupText: string, accountText: string) {
  const required = { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_ACCOUNT_OR_GROUP } as const;
  return {
    group: { ...required, valueName: 'GROUP', description: groupText },
    account: { ...required, valueName: 'ACCOUNT', description: accountText },
  } as const;
}

/** The common preconditions of every role change (and of guest access changes, with role 'guest'). */
export function roleChangeTarget(ctx: PluginContext, groupName: string, accountName: string, role: GroupRole): Result<RoleTarget> {
  const group = findGroup(ctx.store, groupName);
  if (!isOk(group)) return R(group.code, { msg: group.msg });
  const account = findAccount(ctx.store, accountName);
  if (!isOk(account)) return R(account.code, { msg: account.msg });
  const needs = role === 'member' || role === 'guest' ? 'gatekeeper' : 'owner';
  const refused = requireGroupRole(ctx, group.value, needs, `change its ${role} list`);
  if (refused) return R(refused.code, { msg: refused.msg });
  return R('OK', { value: { group: group.value, account: account.value } });
}

export function changeGroupRole(
  ctx: PluginContext,
  opts: { readonly group: string; readonly account: string; readonly role: ManagedRole; readonly action: 'add' | 'del' },
): Result {
  const t = roleChangeTarget(ctx, opts.group, opts.account, opts.role);
  if (!isOk(t)) return t;
  const { group, account } = t.value;
  const { store, out } = ctx;
  const now = Math.floor(ctx.clock.now() / 1000);
  const has = store.groups.hasRole(group.id, account.id, opts.role);
  if (opts.action === 'add' && has) {
    return R('OK_NO_CHANGE', { msg: `Account ${account.name} was already a ${opts.role} of group ${group.name}, nothing to do` });
  }
  if (opts.action === 'del' && !has) {
    return R('OK_NO_CHANGE', { msg: `Account ${account.name} was not a ${opts.role} of group ${group.name}, nothing to do` });
  }
  store.tx(() => {
    if (opts.action === 'del') {
      store.groups.removeRole(group.id, account.id, opts.role);
      return;
    }
    if (opts.role === 'member' && store.groups.hasRole(group.id, account.id, 'guest')) {
      const guestLines = store.acl.view({ kind: 'guest', accountId: account.id, groupId: group.id }, now);
      if (guestLines.length > 0) {
        out.warn('This account was previously a guest of this group, with the following accesses:');
        printAcls(ctx, [{ type: 'group-guest', group: group.name, acl: guestLines }], {});
        out.info('\nCleaning these guest accesses before granting membership...');
      }
      store.acl.clearGuest(account.id, group.id);
      store.groups.removeRole(group.id, account.id, 'guest');
    }
    store.groups.addRole(group.id, account.id, opts.role, ctx.caller.name, now);
  });
  ctx.log.info({ type: 'membership', action: opts.action, role: opts.role, group: group.name, account: account.name }, 'group role changed');
  const article = /^[aeiou]/.test(opts.role) ? 'an' : 'a';
  const done = opts.action === 'add' ? `is now ${article} ${opts.role} of` : `is no longer ${article} ${opts.role} of`;
  return R('OK', { msg: `Account ${account.name} ${done} group ${group.name}` });
}
