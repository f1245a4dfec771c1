import { requireGroupRole } from '../../src/access/groupRoles.js';
import { deleteLine, machineDisplay } from '../../src/access/aclModify.js';
import { TARGET_HELP, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { effectiveUser } from '../../src/policy/aclEntry.js';
import { groupLineRequest, groupServerValue, MISSING_HOST_OR_GROUP } from '../../src/access/groupServers.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'groupDelServer',
  category: 'group-aclkeeper',
  summary: "Remove a server (an IP or a block) from a group's server list",
  header: 'removing a server from a group',
  options: {
    group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_HOST_OR_GROUP, valueName: 'GROUP', description: 'The group the server is removed from' },
    ...TUPLE_OPTIONS,
    force: { type: 'boolean', description: 'Accepted for compatibility; removing a line never tests a connection' },
  },
  help: `${TARGET_HELP}
The line must be named exactly as it was added (same block, user, port and protocol): a
narrower or wider one is another line. Guest accesses given to that server stop working too,
as a guest access needs the group to still have the server.`,
  examples: ['--group web --host 192.0.2.10 --user deploy --port 22', '--group web --host 203.0.113.0/24 --user-any --port-any'],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available: proxyIp, proxyPort and proxyUser are always null.'],
  async handler(ctx, opts) {
    const { store } = ctx;
    const req = await groupLineRequest(ctx, opts);
    if (!isOk(req)) return req;
    const { group: g, target, tuple: t } = req.value;
    const refused = requireGroupRole(ctx, g, 'aclkeeper', 'delete servers from it');
    if (refused) return refused;
    const a = target.address;
    const now = Math.floor(ctx.clock.now() / 1000);
    const done = store.tx(() => deleteLine(store, { kind: 'group', groupId: g.id }, { address: a, tuple: t }, now));
    const machine = machineDisplay(a.ip, t.port, effectiveUser(t));
    if (done === 'absent') return R('OK_NO_CHANGE', { msg: `Entry ${machine} was not in group ${g.name}, nothing done` });
    ctx.log.info({ type: 'acl', action: 'del', way: 'group', group: g.name, ip: a.ip, user: effectiveUser(t), port: t.port }, 'acl changed');
    return R('OK', { value: groupServerValue('del', g, a, t, null), msg: `Entry ${machine} was removed from group ${g.name}` });
  },
});
