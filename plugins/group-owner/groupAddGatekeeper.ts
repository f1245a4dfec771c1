import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupAddGatekeeper',
  category: 'group-owner',
  summary: 'Make an account a gatekeeper of a group',
  header: 'grant an account as gatekeeper of a group',
  options: roleChangeOptions('Group whose gatekeeper list changes', 'Account to make a gatekeeper of GROUP'),
  help: `A gatekeeper manages the member and guest lists of the group (groupAddMember, groupAddGuestAccess
and their opposites).
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account already was a gatekeeper.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'gatekeeper', action: 'add' });
  },
});
