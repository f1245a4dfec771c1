import { changeGroupRole, roleChangeOptions } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupAddOwner',
  category: 'group-owner',
  summary: 'Make an account an owner of a group',
  header: 'grant an account as owner of a group',
  options: roleChangeOptions('Group whose owner list changes', 'Account to make an owner of GROUP'),
  help: `An owner manages the group's owner, gatekeeper and aclkeeper lists, its egress keys and settings,
and may delete the group: every right on the group, delegable in part. Owners are not
automatically gatekeepers or aclkeepers: they can add themselves.
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account already was an owner.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'owner', action: 'add' });
  },
});
