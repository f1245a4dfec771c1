// Global roles and the category rule that decides, before any option is parsed, whether an
// account may run a plugin at all (The Bastion's can_account_execute_plugin).
import type { BastionConfig } from '../config/schema.js';
import type { Category } from '../plugin/define.js';
import type { Store } from '../store/store.js';

export interface Roles {
  readonly isAdmin: boolean;
  /** superOwnerAccounts, or an admin (The Bastion: "an admin is also always a superowner"). */
  readonly isSuperOwner: boolean;
  /** The `auditor` grant, or an admin. */
  readonly isAuditor: boolean;
}

export function rolesOf(store: Store, config: BastionConfig, account: { id: number; name: string }): Roles {
  const isAdmin = config.adminAccounts.includes(account.name);
  return {
    isAdmin,
    isSuperOwner: isAdmin || config.superOwnerAccounts.includes(account.name),
    isAuditor: isAdmin || store.grants.has(account.id, 'auditor'),
  };
}

/** Group roles an account holds on at least one group; groups arrive with the groups capability. */
export type GroupRoleCheck = (accountId: number, role: 'owner' | 'gatekeeper' | 'aclkeeper') => boolean;

export const noGroupRoles: GroupRoleCheck = () => false;

export function mayRunCategory(
  store: Store,
  roles: Roles,
  account: { id: number },
  plugin: { name: string; category: Category },
  hasGroupRole: GroupRoleCheck = noGroupRoles,
): boolean {
  switch (plugin.category) {
    case 'open':
      return true;
    case 'restricted':
      return roles.isAdmin || store.grants.has(account.id, plugin.name);
    case 'admin':
      return roles.isAdmin;
    case 'group-owner':
      return roles.isSuperOwner || hasGroupRole(account.id, 'owner');
    case 'group-gatekeeper':
      return roles.isSuperOwner || hasGroupRole(account.id, 'gatekeeper');
    case 'group-aclkeeper':
      return roles.isSuperOwner || hasGroupRole(account.id, 'aclkeeper');
  }
}
