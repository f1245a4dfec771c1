import { DELETE_GROUP_HELP, DELETE_GROUP_OPTIONS, deleteGroupAsked } from '../../src/access/groupLifecycle.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDelete',
  category: 'restricted',
  summary: 'Delete any group, with its server list, guest accesses and keys',
  header: 'delete an existing bastion group',
  options: DELETE_GROUP_OPTIONS,
  help: `${DELETE_GROUP_HELP}
This restricted command deletes any group; owners delete their own groups with groupDestroy.`,
  examples: ['--group web', '--group web --no-confirm'],
  differences: ['Nothing is archived: there is no home directory to back up. The audit trail keeps every past call on the group.'],
  async handler(ctx, opts) {
    // The restricted grant is the permission: any group may be deleted.
    return deleteGroupAsked(ctx, opts, () => null);
  },
});
