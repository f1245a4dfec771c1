import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountDelete',
  category: 'restricted',
  summary: 'Delete an account from the bastion',
  header: 'delete an existing bastion account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'Name of the account to delete' },
    'no-confirm': {
      type: 'boolean',
      alias: ['i-am-a-robot-and-i-dont-know-how-to-answer-your-question'],
      description: "Don't ask for the confirmation sentence (and blame yourself if it was the wrong account)",
    },
  },
  help: `Without --no-confirm, the bastion asks for a sentence and reads one line from stdin:
  Yes, do as I say and delete ACCOUNT, kthxbye
Anything else, or no line at all, cancels the deletion (ERR_OPERATOR_IS_DRUNK).
The account's ingress and egress keys, command grants and settings are deleted with it, in one
transaction; its open sessions through the bastion are ended and its SSH connections closed.
Only an admin may delete an admin.`,
  examples: ['--account alice', '--account alice --no-confirm'],
  differences: [
    "Nothing is archived: there is no home directory to back up. The audit trail keeps the account's past calls.",
    "The value's `ttygroup` is null: there is no unix tty group to delete.",
    'A non-admin deleting an admin is refused before the confirmation sentence is asked for (The Bastion asks first).',
  ],
  async handler(ctx, opts) {
    const { out, store, config } = ctx;
    const found = findAccount(store, opts.account);
    if (!isOk(found)) return found;
    const target = found.value;
    const account = target.name;
    // The Bastion's helper refuses this even to accounts granted accountDelete (checked here
    // before the confirmation is asked for, rather than after).
    if (config.adminAccounts.includes(account) && !ctx.caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: "You can't delete an admin without being admin yourself" });
    }

    if (!opts['no-confirm']) out.info('!!!! WARNING !!!! WARNING !!!! WARNING !!!! WARNING !!!! WARNING !!!!');
    out.warn(`Hint: account ${account} is currently ACTIVE (not disabled), think twice before removing it!`);
    if (!opts['no-confirm']) {
      out.info(`You are about to DELETE the bastion account ${account}, with its keys, grants and settings.`);
      out.info('To confirm, type the following sentence, with the account name in place:');
      out.info('');
      out.info('  "Yes, do as I say and delete <account name>, kthxbye"');
      out.info('');
      const line = await ctx.stdin.readLine();
      if (line === null) {
        return R('ERR_OPERATOR_IS_DRUNK', { msg: 'No confirmation sentence arrived on stdin (end of input or time out): nothing was deleted' });
      }
      if (line !== `Yes, do as I say and delete ${account}, kthxbye`) {
        return R('ERR_OPERATOR_IS_DRUNK', { msg: "That isn't the confirmation sentence: nothing was deleted" });
      }
      out.info('OK, proceeding...');
    }

    // Keys, grants, settings (and whatever else references the account) go with it: ON DELETE CASCADE.
    const removed = store.tx(() => store.accounts.remove(target.id));
    if (!removed) return R('KO_NOT_FOUND', { msg: `Account '${account}' doesn't exist` });
    ctx.log.info({ account }, 'account deleted');
    // What it has open ends now: its egress sessions (recorded as account_deleted), then its
    // connections, which would otherwise go on as a logged-in account that no longer exists.
    const ended = await ctx.liveSessions.endAccount(target.id, 'account_deleted');
    if (ended.sessions > 0 || ended.connections > 0) {
      ctx.log.info({ account, sessions: ended.sessions, connections: ended.connections }, 'sessions and connections of a deleted account ended');
    }
    return R('OK', {
      value: { account, ttygroup: null, operation: 'deleted', errors: 0 },
      msg: `Account ${account} has been deleted`,
    });
  },
});
