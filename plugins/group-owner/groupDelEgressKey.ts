import { bastionEgressIps, printEgressKey } from '../../src/accounts/keys.js';
import { groupKeyValue } from '../../src/access/groupKeys.js';
import { findGroup } from '../../src/access/groupName.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

/** The Bastion's words when either option is absent or empty. */
const MISSING = 'Missing the --group or --id parameter';

export default definePlugin({
  name: 'groupDelEgressKey',
  category: 'group-owner',
  summary: 'Delete one egress key of a group',
  header: 'Remove a bastion group egress key',
  options: {
    group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING, valueName: 'GROUP', description: 'Group to delete the egress key from' },
    id: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING, valueName: 'ID', description: 'The key id, as groupInfo shows it (e.g. id1a2b3c4d)' },
  },
  help: `The private half is destroyed: the bastion can no longer reach servers with this key. Remove
its public half from the servers' authorized_keys too. Only owners of the group (or superowners)
may do this.`,
  examples: ['--group web --id id15cbc848'],
  handler(ctx, opts) {
    const { config, out, store } = ctx;
    const found0 = findGroup(store, opts.group);
    if (!isOk(found0)) return found0;
    const g = found0.value;
    const refused = requireGroupRole(ctx, g, 'owner', 'delete its egress keys');
    if (refused) return refused;
    const ips = bastionEgressIps(config);
    const found = store.groups
      .keys(g.id)
      .map((k) => ({ k, v: groupKeyValue(k, g.name, ips) }))
      .find((x) => x.v['id'] === opts.id);
    if (!found) return R('ERR_INVALID_PARAMETER', { msg: `Couldn't find any key with the ID you specified (${opts.id}) in group ${g.name}` });
    out.info("We're about to delete the following key:\n");
    printEgressKey(out, found.v, found.k.created_at);
    store.tx(() => store.groups.removeKey(g.id, found.k.id));
    ctx.log.info({ type: 'group', action: 'delete_egress_key', group: g.name, fingerprint: found.k.fingerprint }, 'group egress key deleted');
    return R('OK', { value: found.v, msg: `Key ${opts.id} has successfully been deleted from the ${g.name} group` });
  },
});
