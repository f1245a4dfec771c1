import { DELETE_GROUP_HELP, DELETE_GROUP_OPTIONS, deleteGroupAsked } from '../../src/access/groupLifecycle.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDestroy',
  category: 'group-owner',
  summary: 'Delete a group you own, with its server list, guest accesses and keys',
  header: 'delete an existing bastion group',
  options: DELETE_GROUP_OPTIONS,
  help: `${DELETE_GROUP_HELP}
Only owners of the group (and superowners) may destroy it; accounts granted the restricted
groupDelete command may delete any group.`,
  examples: ['--group web', '--group web --no-confirm'],
  differences: ['Nothing is archived: there is no home directory to back up. The audit trail keeps every past call on the group.'],
  async handler(ctx, opts) {
    return deleteGroupAsked(ctx, opts, (group) => requireGroupRole(ctx, group, 'owner', 'delete it'));
  },
});
