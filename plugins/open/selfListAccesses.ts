import { accessContexts } from '../../src/access/aclPersonal.js';
import { printAcls, reverseNames } from '../../src/access/aclPrint.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfListAccesses',
  category: 'open',
  summary: 'List the servers you may reach through this bastion, and through which list',
  header: 'your access list',
  options: {
    'hide-groups': { type: 'boolean', description: 'Only your personal accesses, not those through groups' },
    'reverse-dns': { type: 'boolean', description: 'Look up the name of each address (slow: off unless asked)' },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only the lines with a column matching PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Leave out the lines with a column matching PATTERN (wins over --include)' },
  },
  help: `The value is a list of {"type", "group", "acl"} objects: your personal list (type personal),
then for each group you are a member of its server list (group-member) and for each group you
are a guest of your guest accesses (group-guest). PATTERN may hold the * and ? wildcards; a
PATTERN without any matches text containing it.`,
  examples: ['', '--hide-groups', '--include 192.0.2.*'],
  differences: ['--include/--exclude/--hide-groups filter the JSON value too; The Bastion filters only the text table.'],
  async handler(ctx, opts) {
    const now = Math.floor(ctx.clock.now() / 1000);
    const contexts = accessContexts(ctx.store, ctx.caller.account.id, now);
    if (contexts.length === 0) return R('OK_EMPTY', { msg: `Dear ${ctx.caller.name}, you have no registered accesses to machines through this bastion yet` });
    ctx.out.info(`Dear ${ctx.caller.name}, you have access to the following servers:\n`);
    const reverse = opts['reverse-dns']
      ? await reverseNames(
          ctx,
          contexts.flatMap((c) => c.acl),
        )
      : undefined;
    const value = printAcls(ctx, contexts, { includes: opts.include, excludes: opts.exclude, reverse, hideGroups: opts['hide-groups'] });
    return R('OK', { value });
  },
});
