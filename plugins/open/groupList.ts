import { nameFilter } from '../../src/policy/listFilter.js';
import { accountGroupFlags } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupList',
  category: 'open',
  summary: 'List the groups you have a role on (or every group, with --all)',
  header: 'group list',
  options: {
    all: { type: 'boolean', description: "List every group, even those you have no role on (flag 'no-access')" },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only groups whose name matches PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Leave out groups whose name matches PATTERN (wins over --include)' },
  },
  help: `PATTERN may hold the * and ? wildcards; a PATTERN without any matches names containing it.
The value maps each group name to {"flags": [...]}: owner, gatekeeper, aclkeeper, member, guest,
or no-access.`,
  examples: ['', '--all', '--all --include "web*" --exclude "*-old"'],
  handler(ctx, opts) {
    const { out, store } = ctx;
    const keep = nameFilter(opts.include, opts.exclude);
    const mine = accountGroupFlags(store, ctx.caller.account.id);
    const value: Record<string, { flags: string[] }> = {};
    const lines: string[] = [];
    const cell = (on: boolean, text: string, colour: 'red' | 'yellow' | 'magenta' | 'green' | 'cyan', width: number): string =>
      out.colour(on ? text : '-', colour).padStart(width + (out.colours ? 9 : 0));
    for (const g of store.groups.all()) {
      if (!keep(g.name)) continue;
      const flags = [...(mine[g.name]?.flags ?? [])];
      if (flags.length === 0 && !opts.all) continue;
      if (flags.length === 0) flags.push('no-access');
      const has = (r: string): boolean => flags.includes(r);
      lines.push(
        g.name.padStart(18) +
          ' ' +
          cell(has('owner'), 'Owner', 'red', 5) +
          ' ' +
          cell(has('gatekeeper'), 'GateKeeper', 'yellow', 10) +
          ' ' +
          cell(has('aclkeeper'), 'ACLKeeper', 'magenta', 9) +
          ' ' +
          cell(has('member'), 'Member', 'green', 6) +
          ' ' +
          cell(has('guest'), 'Guest', 'cyan', 5),
      );
      value[g.name] = { flags };
    }
    if (lines.length === 0) {
      return R('OK_EMPTY', { msg: opts.all ? 'No group has been created on this bastion yet!' : 'You are not in any group yet! You can use --all to see all groups' });
    }
    out.info(lines.join('\n'));
    if (!opts.all) out.info("\nIf you want to see all the groups, even the ones you don't have access to, use --all");
    return R('OK', { value });
  },
});
