import { checkRuleChange, describeRule, PATTERN_HELP, RULE_OPTIONS, ruleValue } from '../../src/access/commandRules.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountDelAllowedCommand',
  category: 'restricted',
  summary: "Remove a command from an account's allowed commands",
  header: 'removing an allowed command from an account',
  options: RULE_OPTIONS,
  help: `Names the rule as accountAddAllowedCommand added it: the same pattern (spelled any way that
reads to the same words) and the same --group, or none.

Removing the last rule lifts the restriction: the account may then run any command on the servers
it can reach (the value's \`restricted\` says whether it still is command-restricted). A rule that
isn't there answers OK_NO_CHANGE. An account can't change its own rules unless it is an admin.

${PATTERN_HELP}`,
  examples: [`--account robot --command "'systemctl status *'"`, `--account robot --command "'journalctl -u nginx **'" --group web`],
  differences: ["Gatehouse's own plugin: The Bastion has no command allow-lists."],
  handler(ctx, opts) {
    const { store, out } = ctx;
    const checked = checkRuleChange(ctx, opts, 'remove');
    if (!isOk(checked)) return checked;
    const change = checked.value;
    const { target } = change;
    const removed = store.tx(() => store.allowedCommands.remove(target.id, change.pattern, change.group?.id ?? null));
    const value = ruleValue(ctx, change);
    if (!removed) return R('OK_NO_CHANGE', { value, msg: `Account ${target.name} was not allowed to run ${describeRule(change)}, no change required` });
    if (!value.restricted) out.warn(`Account ${target.name} has no allowed command left: it is no longer command-restricted and may run any command`);
    ctx.log.info({ action: 'remove', account: target.name, pattern: change.pattern, group: change.group?.name ?? null }, 'allowed command removed');
    return R('OK', { value, msg: `Account ${target.name} may no longer run ${describeRule(change)}` });
  },
});
