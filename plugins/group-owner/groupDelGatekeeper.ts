import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDelGatekeeper',
  category: 'group-owner',
  summary: 'Remove an account from the gatekeepers of a group',
  header: 'remove an account from the gatekeepers of a group',
  options: roleChangeOptions('Group whose gatekeeper list changes', 'Account to remove as a gatekeeper of GROUP'),
  help: `The account keeps its other roles on the group.
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account was not a gatekeeper.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'gatekeeper', action: 'del' });
  },
});
