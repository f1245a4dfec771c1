// Creating and deleting groups (The Bastion's osh-groupCreate and osh-groupDelete helpers). A new
// group gets its owner as owner, aclkeeper, gatekeeper and member, and optionally a first egress
// key; deleting a group takes its roles, server list, guest accesses, settings and keys with it,
// in one transaction. Both share the confirmation step of groupDelete/groupDestroy.
import type { PluginContext } from '../plugin/context.js';
import { R, type Result } from '../result.js';
import type { GroupRow, NewGroupKey } from '../store/groups.js';

export function createGroup(
  ctx: PluginContext,
  name: string,
  owner: { readonly id: number; readonly name: string },
  key: Omit<NewGroupKey, 'groupId'> | null,
  nowSec: number,
): Result<{ id: number }> {
  const { store } = ctx;
  return store.tx(() => {
    if (store.groups.byName(name)) return R<{ id: number }>('KO_ALREADY_EXISTING', { msg: `The group ${name} already exists` });
    const id = store.groups.insert(name, nowSec, ctx.caller.name);
    for (const role of ['owner', 'aclkeeper', 'gatekeeper', 'member'] as const) store.groups.addRole(id, owner.id, role, ctx.caller.name, nowSec);
    if (key) store.groups.insertKey({ ...key, groupId: id });
    return R('OK', { value: { id } });
  });
}

/**
 * groupDelete / groupDestroy after their own permission checks: the typed-back group name unless
 * --no-confirm (ERR_OPERATOR_IS_DRUNK when it doesn't match), then everything goes at once.
 */
export async function confirmAndDeleteGroup(ctx: PluginContext, group: GroupRow, noConfirm: boolean): Promise<Result> {
  const { out, store } = ctx;
  if (!noConfirm) {
    out.info('!!!! WARNING !!!! WARNING !!!! WARNING !!!! WARNING !!!! WARNING !!!!');
    out.info('');
    out.info(`You are about to DELETE the bastion group ${group.name}, with its server list, guest accesses and keys.`);
    out.info('To confirm, type the name of the group (it will not be echoed back):');
    out.info('');
    const line = await ctx.stdin.readLine();
    if (line === null) return R('ERR_OPERATOR_IS_DRUNK', { msg: 'No group name arrived on stdin (end of input or time out): nothing was deleted' });
    if (line.trim() !== group.name) return R('ERR_OPERATOR_IS_DRUNK', { msg: "That isn't the name of the group: nothing was deleted" });
  }
  const removed = store.tx(() => store.groups.remove(group.id));
  if (!removed) return R('KO_GROUP_NOT_FOUND', { msg: `The bastion group '${group.name}' doesn't exist` });
  ctx.log.info({ type: 'group', action: 'delete', group: group.name }, 'group deleted');
  // `group` is The Bastion's unix group name (key + name): scripts read it back as such.
  return R('OK', { value: { group: `key${group.name}`, operation: 'deleted', errors: 0 }, msg: `Group ${group.name} has been deleted` });
}
