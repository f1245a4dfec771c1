import { requireGroupRole } from '../../src/access/groupRoles.js';
import { groupProbeKeys } from '../../src/access/aclKeys.js';
import { addLine, machineDisplay } from '../../src/access/aclModify.js';
import { checkForced, COMMENT_OPTION, defaultComment, FORCE_OPTIONS, parseTtlOption, TARGET_HELP, TTL_OPTION, TUPLE_OPTIONS } from '../../src/access/aclOptions.js';
import { effectiveUser } from '../../src/policy/aclEntry.js';
import { testBeforeAdding } from '../../src/access/aclProbe.js';
import { groupLineRequest, groupServerValue, MISSING_HOST_OR_GROUP } from '../../src/access/groupServers.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import { durationToHuman } from '../../src/kernel/duration.js';

export default definePlugin({
  name: 'groupAddServer',
  category: 'group-aclkeeper',
  summary: "Add a server (an IP or a block) to a group's server list",
  header: 'adding a server to a group',
  options: {
    group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING_HOST_OR_GROUP, valueName: 'GROUP', description: 'The group the server is added to' },
    ...TUPLE_OPTIONS,
    force: { type: 'boolean', description: "Don't test the SSH connection with the group keys first (needed for blocks you can't test, or servers that are down)" },
    ...FORCE_OPTIONS,
    ...TTL_OPTION,
    ...COMMENT_OPTION,
  },
  help: `${TARGET_HELP}
Without --force, the bastion first logs in to the server with the group's egress keys (5 s at
most) and refuses the line (ERR_CONNECTION_FAILED) when that fails. Members of the group may
then reach the server with those keys; guests only if given a guest access to it.`,
  examples: [
    '--group web --host 192.0.2.10 --user deploy --port 22',
    '--group web --host 203.0.113.0/24 --user-any --port-any --force --ttl 1d12h --comment \'"a whole network"\'',
    '--group web --host 192.0.2.10 --port 22 --protocol sftp',
  ],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available: proxyIp, proxyPort and proxyUser are always null.'],
  async handler(ctx, opts) {
    const { store, out } = ctx;
    const req = await groupLineRequest(ctx, opts);
    if (!isOk(req)) return req;
    const { group: g, target, tuple: t } = req.value;
    const ttl = parseTtlOption(opts.ttl);
    if (!isOk(ttl)) return ttl;
    const forced = checkForced(opts);
    if (!isOk(forced)) return forced;
    const refused = requireGroupRole(ctx, g, 'aclkeeper', 'add servers to it');
    if (refused) return refused;

    const a = target.address;
    const { forceKey, forcePassword } = forced.value;
    const failed = await testBeforeAdding(out, {
      force: opts.force,
      address: a,
      tuple: t,
      callerName: ctx.caller.name,
      keys: () => groupProbeKeys(store, ctx.keyring, g.id),
      forceKey,
    });
    if (failed) return failed;
    const comment = defaultComment(opts.comment, target);
    const now = Math.floor(ctx.clock.now() / 1000);
    const done = store.tx(() =>
      addLine(store, { kind: 'group', groupId: g.id }, { address: a, tuple: t }, { comment, ttl: ttl.value, forceKey, forcePassword }, ctx.caller.name, now),
    );
    const machine = machineDisplay(a.ip, t.port, effectiveUser(t));
    if (done === 'exists') return R('OK_NO_CHANGE', { msg: `Entry ${machine} was already added to group ${g.name}, nothing done` });
    ctx.log.info({ type: 'acl', action: 'add', way: 'group', group: g.name, ip: a.ip, user: effectiveUser(t), port: t.port, ttl: ttl.value }, 'acl changed');
    const ttlMsg = ttl.value ? ` (expires in ${durationToHuman(ttl.value, now).human})` : '';
    return R('OK', {
      value: groupServerValue('add', g, a, t, { forcePassword, forceKey, ttl: ttl.value, comment }),
      msg: `Entry ${machine} was added to group ${g.name}${ttlMsg}`,
    });
  },
});
