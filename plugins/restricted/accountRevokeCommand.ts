import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/plugin/define.js';
import type { PluginContext } from '../../src/plugin/context.js';
import { isOk, R } from '../../src/result.js';

/** What may be revoked: every restricted plugin, plus `auditor` (a grant that is not a plugin). */
function revocable(ctx: PluginContext): string[] {
  const names = [...ctx.server.plugins.values()].filter((p) => p.category === 'restricted').map((p) => p.name);
  return [...names, 'auditor'].sort();
}

export default definePlugin({
  name: 'accountRevokeCommand',
  category: 'restricted',
  summary: 'Revoke access to a restricted command',
  header: 'revoking access to a restricted osh command from an account',
  options: {
    account: { type: 'string', valueName: 'ACCOUNT', description: 'The bastion account to work on' },
    command: { type: 'string', valueName: 'COMMAND', description: 'The name of the restricted plugin to revoke (omit it to get the list)' },
  },
  help: `Revoking accountGrantCommand or accountRevokeCommand is reserved to bastion admins, as granting
them is. Admins keep every restricted command whatever their grants say.`,
  examples: ['--account alice --command accountInfo', '--account alice --command auditor'],
  handler(ctx, opts) {
    const { store, caller, out } = ctx;
    if (opts.command === undefined || opts.command === '') {
      out.info(`\nList of possible commands to revoke: ${revocable(ctx).join(' ')}`);
      return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'command'" });
    }
    if (opts.account === undefined) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'account'" });
    const found = findAccount(store, opts.account);
    if (!isOk(found) || found.value === null) return found;
    const target = found.value;
    const command = opts.command;
    if (!/^[a-z0-9]+$/i.test(command)) return R('ERR_INVALID_PARAMETER', { msg: `Specified command is invalid (${command})` });
    if (!revocable(ctx).includes(command)) {
      return R('ERR_INVALID_PARAMETER', { msg: `Specified command (${command}) is not in the restricted plugins list` });
    }
    if ((command === 'accountGrantCommand' || command === 'accountRevokeCommand') && !caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: `Specified command (${command}) can only be revoked by bastion admins, for security reasons` });
    }
    const revoked = store.tx(() => store.grants.revoke(target.id, command));
    if (!revoked) {
      return R('OK_NO_CHANGE', { msg: `Account ${target.name} did not have the right to use the ${command} plugin, no change required` });
    }
    ctx.log.info({ action: 'revoke', account: target.name, command }, 'command revoked');
    return R('OK', { msg: `Successfully revoked use of restricted command ${command} from ${target.name}` });
  },
});
