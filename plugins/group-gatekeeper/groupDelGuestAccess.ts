import { MISSING_ACCOUNT_OR_GROUP } from '../../src/access/groupMembership.js';
import { TARGET_HELP, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { delGuestAccess, guestLineRequest } from '../../src/access/groupGuests.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupDelGuestAccess',
  category: 'group-gatekeeper',
  summary: 'Remove a guest access (one server of a group) from an account',
  header: 'remove access from one server of a group from an account',
  options: {
    group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_ACCOUNT_OR_GROUP, valueName: 'GROUP', description: 'Group the guest access is to' },
    account: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_ACCOUNT_OR_GROUP, valueName: 'ACCOUNT', description: 'Account losing the access' },
    ...TUPLE_OPTIONS,
  },
  help: `${TARGET_HELP}
Name the access exactly as it was given (groupListGuestAccesses lists them). When accesses
remain, the value lists them; when none remains, the account no longer holds the group's keys.`,
  examples: ['--group web --account bob --host 192.0.2.10 --user deploy --port 22'],
  differences: [
    'Removing an access that was not there answers OK_NO_CHANGE; The Bastion answers OK with the remaining accesses.',
    '--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available.',
  ],
  async handler(ctx, opts) {
    const line = await guestLineRequest(ctx, opts);
    if (!isOk(line)) return line;
    return delGuestAccess(ctx, line.value);
  },
});
