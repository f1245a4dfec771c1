import { bastionEgressIps, newEgressKeyPair, printEgressKey } from '../../src/accounts/keys.js';
import { findAccount } from '../../src/accounts/lookup.js';
import { checkGroupName } from '../../src/access/groupName.js';
import { checkGroupKeyAlgo, encryptedGroupKeyRefusal, GROUP_KEY_OPTIONS, groupKeyValue } from '../../src/access/groupKeys.js';
import { createGroup } from '../../src/access/groupLifecycle.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

/** The Bastion's words when either is absent or empty. */
const MISSING = 'Group name or owner is missing';

export default definePlugin({
  name: 'groupCreate',
  category: 'restricted',
  summary: 'Create a group, with an owner and (unless --no-key) its first egress key',
  header: 'create a new group',
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING,
      // A name starting with "key" would be read back as the group without that prefix (The Bastion's issue #178).
      pattern: { regex: /^(?!key)[\s\S]*$/, accepts: "a name that doesn't start with 'key' (a reserved prefix)" },
      invalidMessage: "The group name can't start with 'key' (reserved prefix)",
      valueName: 'GROUP',
      description: 'Name of the group to create: up to 18 characters from [a-zA-Z0-9._-]',
    },
    owner: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: MISSING,
      valueName: 'ACCOUNT',
      description: 'Existing account to make owner of the group (can be you)',
    },
    algo: { type: 'string', valueName: 'ALGO', description: 'Algorithm of the group egress key: rsa, ecdsa or ed25519' },
    ...GROUP_KEY_OPTIONS,
    'no-key': { type: 'boolean', description: "Don't generate an egress key for the group (groupGenerateEgressKey can add one later)" },
  },
  help: `The owner becomes owner, gatekeeper, aclkeeper and member of the new group: they can then
delegate each role with groupAddOwner, groupAddGatekeeper, groupAddAclkeeper and groupAddMember.
Either --algo (and --size) or --no-key is needed.`,
  examples: ['--group web --owner alice --algo ed25519', '--group db --owner bob --algo rsa --size 4096', '--group lab --owner alice --no-key'],
  differences: [
    "--encrypted is refused with ERR_NOT_IMPLEMENTED: private keys are sealed at rest by the bastion's keyring, and a passphrase could not be typed at each connection.",
    "The key's `filename` and `fullpath` are The Bastion's names for it; no such file exists, the key lives in the store.",
  ],
  async handler(ctx, opts) {
    const { out, config, store } = ctx;
    const size = opts.size === undefined && opts.algo?.toLowerCase() === 'ed25519' ? 256 : opts.size;
    if (!opts['no-key'] && (!opts.algo || size === undefined)) return R('ERR_MISSING_PARAMETER', { msg: 'Group algorithm or size is missing' });
    const name = checkGroupName(opts.group);
    if (!isOk(name)) return name;
    const algo = opts.algo ? checkGroupKeyAlgo(config, opts.algo, size) : null;
    if (algo && !isOk(algo)) return algo;
    if (opts['no-key'] && (opts.algo || opts.size !== undefined || opts.encrypted)) {
      return R('ERR_INVALID_PARAMETER', { msg: "Can't specify 'no-key' along with 'algo', 'size' or 'encrypted'" });
    }
    const owner = findAccount(store, opts.owner);
    if (!isOk(owner)) return owner;
    if (store.groups.byName(name.value)) return R('KO_ALREADY_EXISTING', { msg: `The group ${name.value} already exists` });
    if (opts.encrypted) return encryptedGroupKeyRefusal();

    const now = Math.floor(ctx.clock.now() / 1000);
    let key = null;
    if (algo?.value) {
      out.info('Generating the group key, this might take a few seconds...');
      key = await newEgressKeyPair(config, ctx.keyring, name.value, algo.value, now);
    }
    const made = createGroup(ctx, name.value, owner.value, key, now);
    if (!isOk(made)) return made;
    ctx.log.info({ type: 'group', action: 'create', group: name.value, owner: owner.value.name, algo: algo?.value?.algo ?? null }, 'group created');
    out.info(`Group ${name.value} created: ${owner.value.name} is its owner, gatekeeper, aclkeeper and member.`);
    const value: Record<string, unknown> = { group: name.value, owner: owner.value.name };
    const k = store.groups.keys(made.value.id)[0];
    if (k) {
      out.info('The public key of this group is:');
      const v = groupKeyValue(k, name.value, bastionEgressIps(config));
      printEgressKey(out, v, k.created_at);
      value['public_key'] = v;
    }
    return R('OK', { value, msg: 'Group creation complete!' });
  },
});
