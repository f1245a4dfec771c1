import { checkPort, isValidRemoteUser } from '../../src/policy/aclEntry.js';
import { whoHasAccess } from '../../src/policy/decision.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'whoHasAccessTo',
  category: 'restricted',
  summary: 'List the accounts that may reach a server, and through which lists',
  header: 'who has access to this?',
  options: {
    'ignore-personal': { type: 'boolean', alias: ['ignore-private'], description: "Don't look at personal accesses (only groups)" },
    'ignore-group': { type: 'list', valueName: 'GROUP', description: "Don't count accesses through GROUP (e.g. its key is known not to be on the server)" },
    'show-wildcards': { type: 'boolean', description: 'Also count accesses that only come from 0.0.0.0/0 lines (hidden by default: mostly noise)' },
  },
  help: `The server is the bastion-level --host (an IP, a block or a name); --user and --port narrow the
answer to lines allowing that remote user or port (without them, users and ports are ignored).
The value maps each account to {"personal_access": 0|1, "group_access": ["GROUP(group-member)", …]}.
This is what the bastion's lists say, from the same rules it connects with: whether the keys are
really on the server is not checked.`,
  examples: ['--host 192.0.2.10', '--host 192.0.2.10 --user root --port 22 --show-wildcards'],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available.'],
  async handler(ctx, opts) {
    const { request, config, out } = ctx;
    // Resolved by the dispatcher before the plugin ran (a name that doesn't resolve never gets here).
    const target = ctx.target;
    if (!target) return R('ERR_MISSING_PARAMETER', { msg: "Missing parameter host (or it didn't resolve correctly)" });
    let port: number | null = null;
    if (request.port !== undefined) {
      const p = checkPort(request.port);
      if (!isOk(p)) return p;
      port = p.value;
    }
    const user = request.user ?? null;
    if (user !== null && !isValidRemoteUser(user, false)) return R('ERR_INVALID_PARAMETER', { msg: `The remote user '${user}' is not valid` });
    out.warn('IMPORTANT: read the --help of this command to understand what is shown here and why.');
    out.info(' ');
    const who = whoHasAccess(ctx.store, target.address, {
      port,
      user,
      now: Math.floor(ctx.clock.now() / 1000),
      showWildcards: opts['show-wildcards'],
      ignorePersonal: opts['ignore-personal'],
      ignoreGroups: opts['ignore-group'],
      policy: { allowedNetworks: config.allowedNetworks, forbiddenNetworks: config.forbiddenNetworks },
    });
    const value: Record<string, unknown> = {};
    for (const [account, line] of who) {
      value[account] = line;
      const groups = out.colour(line.group_access.join(' '), 'green');
      if (line.personal_access && line.group_access.length) out.info(`${account} has access by his ${out.colour('personal', 'red')} key and by the following groups: ${groups}`);
      else if (line.personal_access) out.info(`${account} has access by his ${out.colour('personal', 'red')} key only`);
      else out.info(`${account} has access by the following groups: ${groups}`);
    }
    return R('OK', { value });
  },
});
