// Creating and deleting groups (The Bastion's osh-groupCreate and osh-groupDelete helpers). A new
// group gets its owner as owner, aclkeeper, gatekeeper and member, and optionally a first egress
// key; deleting a group takes its roles, server list, guest accesses, settings and keys with it,
// in one transaction. Both share the confirmation step of groupDelete/groupDestroy.
import type { PluginContext } from '../osh/context.js';
import { isOk, R, type Result } from '../kernel/result.js';
import type { NewKeyPair } from '../store/egressKeys.js';
import type { GroupRow } from '../store/groups.js';
import { findGroup } from './groupName.js';

export function createGroup(
  ctx: PluginContext,
  name: string,
  owner: { readonly id: number; readonly name: string },
  key: NewKeyPair | null,
  nowSec: number,
): Result<{ id: number }> {
  const { store } = ctx;
  return store.tx(() => {
    if (store.groups.byName(name)) return R('KO_ALREADY_EXISTING', { msg: `The group ${name} already exists` });
    const id = store.groups.insert(name, nowSec, ctx.caller.name);
    for (const role of ['owner', 'aclkeeper', 'gatekeeper', 'member'] as const) store.groups.addRole(id, owner.id, role, ctx.caller.name, nowSec);
    if (key) store.groups.insertKey({ ...key, groupId: id });
    return R('OK', { value: { id } });
  });
}

/** The options of groupDelete and groupDestroy: one request, two permission tiers. */
export const DELETE_GROUP_OPTIONS = {
  group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: "Missing 'group' parameter", valueName: 'GROUP', description: 'Name of the group to delete' },
  'no-confirm': { type: 'boolean', description: "Don't ask to type the group name back (and blame yourself if it was the wrong group)" },
} as const;

export const DELETE_GROUP_HELP = `Without --no-confirm, the bastion reads one line from stdin, which must be the group name;
anything else, or no line at all, cancels (ERR_OPERATOR_IS_DRUNK).`;

/**
 * groupDelete / groupDestroy: the group named, `mayDelete` (the plugin's own permission check:
 * null to go on), then the typed-back group name unless --no-confirm.
 */
export async function deleteGroupAsked(
  ctx: PluginContext,
  opts: { readonly group: string; readonly 'no-confirm': boolean },
  mayDelete: (group: GroupRow) => Result | null,
): Promise<Result> {
  const group = findGroup(ctx.store, opts.group);
  if (!isOk(group)) return group;
  const refused = mayDelete(group.value);
  if (refused) return refused;
  return confirmAndDeleteGroup(ctx, group.value, opts['no-confirm']);
}

/** ERR_OPERATOR_IS_DRUNK when the typed-back name doesn't match; then everything goes at once. */
async function confirmAndDeleteGroup(ctx: PluginContext, group: GroupRow, noConfirm: boolean): Promise<Result> {
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
