import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupAddAclkeeper',
  category: 'group-owner',
  summary: 'Make an account an aclkeeper of a group',
  header: 'grant an account as aclkeeper of a group',
  options: roleChangeOptions('Group whose aclkeeper list changes', 'Account to make an aclkeeper of GROUP'),
  help: `An aclkeeper manages the list of servers of the group (groupAddServer, groupDelServer,
groupSetServers).
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account already was an aclkeeper.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'aclkeeper', action: 'add' });
  },
});
