import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/plugin/define.js';
import { isOk, R } from '../../src/result.js';

export default definePlugin({
  name: 'accountFreeze',
  category: 'restricted',
  summary: 'Freeze an account, to prevent it from connecting',
  header: 'freeze an account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to freeze' },
    reason: {
      type: 'string',
      valueName: '\'"SOME REASON"\'',
      description: 'Why the account is frozen; shown to its user on each refused call. Quote it twice from a shell',
    },
  },
  help: `A frozen account can still log in over SSH, but every call it makes is refused with
KO_ACCOUNT_FROZEN (exit status 131) until accountUnfreeze. Its keys, grants and settings are kept.
The sessions it has open through the bastion are ended at once (they exit with 131 too).
You can't freeze yourself, and only an admin may freeze an admin.`,
  examples: ['--account alice', '--account alice --reason "\'left the company\'"'],
  handler(ctx, opts) {
    const { store, caller, out } = ctx;
    if (opts.account === caller.name) {
      return R('ERR_INVALID_PARAMETER', { msg: `Please don't freeze yourself, ${caller.name}: the bastion needs you!` });
    }
    const found = findAccount(store, opts.account);
    if (!isOk(found) || found.value === null) return found;
    const target = found.value;
    if (ctx.config.adminAccounts.includes(target.name) && !caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: "You can't freeze the account of an admin without being an admin yourself" });
    }
    out.info(`Freezing ${target.name}...`);
    const reason = opts.reason !== undefined && opts.reason !== '' ? opts.reason : null;
    // The row was read in this same synchronous turn (no await since findAccount): it is current.
    if (target.frozen_at !== null) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} was already frozen, no change was needed or made` });
    }
    store.accounts.setFrozen(target.id, { at: Math.floor(ctx.clock.now() / 1000), by: caller.name, reason });
    ctx.log.info({ action: 'freeze', account: target.name }, 'account frozen');
    // As The Bastion does (osh-accountKillSessions): what is already open ends too.
    out.info('Terminating sessions if any...');
    const ended = ctx.liveSessions.terminate(target.id, 'account_frozen');
    out.info(ended === 0 ? 'No session was open.' : `${ended} session${ended > 1 ? 's' : ''} terminated.`);
    if (ended > 0) ctx.log.info({ action: 'freeze', account: target.name, sessions: ended }, 'sessions of a frozen account terminated');
    return R('OK', {
      value: { account: target.name, reason },
      msg: `Account ${target.name} is now frozen: every call it makes will be refused.`,
    });
  },
});
