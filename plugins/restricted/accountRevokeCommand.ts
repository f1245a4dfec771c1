import { checkGrantChange, COMMAND_OPTION_CHECKS } from '../../src/accounts/grants.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountRevokeCommand',
  category: 'restricted',
  summary: 'Revoke access to a restricted command',
  header: 'revoking access to a restricted osh command from an account',
  options: {
    // Not declared required: without --command, the list of commands is printed first, --account or not.
    account: { type: 'string', valueName: 'ACCOUNT', description: 'The bastion account to work on' },
    command: { type: 'string', ...COMMAND_OPTION_CHECKS, valueName: 'COMMAND', description: 'The name of the restricted plugin to revoke (omit it to get the list)' },
  },
  help: `Revoking accountGrantCommand or accountRevokeCommand is reserved to bastion admins, as granting
them is. Admins keep every restricted command whatever their grants say.`,
  examples: ['--account alice --command accountInfo', '--account alice --command auditor'],
  handler(ctx, opts) {
    const { store } = ctx;
    const checked = checkGrantChange(ctx, opts, 'revoke');
    if (!isOk(checked)) return checked;
    const { target, command } = checked.value;
    const revoked = store.tx(() => store.grants.revoke(target.id, command));
    if (!revoked) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} did not have the right to use the ${command} plugin, no change required` });
    }
    ctx.log.info({ action: 'revoke', account: target.name, command }, 'command revoked');
    return R('OK', { msg: `Successfully revoked use of restricted command ${command} from ${target.name}` });
  },
});
