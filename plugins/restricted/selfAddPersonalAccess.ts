import { personalProbeKeys } from '../../src/access/aclKeys.js';
import { addPersonalAccess } from '../../src/access/aclPersonal.js';
import { checkForced, COMMENT_OPTION, defaultComment, FORCE_OPTIONS, parseTtlOption, requestLine, TARGET_HELP, TTL_OPTION, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { testBeforeAdding } from '../../src/access/aclProbe.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfAddPersonalAccess',
  category: 'restricted',
  summary: 'Add a server to your personal access list',
  header: 'adding personal access to a server on your account',
  options: {
    ...TUPLE_OPTIONS,
    force: { type: 'boolean', description: "Don't test the SSH connection with your egress keys first" },
    ...FORCE_OPTIONS,
    ...TTL_OPTION,
    ...COMMENT_OPTION,
  },
  help: `${TARGET_HELP}
The access is used with your personal egress keys (selfListEgressKeys): one of them must be in the
server's authorized_keys. Without --force, the bastion first logs in to the server with them
(5 s at most) and refuses the line (ERR_CONNECTION_FAILED) when that fails.`,
  examples: ['--host 192.0.2.10 --user me --port 22', '--host 198.51.100.0/24 --user-any --port-any --force'],
  differences: [
    '--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available: proxyIp, proxyPort and proxyUser are always null.',
    'The plugin configuration keys widest_v4_prefix and self_remote_user_only are not available.',
  ],
  async handler(ctx, opts) {
    const { out, store, caller } = ctx;
    const line = await requestLine(ctx, opts, "Missing parameter 'host' or didn't resolve correctly");
    if (!isOk(line)) return line;
    const { target, tuple } = line.value;
    const ttl = parseTtlOption(opts.ttl);
    if (!isOk(ttl)) return ttl;
    const forced = checkForced(opts);
    if (!isOk(forced)) return forced;
    const failed = await testBeforeAdding(out, {
      force: opts.force,
      address: target.address,
      tuple,
      callerName: caller.name,
      keys: () => personalProbeKeys(store, ctx.keyring, caller.account.id),
      forceKey: forced.value.forceKey,
    });
    if (failed) return failed;
    return addPersonalAccess(ctx, {
      account: caller.account,
      target,
      tuple,
      ttl: ttl.value,
      comment: defaultComment(opts.comment, target),
      ...forced.value,
    });
  },
});
