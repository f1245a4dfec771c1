import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupAddMember',
  category: 'group-gatekeeper',
  summary: 'Make an account a member of a group',
  header: 'grant an account as member of a group',
  options: roleChangeOptions('Group whose member list changes', 'Account to make a member of GROUP'),
  help: `A member may reach every present and future server of the group, with the group's egress keys.
If the account was a guest of the group, its guest accesses are removed first (they are covered).
For access to some servers only, or for a limited time, see groupAddGuestAccess.
Needs a gatekeeper of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account already was a member.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'member', action: 'add' });
  },
});
