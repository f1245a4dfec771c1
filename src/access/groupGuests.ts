// Guest accesses: one server of a group given to an account that is not a member, used with the
// group's keys (The Bastion's groupSetRole with type guest, and the osh-accountAddGroupServer
// helper). A guest access can only name a server the group itself has (ERR_GROUP_HAS_NO_ACCESS),
// never for a member (ERR_MEMBER_CANNOT_BE_GUEST), and must respect the group's guest TTL limit.
// An account is a guest of a group while it has at least one guest access to it.
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import { durationToHuman, formatDuration } from '../kernel/duration.js';
import { effectiveUser, type AclTuple } from '../policy/aclEntry.js';
import { candidateStarts, type AclAddress } from '../policy/aclAddress.js';
import { bestMatch, entryAllows } from '../policy/aclMatch.js';
import { addLine, deleteLine, machineDisplay } from './aclModify.js';
import { requestTuple, type TupleFlags } from './aclOptions.js';
import { aclJson, type AclJsonEntry } from './aclPrint.js';
import { GROUP_SETTING } from './groupInfo.js';
import { roleChangeTarget } from './groupMembership.js';
import { checkGroupName } from './groupName.js';

/**
 * The guest access a request names; the plugins declare --group and --account required
 * (MISSING_ACCOUNT_OR_GROUP), the host is checked by add/del.
 */
export interface GuestLine {
  readonly group: string;
  readonly account: string;
  /** null when the request had no --host. */
  readonly address: AclAddress | null;
  readonly tuple: AclTuple;
}

/**
 * The --host (resolved when given: its absence is refused later, after the group's TTL policy,
 * as The Bastion's groupSetRole does) and the user/port/protocol of the request.
 */
export async function guestLineRequest(ctx: PluginContext, opts: TupleFlags & { readonly group: string; readonly account: string }): Promise<Result<GuestLine>> {
  const address: AclAddress | null = ctx.target?.address ?? null;
  const tuple = requestTuple(ctx, opts);
  if (!isOk(tuple)) return R(tuple.code, { msg: tuple.msg });
  return R('OK', { value: { group: opts.group, account: opts.account, address, tuple: tuple.value } });
}

type CompleteGuestLine = { readonly [K in keyof GuestLine]-?: NonNullable<GuestLine[K]> };

/** The host must be there too. */
function complete(req: GuestLine): Result<CompleteGuestLine> {
  const { group, account, address, tuple } = req;
  if (!address) return R('ERR_MISSING_PARAMETER', { msg: 'Missing argument host for type guest' });
  return R('OK', { value: { group, account, address, tuple } });
}

