import { accountOption, findAccount } from '../../src/accounts/lookup.js';
import { delPersonalAccess } from '../../src/access/aclPersonal.js';
import { requestLine, TARGET_HELP, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountDelPersonalAccess',
  category: 'restricted',
  summary: "Remove a server from an account's personal access list",
  header: 'removing personal access to a server from an account',
  options: {
    account: accountOption('The account losing the access'),
    ...TUPLE_OPTIONS,
  },
  help: `${TARGET_HELP}
Name the access exactly as it was added (same block, user, port and protocol). This doesn't
remove the account's key from the server's authorized_keys.`,
  examples: ['--account alice --host 192.0.2.10 --user alice --port 22'],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available.'],
  async handler(ctx, opts) {
    const line = await requestLine(ctx, opts, "Missing parameter 'host' or didn't resolve correctly");
    if (!isOk(line)) return line;
    const account = findAccount(ctx.store, opts.account);
    if (!isOk(account)) return account;
    return delPersonalAccess(ctx, { account: account.value, ...line.value });
  },
});
