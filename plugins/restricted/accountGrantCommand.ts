import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/plugin/define.js';
import type { PluginContext } from '../../src/plugin/context.js';
import { isOk, R } from '../../src/result.js';

/** What may be granted: every restricted plugin, plus `auditor` (a grant that is not a plugin). */
function grantable(ctx: PluginContext): string[] {
  const names = [...ctx.server.plugins.values()].filter((p) => p.category === 'restricted').map((p) => p.name);
  return [...names, 'auditor'].sort();
}

export default definePlugin({
  name: 'accountGrantCommand',
  category: 'restricted',
  summary: 'Grant access to a restricted command',
  header: 'granting access to a restricted osh command to an account',
  options: {
    account: { type: 'string', valueName: 'ACCOUNT', description: 'The bastion account to work on' },
    command: { type: 'string', valueName: 'COMMAND', description: 'The name of the restricted plugin to grant (omit it to get the list)' },
  },
  help: `accountGrantCommand is itself a restricted command: whoever holds it can grant themselves or
anybody else any restricted command. For that reason, accountGrantCommand and accountRevokeCommand
can only be granted by bastion admins.

One grant is not a plugin: \`auditor\`. It makes several read plugins show more (e.g. the admin and
superowner lists in info), so that rights and grants can be audited without being a group member.`,
  examples: ['--account alice --command accountInfo', '--account alice --command auditor'],
  differences: ['Only restricted plugins that this Gatehouse has can be granted (plus auditor).'],
  handler(ctx, opts) {
    const { store, caller, out } = ctx;
    if (opts.command === undefined || opts.command === '') {
      out.info(`\nList of possible commands to grant: ${grantable(ctx).join(' ')}`);
      return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'command'" });
    }
    if (opts.account === undefined) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'account'" });
    const found = findAccount(store, opts.account);
    if (!isOk(found) || found.value === null) return found;
    const target = found.value;
    const command = opts.command;
    if (!/^[a-z0-9]+$/i.test(command)) return R('ERR_INVALID_PARAMETER', { msg: `Specified command is invalid (${command})` });
    if (!grantable(ctx).includes(command)) {
      return R('ERR_INVALID_PARAMETER', { msg: `Specified command (${command}) is not in the restricted plugins list` });
    }
    if ((command === 'accountGrantCommand' || command === 'accountRevokeCommand') && !caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: `Specified command (${command}) can only be granted by bastion admins, for security reasons` });
    }
    const granted = store.tx(() => store.grants.grant(target.id, command, caller.name, Math.floor(ctx.clock.now() / 1000)));
    if (!granted) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} already has the right to use the ${command} plugin, no change required` });
    }
    ctx.log.info({ action: 'grant', account: target.name, command }, 'command granted');
    return R('OK', { msg: `Successfully granted use of restricted command ${command} to ${target.name}` });
  },
});
