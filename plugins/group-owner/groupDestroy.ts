import { findGroup } from '../../src/access/groupName.js';
import { confirmAndDeleteGroup } from '../../src/access/groupLifecycle.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/plugin/define.js';
import { isOk, R } from '../../src/result.js';

export default definePlugin({
  name: 'groupDestroy',
  category: 'group-owner',
  summary: 'Delete a group you own, with its server list, guest accesses and keys',
  header: 'delete an existing bastion group',
  options: {
    group: { type: 'string', valueName: 'GROUP', description: 'Name of the group to delete' },
    'no-confirm': { type: 'boolean', description: "Don't ask to type the group name back (and blame yourself if it was the wrong group)" },
  },
  help: `Without --no-confirm, the bastion reads one line from stdin, which must be the group name;
anything else, or no line at all, cancels (ERR_OPERATOR_IS_DRUNK).
Only owners of the group (and superowners) may destroy it; accounts granted the restricted
groupDelete command may delete any group.`,
  examples: ['--group web', '--group web --no-confirm'],
  differences: ['Nothing is archived: there is no home directory to back up. The audit trail keeps every past call on the group.'],
  async handler(ctx, opts) {
    if (!opts.group) return R('ERR_MISSING_PARAMETER', { msg: "Missing 'group' parameter" });
    const group = findGroup(ctx.store, opts.group);
    if (!isOk(group) || group.value === null) return group;
    const refused = requireGroupRole(ctx, group.value, 'owner', 'delete it');
    if (refused) return refused;
    return confirmAndDeleteGroup(ctx, group.value, opts['no-confirm']);
  },
});
