import { accountOption, findAccount } from '../../src/accounts/lookup.js';
import { formatDateUtc } from '../../src/kernel/duration.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountListAllowedCommands',
  category: 'restricted',
  summary: 'List the commands an account is allowed to run on its servers',
  header: 'allowed commands of an account',
  options: {
    account: accountOption('The account to look at'),
  },
  help: `The value is a list of {pattern, group, added_by, added_at} (added_at in seconds since the
epoch; group null for a rule that applies to every access), by pattern. An account without rules
answers OK_EMPTY: it is not command-restricted. accountAddAllowedCommand --help says what
patterns mean.`,
  examples: ['--account robot'],
  differences: ["Gatehouse's own plugin: The Bastion has no command allow-lists."],
  handler(ctx, opts) {
    const found = findAccount(ctx.store, opts.account);
    if (!isOk(found)) return found;
    const account = found.value;
    const rules = ctx.store.allowedCommands.forAccount(account.id);
    if (rules.length === 0) return R('OK_EMPTY', { msg: `Account ${account.name} has no allowed command: it is not command-restricted` });
    ctx.out.info(`Account ${account.name} is command-restricted, and may only run:`);
    for (const r of rules) {
      ctx.out.info(`- ${r.pattern}${r.group ? ` (through group ${r.group})` : ''}  [added by ${r.added_by} on ${formatDateUtc(r.added_at)}]`);
    }
    return R('OK', { value: rules.map((r) => ({ pattern: r.pattern, group: r.group, added_by: r.added_by, added_at: r.added_at })) });
  },
});
