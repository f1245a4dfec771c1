import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDelAclkeeper',
  category: 'group-owner',
  summary: 'Remove an account from the aclkeepers of a group',
  header: 'remove an account from the aclkeepers of a group',
  options: roleChangeOptions('Group whose aclkeeper list changes', 'Account to remove as an aclkeeper of GROUP'),
  help: `The account keeps its other roles on the group.
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account was not an aclkeeper.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'aclkeeper', action: 'del' });
  },
});
