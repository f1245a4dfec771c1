import { findAccount } from '../../src/accounts/lookup.js';
import { accessContexts } from '../../src/access/aclPersonal.js';
import { printAcls, reverseNames } from '../../src/access/aclPrint.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountListAccesses',
  category: 'restricted',
  summary: 'List the servers an account may reach, and through which list',
  header: 'access list of a bastion account',
  options: {
    account: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: 'missing mandatory parameter account',
      valueName: 'ACCOUNT',
      description: 'The account to look at',
    },
    'hide-groups': { type: 'boolean', description: "Only the account's personal accesses, not those through groups" },
    'reverse-dns': { type: 'boolean', description: 'Look up the name of each address (slow: off unless asked)' },
    include: { type: 'list', valueName: 'PATTERN', description: 'Only the lines with a column matching PATTERN' },
    exclude: { type: 'list', valueName: 'PATTERN', description: 'Leave out the lines with a column matching PATTERN (wins over --include)' },
  },
  help: `The value has the shape of selfListAccesses. Unless you are an auditor (or a superowner), the
lists of groups you have no role on are left out, as The Bastion's file permissions would.`,
  examples: ['--account alice', '--account alice --hide-groups'],
  differences: ['--include/--exclude/--hide-groups filter the JSON value too; The Bastion filters only the text table.'],
  async handler(ctx, opts) {
    const { store, caller, out } = ctx;
    const account = findAccount(store, opts.account);
    if (!isOk(account)) return account;
    const now = Math.floor(ctx.clock.now() / 1000);
    const seeAll = caller.roles.isAuditor || caller.roles.isSuperOwner;
    const mine = seeAll ? null : new Set(store.groups.rolesOfAccount(caller.account.id).map((r) => r.group_id));
    const contexts = accessContexts(store, account.value.id, now, (groupId) => mine === null || mine.has(groupId));
    if (!caller.roles.isAuditor) {
      out.info("NOTE: you're not a bastion auditor, hence you won't be able to");
      out.info("see access lists of groups you're not yourself a member of.");
      out.info(' ');
    }
    if (contexts.length === 0) return R('OK_EMPTY', { msg: 'This account has no registered accesses to machines through this bastion yet' });
    out.info('This account has access to the following servers:\n');
    const reverse = opts['reverse-dns']
      ? await reverseNames(
          ctx,
          contexts.flatMap((c) => c.acl),
        )
      : undefined;
    const value = printAcls(ctx, contexts, { includes: opts.include, excludes: opts.exclude, reverse, hideGroups: opts['hide-groups'] });
    return R('OK', { value });
  },
});
