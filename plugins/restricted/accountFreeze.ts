import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

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
The sessions it has open through the bastion are ended at once (they exit with 131 too), and
its SSH connections to the bastion are closed.
You can't freeze yourself, and only an admin may freeze an admin.`,
  examples: ['--account alice', '--account alice --reason "\'left the company\'"'],
  async handler(ctx, opts) {
    const { store, caller, out } = ctx;
    if (opts.account === caller.name) {
      return R('ERR_INVALID_PARAMETER', { msg: `Please don't freeze yourself, ${caller.name}: the bastion needs you!` });
    }
    const found = findAccount(store, opts.account);
    if (!isOk(found)) return found;
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
    // As The Bastion does (osh-accountKillSessions): what is already open ends too, and so do its
    // connections (a command without a pty would otherwise live on in sshd on the target, and a
    // ControlMaster connection would stay logged in).
    out.info('Terminating sessions if any...');
    const ended = await ctx.liveSessions.endAccount(target.id, 'account_frozen');
    out.info(ended.sessions === 0 ? 'No session was open.' : `${ended.sessions} session${ended.sessions > 1 ? 's' : ''} terminated.`);
    if (ended.sessions > 0 || ended.connections > 0) {
      ctx.log.info({ action: 'freeze', account: target.name, sessions: ended.sessions, connections: ended.connections }, 'sessions and connections of a frozen account ended');
    }
    return R('OK', {
      value: { account: target.name, reason },
      msg: `Account ${target.name} is now frozen: every call it makes will be refused.`,
    });
  },
});
