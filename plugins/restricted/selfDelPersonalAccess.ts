import { delPersonalAccess } from '../../src/access/aclPersonal.js';
import { requestLine, TARGET_HELP, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfDelPersonalAccess',
  category: 'restricted',
  summary: 'Remove a server from your personal access list',
  header: 'removing personal access to a server from your account',
  options: { ...TUPLE_OPTIONS },
  help: `${TARGET_HELP}
Name the access exactly as it was added (same block, user, port and protocol). This doesn't
remove your key from the server's authorized_keys.`,
  examples: ['--host 192.0.2.10 --user me --port 22'],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available.'],
  async handler(ctx, opts) {
    const line = await requestLine(ctx, opts, "Missing parameter 'host' or didn't resolve correctly");
    if (!isOk(line)) return line;
    return delPersonalAccess(ctx, { account: ctx.caller.account, ...line.value });
  },
});
