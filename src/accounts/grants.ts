// Granting and revoking restricted commands (The Bastion's accountGrantCommand and
// accountRevokeCommand, which add and remove an account from the osh-<command> unix group): both
// take the same request through the same checks, so a name refused by one is refused by the
// other, and only the verb in the messages differs.
import type { PluginContext, PluginListing } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import { findAccount } from './lookup.js';

// The plugin table is loaded once at start-up: its restricted names are collected once too, not
// at every grant check or for every account of an accountInfo --all.
const restrictedNames = new WeakMap<ReadonlyMap<string, PluginListing>, ReadonlySet<string>>();

/** The names of the restricted plugins (the ones an account must be granted). */
export function restrictedPluginNames(plugins: ReadonlyMap<string, PluginListing>): ReadonlySet<string> {
  let names = restrictedNames.get(plugins);
  if (!names) {
    names = new Set([...plugins.values()].filter((p) => p.category === 'restricted').map((p) => p.name));
    restrictedNames.set(plugins, names);
  }
  return names;
}

/** Every restricted plugin, plus `auditor` (a grant that is not a plugin), sorted. */
export function grantableCommands(plugins: ReadonlyMap<string, PluginListing>): string[] {
  return [...restrictedPluginNames(plugins), 'auditor'].sort();
}

/** Whoever may grant these could grant themselves anything: admins only, either way. */
const ADMIN_ONLY = new Set(['accountGrantCommand', 'accountRevokeCommand']);

export interface GrantChange {
  readonly target: AccountRow;
  readonly command: string;
}

/**
 * --command as both plugins declare it: an empty one is none (checkGrantChange then prints what may
 * be named), and a name is letters and digits, refused in The Bastion's words.
 */
export const COMMAND_OPTION_CHECKS = {
  emptyIsMissing: true,
  pattern: { regex: /^[a-z0-9]+$/i, accepts: 'a plugin name: letters and digits' },
  invalidMessage: (command: string) => `Specified command is invalid (${command})`,
} as const;

/**
 * The checks before a grant or a revocation, in The Bastion's order (the plugins declare
 * --command's form): without --command, the list of what may be named is printed; then the
 * account must be given and exist, the command be a restricted plugin (or auditor), and the two
 * grant plugins themselves are left to admins.
 */
export function checkGrantChange(
  ctx: PluginContext,
  opts: { readonly account: string | undefined; readonly command: string | undefined },
  verb: 'grant' | 'revoke',
): Result<GrantChange> {
  if (opts.command === undefined || opts.command === '') {
    ctx.out.info(`\nList of possible commands to ${verb}: ${grantableCommands(ctx.server.plugins).join(' ')}`);
    return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'command'" });
  }
  if (opts.account === undefined) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'account'" });
  const found = findAccount(ctx.store, opts.account);
  if (!isOk(found)) return R(found.code, { msg: found.msg });
  const command = opts.command;
  if (command !== 'auditor' && !restrictedPluginNames(ctx.server.plugins).has(command)) {
    return R('ERR_INVALID_PARAMETER', { msg: `Specified command (${command}) is not in the restricted plugins list` });
  }
  if (ADMIN_ONLY.has(command) && !ctx.caller.roles.isAdmin) {
    return R('ERR_SECURITY_VIOLATION', { msg: `Specified command (${command}) can only be ${verb === 'grant' ? 'granted' : 'revoked'} by bastion admins, for security reasons` });
  }
  return R('OK', { value: { target: found.value, command } });
}
