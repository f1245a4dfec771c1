// Global roles and the category rule that decides, before any option is parsed, whether an
// account may run a plugin at all (The Bastion's can_account_execute_plugin).
import type { Logger } from 'pino';
import type { BastionConfig } from '../config/schema.js';

/** What the role rules read: the grants an account holds, and which names exist. */
export interface RoleFacts {
  readonly grants: { has(accountId: number, grant: string): boolean };
  readonly accounts: { byName(name: string): unknown };
}

/**
 * Plugin categories, as The Bastion's plugin folders: a plugin's folder is its permission tier,
 * so the tiers belong with the rule that reads them (mayRunCategory); osh/define re-exports
 * them for plugin authors.
 */
export const CATEGORIES = ['open', 'restricted', 'group-owner', 'group-gatekeeper', 'group-aclkeeper', 'admin'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Roles {
  readonly isAdmin: boolean;
  /** superOwnerAccounts, or an admin (The Bastion: "an admin is also always a superowner"). */
  readonly isSuperOwner: boolean;
  /** The `auditor` grant, or an admin. */
  readonly isAuditor: boolean;
}

export function rolesOf(store: RoleFacts, config: BastionConfig, account: { id: number; name: string }): Roles {
  const isAdmin = config.adminAccounts.includes(account.name);
  return {
    isAdmin,
    isSuperOwner: isAdmin || config.superOwnerAccounts.includes(account.name),
    isAuditor: isAdmin || store.grants.has(account.id, 'auditor'),
  };
}

/**
 * The global role the configuration gives a name, whether or not such an account exists yet.
 * Roles are given by name, so a listed name nobody has yet is a role waiting for whoever creates
 * that account: creating it is left to admins (accountCreate), and each load warns about it.
 */
export function configuredRoleOf(config: Pick<BastionConfig, 'adminAccounts' | 'superOwnerAccounts'>, name: string): 'admin' | 'superowner' | null {
  if (config.adminAccounts.includes(name)) return 'admin';
  if (config.superOwnerAccounts.includes(name)) return 'superowner';
  return null;
}

/** The names adminAccounts and superOwnerAccounts list that no account has. */
function unboundRoleNames(store: RoleFacts, config: Pick<BastionConfig, 'adminAccounts' | 'superOwnerAccounts'>): { name: string; role: 'admin' | 'superowner' }[] {
  const names = [...new Set([...config.adminAccounts, ...config.superOwnerAccounts])];
  return names.flatMap((name) => {
    const role = configuredRoleOf(config, name);
    return role !== null && !store.accounts.byName(name) ? [{ name, role }] : [];
  });
}

/** One warning per configuration load when it lists role names that no account has. */
export function warnUnboundRoleNames(store: RoleFacts, config: BastionConfig, log: Pick<Logger, 'warn'>): void {
  const unbound = unboundRoleNames(store, config);
  if (unbound.length === 0) return;
  log.warn(
    { admins: unbound.filter((u) => u.role === 'admin').map((u) => u.name), superowners: unbound.filter((u) => u.role === 'superowner').map((u) => u.name) },
    'configuration gives a role to account names that do not exist: only an admin can create them (accountCreate)',
  );
}

/** Whether an account holds a group role on at least one group (access/groupRoles.ts answers it from the store). */
export type GroupRoleCheck = (accountId: number, role: 'owner' | 'gatekeeper' | 'aclkeeper') => boolean;

export function mayRunCategory(store: RoleFacts, roles: Roles, account: { id: number }, plugin: { name: string; category: Category }, hasGroupRole: GroupRoleCheck): boolean {
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