/** `ttl` in seconds (null: none); `comment` null: the group line's. */
export function addGuestAccess(ctx: PluginContext, req: GuestLine, extras: { readonly ttl: number | null; readonly comment: string | null }): Result {
  const { store, out } = ctx;
  const full = complete(req);
  if (!isOk(full)) return full;
  const c = full.value;
  // The group's guest TTL policy is looked at before anything else is (as groupSetRole does).
  const named = checkGroupName(c.group);
  const policyGroup = named.value ? store.groups.byName(named.value) : undefined;
  const limit = policyGroup ? Number(store.groups.settings(policyGroup.id).get(GROUP_SETTING.guestTtlLimit) ?? 0) : 0;
  if (limit > 0) {
    if (!extras.ttl) return R('ERR_INVALID_PARAMETER', { msg: `This group requires guest accesses to have a TTL set, to a duration of ${formatDuration(limit)} or less` });
    if (extras.ttl > limit) {
      return R('ERR_INVALID_PARAMETER', { msg: `The TTL you specified is invalid, this group requires guest accesses to have a TTL of ${formatDuration(limit)} maximum` });
    }
  }
  const t = roleChangeTarget(ctx, c.group, c.account, 'guest');
  if (!isOk(t)) return t;
  const { group, account } = t.value;
  const now = Math.floor(ctx.clock.now() / 1000);
  const a = c.address;
  const user = effectiveUser(c.tuple);
  const machine = machineDisplay(a.ip, c.tuple.port, user);
  // The group's own lines that allow the wanted user@host:port (an indexed lookup by address).
  const groupLines = store.acl
    .containing(a.family, candidateStarts(a), a.end, now)
    .filter((e) => e.kind === 'group' && e.group_id === group.id && entryAllows(e, { ip: a, port: c.tuple.port, user }));
  const groupLine = bestMatch(groupLines);
  if (!groupLine) {
    return R('ERR_GROUP_HAS_NO_ACCESS', {
      msg: `The group ${group.name} doesn't have access to ${machine}, so you can't add a guest group access to it (first add it to the group if applicable, with groupAddServer)`,
    });
  }
  if (store.groups.hasRole(group.id, account.id, 'member')) {
    return R('ERR_MEMBER_CANNOT_BE_GUEST', { msg: `Can't add ${account.name} as a guest of group ${group.name}, they're already a member!` });
  }
  const done = store.tx(() => {
    const r = addLine(
      store,
      { kind: 'guest', accountId: account.id, groupId: group.id },
      { address: a, tuple: c.tuple },
      // Without a comment of its own, the guest line takes the one of the group line it relies on.
      { comment: extras.comment ?? groupLine.comment, ttl: extras.ttl, forceKey: null, forcePassword: null },
      ctx.caller.name,
      now,
    );
    store.groups.addRole(group.id, account.id, 'guest', ctx.caller.name, now);
    return r;
  });
  if (done === 'exists') {
    out.info(`Account ${account.name} already had access to ${machine} through ${group.name}`);
    return R('OK_NO_CHANGE', { msg: `Account ${account.name} already had access to ${machine} through ${group.name}` });
  }
  ctx.log.info(
    { type: 'membership', action: 'add', role: 'guest', group: group.name, account: account.name, ip: a.ip, user, port: c.tuple.port, ttl: extras.ttl },
    'guest access added',
  );
  out.info(`Account ${account.name} has now access to the group key of ${group.name}, but does NOT`);
  out.info(`automatically inherit access to any of the group's servers, only to ${machine},`);
  out.info(`and any other of the group's servers previously granted to ${account.name}.`);
  if (extras.ttl) out.info(`This access will expire in ${durationToHuman(extras.ttl, now).human}`);
  out.info(`\nYou can view ${account.name}'s guest accesses to ${group.name} with the following command:`);
  out.info(`${ctx.config.bastionName} --osh groupListGuestAccesses --account ${account.name} --group ${group.name}`);
  return R('OK');
}

export function delGuestAccess(ctx: PluginContext, req: GuestLine): Result {
  const { store, out } = ctx;
  const full = complete(req);
  if (!isOk(full)) return full;
  const c = full.value;
  const t = roleChangeTarget(ctx, c.group, c.account, 'guest');
  if (!isOk(t)) return t;
  const { group, account } = t.value;
  if (store.groups.hasRole(group.id, account.id, 'member')) {
    return R('ERR_MEMBER_CANNOT_BE_GUEST', { msg: `Can't remove ${account.name} as a guest of group ${group.name}, they're a member!` });
  }
  const now = Math.floor(ctx.clock.now() / 1000);
  const a = c.address;
  const machine = machineDisplay(a.ip, c.tuple.port, effectiveUser(c.tuple));
  const owner = { kind: 'guest' as const, accountId: account.id, groupId: group.id };
  const outcome = store.tx(() => {
    const done = deleteLine(store, owner, { address: a, tuple: c.tuple }, now);
    const left = store.acl.view(owner, now);
    // No guest access left: the account no longer holds the group's keys.
    if (left.length === 0) store.groups.removeRole(group.id, account.id, 'guest');
    return { done, left };
  });
  if (outcome.done === 'absent') {
    out.info(`Account ${account.name} didn't have access to ${machine} through ${group.name}`);
    return R('OK_NO_CHANGE', { msg: `Account ${account.name} didn't have access to ${machine} through ${group.name}, nothing done` });
  }
  ctx.log.info({ type: 'membership', action: 'del', role: 'guest', group: group.name, account: account.name, ip: a.ip }, 'guest access removed');
  out.info(`Access to ${machine} through group ${group.name} was removed from account ${account.name}`);
  if (outcome.left.length === 0) {
    out.info(`No guest access to servers of group ${group.name} remained for account ${account.name}, removed group key access`);
    return R('OK');
  }
  // The Bastion answers with the guest accesses that remain, as its ACL file has them: without the
  // reverseDns field its listings add.
  return R('OK', { value: outcome.left.map((e) => withoutReverseDns(aclJson(e))) });
}

function withoutReverseDns(e: AclJsonEntry): Omit<AclJsonEntry, 'reverseDns'> {
  const { reverseDns: _dropped, ...rest } = e;
  return rest;
}
