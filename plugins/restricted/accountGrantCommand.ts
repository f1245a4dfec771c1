import { checkGrantChange, COMMAND_OPTION_CHECKS } from '../../src/accounts/grants.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountGrantCommand',
  category: 'restricted',
  summary: 'Grant access to a restricted command',
  header: 'granting access to a restricted osh command to an account',
  options: {
    // Not declared required: without --command, the list of commands is printed first, --account or not.
    account: { type: 'string', valueName: 'ACCOUNT', description: 'The bastion account to work on' },
    command: { type: 'string', ...COMMAND_OPTION_CHECKS, valueName: 'COMMAND', description: 'The name of the restricted plugin to grant (omit it to get the list)' },
  },
  help: `accountGrantCommand is itself a restricted command: whoever holds it can grant themselves or
anybody else any restricted command. For that reason, accountGrantCommand and accountRevokeCommand
can only be granted by bastion admins.

One grant is not a plugin: \`auditor\`. It makes several read plugins show more (e.g. the admin and
superowner lists in info), so that rights and grants can be audited without being a group member.`,
  examples: ['--account alice --command accountInfo', '--account alice --command auditor'],
  differences: ['Only restricted plugins that this Gatehouse has can be granted (plus auditor).'],
  handler(ctx, opts) {
    const { store, caller } = ctx;
    const checked = checkGrantChange(ctx, opts, 'grant');
    if (!isOk(checked)) return checked;
    const { target, command } = checked.value;
    const granted = store.tx(() => store.grants.grant(target.id, command, caller.name, Math.floor(ctx.clock.now() / 1000)));
    if (!granted) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} already has the right to use the ${command} plugin, no change required` });
    }
    ctx.log.info({ action: 'grant', account: target.name, command }, 'command granted');
    return R('OK', { msg: `Successfully granted use of restricted command ${command} to ${target.name}` });
  },
});
