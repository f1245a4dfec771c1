import { checkRuleChange, describeRule, PATTERN_HELP, RULE_OPTIONS, ruleValue } from '../../src/access/commandRules.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountAddAllowedCommand',
  category: 'restricted',
  summary: 'Allow an account to run a command on its servers, making it command-restricted',
  header: 'adding an allowed command to an account',
  options: RULE_OPTIONS,
  help: `${PATTERN_HELP}

The first rule makes the account command-restricted. A rule already there answers OK_NO_CHANGE.
An account can't change its own rules unless it is an admin.`,
  examples: [`--account robot --command "'systemctl status *'"`, `--account robot --command "'journalctl -u nginx **'" --group web`],
  differences: ["Gatehouse's own plugin: The Bastion has no command allow-lists."],
  handler(ctx, opts) {
    const { store, caller, out } = ctx;
    const checked = checkRuleChange(ctx, opts, 'add');
    if (!isOk(checked)) return checked;
    const change = checked.value;
    const { target } = change;
    const first = store.allowedCommands.forAccount(target.id).length === 0;
    const added = store.tx(() =>
      store.allowedCommands.add({
        accountId: target.id,
        pattern: change.pattern,
        groupId: change.group?.id ?? null,
        addedBy: caller.name,
        addedAt: Math.floor(ctx.clock.now() / 1000),
      }),
    );
    const value = ruleValue(ctx, change);
    if (!added) return R('OK_NO_CHANGE', { value, msg: `Account ${target.name} was already allowed to run ${describeRule(change)}, no change required` });
    if (first) out.warn(`Account ${target.name} is now command-restricted: it may only run the commands its rules allow`);
    ctx.log.info({ action: 'add', account: target.name, pattern: change.pattern, group: change.group?.name ?? null }, 'allowed command added');
    return R('OK', { value, msg: `Account ${target.name} may now run ${describeRule(change)}` });
  },
});
