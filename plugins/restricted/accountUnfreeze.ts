import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountUnfreeze',
  category: 'restricted',
  summary: 'Unfreeze a frozen account',
  header: 'unfreeze a previously frozen account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to unfreeze' },
  },
  help: 'The account can make calls again at once. Only an admin may unfreeze an admin.',
  examples: ['--account alice'],
  handler(ctx, opts) {
    const { store, caller } = ctx;
    const found = findAccount(store, opts.account);
    if (!isOk(found)) return found;
    const target = found.value;
    if (ctx.config.adminAccounts.includes(target.name) && !caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: "You can't unfreeze the account of an admin without being an admin yourself" });
    }
    // The row was read in this same synchronous turn (no await since findAccount): it is current.
    if (target.frozen_at === null) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} was not frozen, no change was needed or made` });
    }
    store.accounts.setFrozen(target.id, null);
    ctx.log.info({ action: 'unfreeze', account: target.name }, 'account unfrozen');
    return R('OK', { value: { account: target.name }, msg: `Account ${target.name} is no longer frozen, it can connect again.` });
  },
});
