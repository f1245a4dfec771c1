import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDelOwner',
  category: 'group-owner',
  summary: 'Remove an account from the owners of a group',
  header: 'remove an account from the owners of a group',
  options: roleChangeOptions('Group whose owner list changes', 'Account to remove as an owner of GROUP'),
  help: `The account keeps its other roles on the group. Nothing stops the last owner from leaving:
a superowner can then name a new one.
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account was not an owner.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'owner', action: 'del' });
  },
});
