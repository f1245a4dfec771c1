// Personal accesses (an account's own list, used with its personal egress keys) and the
// "everything an account may reach" listing (The Bastion's accountModifyPersonalAccess helper and
// get_acls in lib/perl/OVH/Bastion/allowdeny.inc).
import type { PluginContext } from '../osh/context.js';
import { R, type Result } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import type { AclView } from '../store/acl.js';
import type { Store } from '../store/store.js';
import { durationToHuman } from '../kernel/duration.js';
import { effectiveUser, type AclTuple } from '../policy/aclEntry.js';
import type { ResolvedHost } from '../services/targetHost.js';
import { addLine, deleteLine, machineDisplay } from './aclModify.js';
import type { AclContext } from './aclPrint.js';

export interface PersonalChange {
  readonly account: AccountRow;
  readonly target: ResolvedHost;
  readonly tuple: AclTuple;
  readonly ttl: number | null;
  readonly comment: string | null;
  readonly forceKey: string | null;
  readonly forcePassword: string | null;
}

function personalValue(action: 'add' | 'del', c: { account: AccountRow; target: ResolvedHost; tuple: AclTuple }, ttl: number | null, comment: string | null) {
  return {
    action,
    account: c.account.name,
    ip: c.target.address.ip,
    user: effectiveUser(c.tuple),
    port: c.tuple.port,
    ttl: ttl || null,
    comment,
    proxyIp: null,
    proxyPort: null,
    proxyUser: null,
  };
}

export function addPersonalAccess(ctx: PluginContext, c: PersonalChange): Result {
  const { store } = ctx;
  const now = Math.floor(ctx.clock.now() / 1000);
  const a = c.target.address;
  const done = store.tx(() =>
    addLine(
      store,
      { kind: 'personal', accountId: c.account.id },
      { address: a, tuple: c.tuple },
      { comment: c.comment, ttl: c.ttl, forceKey: c.forceKey, forcePassword: c.forcePassword },
      ctx.caller.name,
      now,
    ),
  );
  const machine = machineDisplay(a.ip, c.tuple.port, effectiveUser(c.tuple));
  if (done === 'exists') return R('OK_NO_CHANGE', { msg: `Access to ${machine} was already granted to account ${c.account.name}, nothing done` });
  ctx.log.info({ type: 'acl', action: 'add', way: 'personal', account: c.account.name, ip: a.ip, user: effectiveUser(c.tuple), port: c.tuple.port, ttl: c.ttl }, 'acl changed');
  const ttlMsg = c.ttl ? ` (expires in ${durationToHuman(c.ttl, now).human})` : '';
  return R('OK', { value: personalValue('add', c, c.ttl, c.comment), msg: `Access to ${machine} was added to account ${c.account.name}${ttlMsg}` });
}

export function delPersonalAccess(ctx: PluginContext, c: { account: AccountRow; target: ResolvedHost; tuple: AclTuple }): Result {
  const { store } = ctx;
  const now = Math.floor(ctx.clock.now() / 1000);
  const a = c.target.address;
  const done = store.tx(() => deleteLine(store, { kind: 'personal', accountId: c.account.id }, { address: a, tuple: c.tuple }, now));
  const machine = machineDisplay(a.ip, c.tuple.port, effectiveUser(c.tuple));
  if (done === 'absent') return R('OK_NO_CHANGE', { msg: `Access to ${machine} was not granted to account ${c.account.name}, nothing done` });
  ctx.log.info({ type: 'acl', action: 'del', way: 'personal', account: c.account.name, ip: a.ip, user: effectiveUser(c.tuple), port: c.tuple.port }, 'acl changed');
  return R('OK', { value: personalValue('del', c, null, null), msg: `Access to ${machine} was removed from account ${c.account.name}` });
}

/**
 * Every list an account may reach servers through: its personal list, the server list of each
 * group it is a member of, its guest accesses of each group it is a guest of (empty lists left
 * out), groups in name order. `mayReadGroup` hides the groups whose lists the viewer can't read.
 */
export function accessContexts(store: Store, accountId: number, now: number, mayReadGroup: (groupId: number) => boolean = () => true): AclContext[] {
  const out: AclContext[] = [];
  const personal = store.acl.view({ kind: 'personal', accountId }, now);
  if (personal.length > 0) out.push({ type: 'personal', acl: personal });
  const byGroup = (rows: AclView[]): Map<number, AclView[]> => {
    const m = new Map<number, AclView[]>();
    for (const e of rows) {
      if (e.group_id === null) continue;
      const l = m.get(e.group_id);
      if (l) l.push(e);
      else m.set(e.group_id, [e]);
    }
    return m;
  };
  const memberLines = byGroup(store.acl.ofMemberGroups(accountId, now));
  const guestLines = byGroup(store.acl.guestOfAccount(accountId, now));
  for (const r of store.groups.rolesOfAccount(accountId)) {
    if ((r.role !== 'member' && r.role !== 'guest') || !mayReadGroup(r.group_id)) continue;
    const lines = (r.role === 'member' ? memberLines : guestLines).get(r.group_id) ?? [];
    if (lines.length > 0) out.push({ type: r.role === 'member' ? 'group-member' : 'group-guest', group: r.group, acl: lines });
  }
  return out;
}
