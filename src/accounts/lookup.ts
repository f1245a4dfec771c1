// Naming an existing account in a plugin option: The Bastion's is_bastion_account_valid_and_existing
// (the name rules of checkAccountName first, then KO_NOT_FOUND), so every account* plugin refuses
// the same way.
import { checkAccountName } from '../access/accountName.js';
import { isOk, R, type Result } from '../result.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';

export function findAccount(store: Store, name: string | undefined): Result<AccountRow> {
  const valid = checkAccountName(name);
  if (!isOk(valid) || valid.value === null) return R(valid.code, { msg: valid.msg });
  const row = store.accounts.byName(valid.value);
  if (!row) return R('KO_NOT_FOUND', { msg: `Account '${valid.value}' doesn't exist` });
  return R('OK', { value: row });
}

/** The alias line The Bastion prints for an account: bastionCommand with its placeholders filled. */
export function bastionAliasCommand(bastionCommand: string, bastionName: string, hostname: string, account: string): string {
  return bastionCommand
    .replace(/USER|ACCOUNT/g, account)
    .replace(/CACHENAME|BASTIONNAME/g, bastionName)
    .replace(/HOSTNAME/g, hostname);
}
