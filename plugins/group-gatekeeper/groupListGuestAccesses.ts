import { MISSING_ACCOUNT_OR_GROUP } from '../../src/access/groupMembership.js';
import { findAccount } from '../../src/accounts/lookup.js';
import { printAcls, reverseNames } from '../../src/access/aclPrint.js';
import { findGroup } from '../../src/access/groupName.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupListGuestAccesses',
  category: 'group-gatekeeper',
  summary: 'List the guest accesses an account has to the servers of a group',
  header: 'lists guest accesses to group servers of a bastion account',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING_ACCOUNT_OR_GROUP,
      valueName: 'GROUP',
      description: 'The group whose servers the accesses are to',
    },
    account: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_ACCOUNT_OR_GROUP, valueName: 'ACCOUNT', description: 'The account to look at' },
    'reverse-dns': { type: 'boolean', description: 'Look up the name of each address (slow: off unless asked)' },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only the lines with a column matching PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Leave out the lines with a column matching PATTERN (wins over --include)' },
  },
  help: `Open to gatekeepers (of any group, as in The Bastion). PATTERN may hold the * and ? wildcards;
a PATTERN without any matches text containing it.`,
  examples: ['--group web --account bob'],
  differences: ['--include/--exclude filter the JSON value too; The Bastion filters only the text table.'],
  async handler(ctx, opts) {
    const { store } = ctx;
    const found = findGroup(store, opts.group);
    if (!isOk(found)) return found;
    const account = findAccount(store, opts.account);
    if (!isOk(account)) return account;
    const now = Math.floor(ctx.clock.now() / 1000);
    const rows = store.acl.view({ kind: 'guest', accountId: account.value.id, groupId: found.value.id }, now);
    if (rows.length === 0) return R('OK_EMPTY', { msg: "This account doesn't seem to have any guest access to this group" });
    const reverse = opts['reverse-dns'] ? await reverseNames(ctx, rows) : undefined;
    const [listed] = printAcls(ctx, [{ type: 'group-guest', group: found.value.name, acl: rows }], { includes: opts.include, excludes: opts.exclude, reverse });
    return R('OK', { value: listed?.acl ?? [] });
  },
});
