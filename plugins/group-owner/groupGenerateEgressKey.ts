import { bastionEgressIps, newEgressKeyPair, printEgressKey } from '../../src/accounts/keys.js';
import { checkGroupKeyAlgo, encryptedGroupKeyRefusal, GROUP_KEY_OPTIONS, groupKeyValue } from '../../src/access/groupKeys.js';
import { findGroup } from '../../src/access/groupName.js';
import { requireGroupRole } from '../../src/access/groupRoles.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

/** The Bastion's words when --group or --algo is absent or empty, or --size is needed and absent. */
const MISSING = "Missing the 'algo', 'size' or 'group' parameter";

export default definePlugin({
  name: 'groupGenerateEgressKey',
  category: 'group-owner',
  summary: 'Create a new egress key pair for a group',
  header: 'generating a new key pair for a group',
  options: {
    group: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING, valueName: 'GROUP', description: 'Group to generate a new egress key for' },
    algo: { type: 'string', required: true, emptyIsMissing: true, missingMessage: MISSING, valueName: 'ALGO', description: 'Algorithm of the key: rsa, ecdsa or ed25519' },
    ...GROUP_KEY_OPTIONS,
  },
  help: `The new key joins the group's other keys: members and guests may reach the group's servers
with any of them (unless a server line forces one key). Copy its public half, with the from="…"
part, into the authorized_keys of the servers. Only owners of the group (or superowners) may do this.`,
  examples: ['--group web --algo ed25519', '--group web --algo rsa --size 4096'],
  differences: ["--encrypted is refused with ERR_NOT_IMPLEMENTED: private keys are sealed at rest by the bastion's keyring."],
  async handler(ctx, opts) {
    const { config, out, store } = ctx;
    const algo = checkGroupKeyAlgo(config, opts.algo, opts.size);
    if (!isOk(algo)) {
      return algo.code === 'ERR_MISSING_PARAMETER' ? R(algo.code, { msg: MISSING }) : algo;
    }
    const found0 = findGroup(store, opts.group);
    if (!isOk(found0)) return found0;
    const g = found0.value;
    const refused = requireGroupRole(ctx, g, 'owner', 'manage its egress keys');
    if (refused) return refused;
    if (opts.encrypted) return encryptedGroupKeyRefusal();
    out.info('Generating a new key pair, this might take a while...');
    const now = Math.floor(ctx.clock.now() / 1000);
    const pair = await newEgressKeyPair(config, ctx.keyring, g.name, algo.value, now);
    const id = store.tx(() => store.groups.insertKey({ ...pair, groupId: g.id }));
    const row = store.groups.keys(g.id).find((k) => k.id === id);
    if (!row) return R('ERR_INTERNAL', { msg: 'The new key could not be read back' });
    // The Bastion's answer here is the key alone, without the filename/fullpath that groupInfo and
    // groupCreate show.
    const { filename: _f, fullpath: _p, ...value } = groupKeyValue(row, g.name, bastionEgressIps(config));
    out.info('The new key pair has been generated:\n');
    printEgressKey(out, value, row.created_at);
    ctx.log.info({ type: 'group', action: 'generate_egress_key', group: g.name, fingerprint: row.fingerprint }, 'group egress key generated');
    return R('OK', { value });
  },
});
