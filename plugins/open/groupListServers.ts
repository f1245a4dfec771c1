import { printAcls, reverseNames } from '../../src/access/aclPrint.js';
import { findGroup } from '../../src/access/groupName.js';
import { callerHasRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupListServers',
  category: 'open',
  summary: 'List the servers (IPs and blocks) of a group',
  header: 'list of servers pertaining to the group',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: "Missing parameter 'group'",
      valueName: 'GROUP',
      description: 'The group whose servers are listed',
    },
    'reverse-dns': { type: 'boolean', description: 'Look up the name of each address (slow: off unless asked)' },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only the lines with a column matching PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Leave out the lines with a column matching PATTERN (wins over --include)' },
  },
  help: `Members and aclkeepers of the group, superowners and auditors may list its servers.
PATTERN may hold the * and ? wildcards; a PATTERN without any matches text containing it. It is
matched against the columns of the text table (IP, port, user, comment, …).`,
  examples: ['--group web', '--group web --include 192.0.2.* --exclude "*backup*"'],
  differences: [
    '--include/--exclude filter the JSON value too; The Bastion filters only the text table and returns every line.',
    'Expired lines are never listed (as in The Bastion), and are removed at the next change of the list.',
  ],
  async handler(ctx, opts) {
    const { store } = ctx;
    const found = findGroup(store, opts.group);
    if (!isOk(found)) return found;
    const g = found.value;
    if (!(callerHasRole(ctx, g, 'member', false).ok || callerHasRole(ctx, g, 'aclkeeper', true).ok || ctx.caller.roles.isAuditor)) {
      return R('KO_ACCESS_DENIED', {
        msg: `Sorry, you're neither a member or aclkeeper of group ${g.name}, you can't list the servers of this group.\nIf you think you should be able to, use groupInfo to get contact info.`,
      });
    }
    const now = Math.floor(ctx.clock.now() / 1000);
    const rows = store.acl.view({ kind: 'group', groupId: g.id }, now);
    if (rows.length === 0) {
      return R('OK_EMPTY', { msg: 'This group is empty, if you are an aclkeeper of this group, you might want to add servers to it with groupAddServer' });
    }
    const reverse = opts['reverse-dns'] ? await reverseNames(ctx, rows) : undefined;
    const [listed] = printAcls(ctx, [{ type: 'group', group: g.name, acl: rows }], { includes: opts.include, excludes: opts.exclude, reverse });
    return R('OK', { value: listed?.acl ?? [] });
  },
});
