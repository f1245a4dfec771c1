import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupDelMember',
  category: 'group-gatekeeper',
  summary: 'Remove an account from the members of a group',
  header: 'revoke an account as member of a group',
  options: roleChangeOptions('Group whose member list changes', 'Account to remove as a member of GROUP'),
  help: `The account no longer reaches the servers of the group through it; its other roles stay.
Needs a gatekeeper of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account was not a member.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'member', action: 'del' });
  },
});
