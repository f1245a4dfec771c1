import { accountOption, findAccount } from '../../src/accounts/lookup.js';
import { addPersonalAccess } from '../../src/access/aclPersonal.js';
import { checkForced, COMMENT_OPTION, defaultComment, FORCE_OPTIONS, parseTtlOption, requestLine, TARGET_HELP, TTL_OPTION, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountAddPersonalAccess',
  category: 'restricted',
  summary: "Add a server to an account's personal access list",
  header: 'adding personal access to a server on an account',
  options: {
    account: accountOption('The account given the access'),
    ...TUPLE_OPTIONS,
    ...FORCE_OPTIONS,
    ...TTL_OPTION,
    ...COMMENT_OPTION,
  },
  help: `${TARGET_HELP}
The access is used with the account's personal egress keys (accountListEgressKeys lists them):
one of them must be in the server's authorized_keys. The connection is not tested, as only the
account itself holds its keys.`,
  examples: ['--account alice --host 192.0.2.10 --user alice --port 22', '--account alice --host 198.51.100.0/24 --user-any --port-any --ttl 7d'],
  differences: [
    '--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available: proxyIp, proxyPort and proxyUser are always null.',
    'The plugin configuration keys widest_v4_prefix and self_remote_user_only are not available.',
  ],
  async handler(ctx, opts) {
    const line = await requestLine(ctx, opts, "Missing parameter 'host' or didn't resolve correctly");
    if (!isOk(line)) return line;
    const { target, tuple } = line.value;
    const ttl = parseTtlOption(opts.ttl);
    if (!isOk(ttl)) return ttl;
    const account = findAccount(ctx.store, opts.account);
    if (!isOk(account)) return account;
    const forced = checkForced(opts);
    if (!isOk(forced)) return forced;
    ctx.out.info(
      `Can't verify whether ${account.value.name}'s personal key has been installed to the remote server, as you don't have access to their private keys, adding the access blindly`,
    );
    return addPersonalAccess(ctx, {
      account: account.value,
      target,
      tuple,
      ttl: ttl.value,
      comment: defaultComment(opts.comment, target),
      ...forced.value,
    });
  },
});
