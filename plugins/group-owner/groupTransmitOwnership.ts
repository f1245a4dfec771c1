import { changeGroupRole, MISSING_ACCOUNT_OR_GROUP } from '../../src/access/groupMembership.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupTransmitOwnership',
  category: 'group-owner',
  summary: 'Hand your ownership of a group over to another account',
  header: 'transmit the ownership of a group',
  options: {
    group: { type: 'string', valueName: 'GROUP', description: 'Group whose ownership you hand over' },
    account: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING_ACCOUNT_OR_GROUP,
      valueName: 'ACCOUNT',
      description: 'Account that becomes an owner of GROUP in your place',
    },
  },
  help: `The same as groupAddOwner for ACCOUNT followed by groupDelOwner for yourself, done in one
transaction: either both happen or neither does. Your other roles on the group stay.`,
  examples: ['--group web --account bob'],
  handler(ctx, opts) {
    if (opts.account === ctx.caller.name) {
      return R('OK_NO_CHANGE', { msg: 'Nothing to do to transmit the ownership of the group to yourself' });
    }
    // Not declared required: The Bastion answers a transmission to yourself before it looks at --group.
    const group = opts.group;
    if (!group) return R('ERR_MISSING_PARAMETER', { msg: MISSING_ACCOUNT_OR_GROUP });
    // One transaction (nested store.tx calls become savepoints): an error thrown by the second step
    // undoes the first. A refusal is returned, not thrown, so it would not; but the second step can't
    // be refused once the first passed (same group, same caller, same owner check).
    return ctx.store.tx(() => {
      const added = changeGroupRole(ctx, { group, account: opts.account, role: 'owner', action: 'add' });
      if (!isOk(added)) return added;
      return changeGroupRole(ctx, { group, account: ctx.caller.name, role: 'owner', action: 'del' });
    });
  },
});
