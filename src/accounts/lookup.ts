// Naming an existing account in a plugin option: The Bastion's is_bastion_account_valid_and_existing
// (the name rules of checkAccountName first, then KO_NOT_FOUND), so every account* plugin refuses
// the same way.
import { checkAccountName } from '../policy/accountName.js';
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';

export function findAccount(store: Store, name: string | undefined): Result<AccountRow> {
  const valid = checkAccountName(name);
  if (!isOk(valid)) return R(valid.code, { msg: valid.msg });
  const row = store.accounts.byName(valid.value);
  if (!row) return R('KO_NOT_FOUND', { msg: `Account '${valid.value}' doesn't exist` });
  return R('OK', { value: row });
}

/**
 * Whose records a self* plugin shows: the caller's, or with --account another account's, which
 * only auditors (and admins) may see (The Bastion's adminSudo). `what` ends the refusal message.
 */
export function viewedAccountId(ctx: PluginContext, name: string | undefined, what: string): Result<number> {
  if (name === undefined || name === ctx.caller.name) return R('OK', { value: ctx.caller.account.id });
  if (!ctx.caller.roles.isAuditor) return R('ERR_ACCESS_DENIED', { msg: `Only auditors may ${what}` });
  const row = ctx.store.accounts.byName(name);
  if (!row) return R('KO_ACCOUNT_NOT_FOUND', { msg: `Account '${name}' doesn't exist` });
  return R('OK', { value: row.id });
}

/** The alias line The Bastion prints for an account: bastionCommand with its placeholders filled. */
export function bastionAliasCommand(bastionCommand: string, bastionName: string, hostname: string, account: string): string {
  return bastionCommand
    .replace(/USER|ACCOUNT/g, account)
    .replace(/CACHENAME|BASTIONNAME/g, bastionName)
    .replace(/HOSTNAME/g, hostname);
}

/** The required --account option most account plugins declare, with The Bastion's message when it is missing. */
export function accountOption(description: string) {
  return {
    type: 'string',
    required: true,
    emptyIsMissing: true,
    missingMessage: "Missing mandatory parameter 'account'",
    valueName: 'ACCOUNT',
    description,
  } as const;
}
