import { MISSING_ACCOUNT_OR_GROUP } from '../../src/access/groupMembership.js';
import { COMMENT_OPTION, parseTtlOption, TARGET_HELP, TTL_OPTION, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { addGuestAccess, guestLineRequest } from '../../src/access/groupGuests.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupAddGuestAccess',
  category: 'group-gatekeeper',
  summary: "Give an account access to one server of a group (with the group's keys), without making it a member",
  header: 'add access to one server of a group to an account',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING_ACCOUNT_OR_GROUP,
      valueName: 'GROUP',
      description: 'Group whose server the access is to (the group must have that server)',
    },
    account: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_ACCOUNT_OR_GROUP, valueName: 'ACCOUNT', description: 'Account given the access' },
    ...TUPLE_OPTIONS,
    ...TTL_OPTION,
    comment: { ...COMMENT_OPTION.comment, description: "A comment stored with the access (by default the comment of the group's line for that server)" },
  },
  help: `${TARGET_HELP}
The group must already have a line allowing that user@host:port (groupAddServer): the guest
access is a subset of it. If the group has a guest TTL limit (groupModify --guest-ttl-limit),
--ttl is required and may not exceed it. For every present and future server of the group,
make the account a member instead (groupAddMember). For the account's own key, see
accountAddPersonalAccess.`,
  examples: ['--group web --account bob --host 192.0.2.10 --user deploy --port 22', '--group web --account bob --host 192.0.2.10 --user-any --port-any --ttl 2h'],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available.'],
  async handler(ctx, opts) {
    const line = await guestLineRequest(ctx, opts);
    if (!isOk(line)) return line;
    const ttl = parseTtlOption(opts.ttl);
    if (!isOk(ttl)) return ttl;
    return addGuestAccess(ctx, line.value, { ttl: ttl.value, comment: opts.comment ?? null });
  },
});
