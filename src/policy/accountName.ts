// Account name rules, as The Bastion's is_account_valid (lib/perl/OVH/Bastion/allowkeeper.inc)
// applies them to local accounts: 2 to 28 characters from [a-zA-Z0-9._-], not starting with '-'
// or '.', no reserved prefix (key, realm_), suffix (-tty, -aclkeeper, -gatekeeper, -owner) or
// name. The 28-character limit comes from unix group names (32 minus "-tty"); Gatehouse keeps it
// so that names stay portable between the two bastions. Realm names (with '/') are not local.
import { R, type Result } from '../kernel/result.js';

const RESERVED = new Set(['root', 'proxyhttp', 'keykeeper', 'passkeeper', 'logkeeper', 'realm', 'realm_realm']);

export function checkAccountName(account: string | undefined): Result<string> {
  if (!account) return R('ERR_MISSING_PARAMETER', { msg: "Missing parameter 'account'" });
  if (account.includes('/')) return R('KO_REALM_FORBIDDEN', { msg: "Account name must not contain any '/'" });
  if (/^[-.]/.test(account)) return R('KO_FORBIDDEN_PREFIX', { msg: "Account name must not start with a '-' nor a '.'" });
  if (/-(?:tty|aclkeeper|gatekeeper|owner)$/i.test(account)) {
    return R('KO_FORBIDDEN_SUFFIX', { msg: 'Account name contains an unauthorized suffix' });
  }
  if (/^key/i.test(account)) return R('KO_FORBIDDEN_PREFIX', { msg: 'Account name contains an unauthorized key prefix' });
  if (/^realm_/.test(account)) return R('KO_FORBIDDEN_PREFIX', { msg: 'Account name contains an unauthorized realm prefix' });
  if (RESERVED.has(account)) return R('KO_FORBIDDEN_NAME', { msg: 'Account name is reserved' });
  if (!/^[a-zA-Z0-9._-]+$/.test(account)) {
    return R('KO_FORBIDDEN_CHARS', { msg: `Account name contains forbidden characters ${account}` });
  }
  if (account.length < 2) return R('KO_TOO_SMALL', { msg: `Account name is too small, length(${account}) < 2` });
  if (account.length > 28) return R('KO_TOO_LONG', { msg: `Account name is too long, length(${account}) > 28` });
  return R('OK', { value: account });
}
