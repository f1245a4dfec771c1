import { changeGroupRole, MISSING_ACCOUNT_OR_GROUP } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';

export default definePlugin({
  name: 'groupAddGatekeeper',
  category: 'group-owner',
  summary: 'Make an account a gatekeeper of a group',
  header: 'grant an account as gatekeeper of a group',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING_ACCOUNT_OR_GROUP,
      valueName: 'GROUP',
      description: 'Group whose gatekeeper list changes',
    },
    account: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING_ACCOUNT_OR_GROUP,
      valueName: 'ACCOUNT',
      description: 'Account to make a gatekeeper of GROUP',
    },
  },
  help: `A gatekeeper manages the member and guest lists of the group (groupAddMember, groupAddGuestAccess
and their opposites).
Needs an owner of the group (or a superowner: the override is logged). The answer is OK_NO_CHANGE
when the account already was a gatekeeper.`,
  examples: ['--group web --account alice'],
  handler(ctx, opts) {
    return changeGroupRole(ctx, { group: opts.group, account: opts.account, role: 'gatekeeper', action: 'add' });
  },
});
