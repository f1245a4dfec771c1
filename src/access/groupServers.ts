// What groupAddServer and groupDelServer share about a group's server list: the request for one
// line of it and the `value` an add or a delete answers with (osh-groupAddServer's shape).
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { GroupRow } from '../store/groups.js';
import { effectiveUser, type AclTuple } from '../policy/aclEntry.js';
import type { AclAddress } from '../policy/aclAddress.js';
import { requestLine, type RequestedLine, type TupleFlags } from './aclOptions.js';
import { findGroup } from './groupName.js';

export interface GroupLineRequest extends RequestedLine {
  readonly group: GroupRow;
}

/** The Bastion's words when --host or --group is absent: the plugins declare --group required with them. */
export const MISSING_HOST_OR_GROUP = "Missing mandatory parameter 'host' or 'group'";

/** --group and the bastion-level --host/--user/--port: the line and the group, both checked. */
export async function groupLineRequest(ctx: PluginContext, opts: TupleFlags & { readonly group: string }): Promise<Result<GroupLineRequest>> {
  if (!ctx.request.host) return R('ERR_MISSING_PARAMETER', { msg: MISSING_HOST_OR_GROUP });
  const line = await requestLine(ctx, opts, MISSING_HOST_OR_GROUP);
  if (!isOk(line)) return R(line.code, { msg: line.msg });
  const found = findGroup(ctx.store, opts.group);
  if (!isOk(found)) return R(found.code, { msg: found.msg });
  return R('OK', { value: { ...line.value, group: found.value } });
}

export interface GroupLineExtras {
  readonly forcePassword: string | null;
  readonly forceKey: string | null;
  readonly ttl: number | null;
  readonly comment: string | null;
}

/** What groupAddServer / groupDelServer answer; jump hosts are not available, so proxy* are null. */
export function groupServerValue(action: 'add' | 'del', group: GroupRow, a: AclAddress, t: AclTuple, extras: GroupLineExtras | null) {
  return {
    action,
    group: group.name,
    ip: a.ip,
    user: effectiveUser(t),
    port: t.port,
    forcePassword: extras?.forcePassword ?? null,
    forceKey: extras?.forceKey ?? null,
    ttl: extras?.ttl || null,
    comment: extras?.comment ?? null,
    proxyIp: null,
    proxyPort: null,
    proxyUser: null,
  };
}
