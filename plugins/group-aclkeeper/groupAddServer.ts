import { groupProbeKeys } from '../../src/access/aclKeys.js';
import { addLine, machineDisplay } from '../../src/access/aclModify.js';
import {
  checkForced,
  COMMENT_OPTION,
  defaultComment,
  FORCE_OPTIONS,
  parseTtlOption,
  requestTarget,
  requestTuple,
  TARGET_HELP,
  TTL_OPTION,
  TUPLE_OPTIONS,
} from '../../src/access/aclOptions.js';
import { effectiveUser } from '../../src/access/acl.js';
import { probeAccess } from '../../src/access/aclProbe.js';
import { findGroup } from '../../src/access/groupName.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/plugin/define.js';
import { isOk, R } from '../../src/result.js';
import { durationToHuman } from '../../src/util/duration.js';

export default definePlugin({
  name: 'groupAddServer',
  category: 'group-aclkeeper',
  summary: "Add a server (an IP or a block) to a group's server list",
  header: 'adding a server to a group',
  options: {
    group: { type: 'string', valueName: 'GROUP', description: 'The group the server is added to' },
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
    "--group web --host 203.0.113.0/24 --user-any --port-any --force --ttl 1d12h --comment '\"a whole network\"'",
    '--group web --host 192.0.2.10 --port 22 --protocol sftp',
  ],
  differences: ['--proxy-host/--proxy-port/--proxy-user (jump hosts) are not available: proxyIp, proxyPort and proxyUser are always null.'],
  async handler(ctx, opts) {
    const { store, out } = ctx;
    if (!opts.group || !ctx.request.host) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'host' or 'group'" });
    const target = await requestTarget(ctx, "Missing mandatory parameter 'host' or 'group'");
    if (!isOk(target) || target.value === null) return target;
    const tuple = requestTuple(ctx, opts);
    if (!isOk(tuple) || tuple.value === null) return tuple;
    const found = findGroup(store, opts.group);
    if (!isOk(found) || found.value === null) return found;
    const g = found.value;
    const ttl = parseTtlOption(opts.ttl);
    if (!isOk(ttl)) return ttl;
    const forced = checkForced(opts);
    if (!isOk(forced) || forced.value === null) return forced;
    const refused = requireGroupRole(ctx, g, 'aclkeeper', 'add servers to it');
    if (refused) return R('ERR_NOT_GROUP_ACLKEEPER', { msg: `Sorry, you must be an aclkeeper of group ${g.name} to be able to add servers to it` });

    const a = target.value.address;
    const t = tuple.value;
    if (!opts.force) {
      const user = effectiveUser(t) ?? ctx.caller.name;
      out.info(`Testing connection to ${machineDisplay(a.ip, t.port ?? 22, user)}, please wait...`);
      const probe = await probeAccess({ address: a, port: t.port, user, keys: groupProbeKeys(store, ctx.keyring, g.id), forceKey: forced.value.forceKey });
      if (!isOk(probe)) {
        out.info("Note: if you still want to add this access even if it doesn't work, use --force");
        return probe;
      }
      if (probe.msg !== probe.code) out.info(probe.msg);
    } else {
      out.info("Forcing add as asked, we didn't test the SSH connection, maybe it won't work!");
    }
    const { forceKey, forcePassword } = forced.value;
    const comment = defaultComment(opts.comment, target.value);
    const now = Math.floor(ctx.clock.now() / 1000);
    const done = store.tx(() =>
      addLine(store, { kind: 'group', groupId: g.id }, { address: a, tuple: t }, { comment, ttl: ttl.value, forceKey, forcePassword }, ctx.caller.name, now),
    );
    const machine = machineDisplay(a.ip, t.port, effectiveUser(t));
    if (done === 'exists') return R('OK_NO_CHANGE', { msg: `Entry ${machine} was already added to group ${g.name}, nothing done` });
    ctx.log.info({ type: 'acl', action: 'add', way: 'group', group: g.name, ip: a.ip, user: effectiveUser(t), port: t.port, ttl: ttl.value }, 'acl changed');
    const ttlMsg = ttl.value ? ` (expires in ${durationToHuman(ttl.value, now).human})` : '';
    return R('OK', {
      value: {
        action: 'add',
        group: g.name,
        ip: a.ip,
        user: effectiveUser(t),
        port: t.port,
        forcePassword,
        forceKey,
        ttl: ttl.value || null,
        comment,
        proxyIp: null,
        proxyPort: null,
        proxyUser: null,
      },
      msg: `Entry ${machine} was added to group ${g.name}${ttlMsg}`,
    });
  },
});
