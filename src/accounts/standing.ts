// Whether a connected account may still act, read as it is now: a connection is bound to the
// account it authenticated as (id and name; a row under the same id with another name is another
// account), and that account may since have been deleted, frozen or expired. Every call checks
// this when it begins (dispatch), and clush again around each host (egress/remoteRun).
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { ResultCode } from '../kernel/result.js';
import { checkAccountState } from '../policy/accountState.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';

export type Standing = { readonly ok: true; readonly account: AccountRow } | { readonly ok: false; readonly code: ResultCode; readonly exit: number; readonly msg: string };

export function accountStanding(store: Store, bound: Pick<AccountRow, 'id' | 'name'>, config: BastionConfig, nowSec: number): Standing {
  const account = store.accounts.byId(bound.id);
  if (!account || account.name !== bound.name) {
    return { ok: false, code: 'KO_ACCOUNT_INVALID', exit: EXIT.ACCOUNT_INVALID, msg: `Sorry ${bound.name}, your account no longer exists` };
  }
  const state = checkAccountState(account, store.accounts.settings(account.id), config, nowSec);
  return state.ok ? { ok: true, account } : state;
}
