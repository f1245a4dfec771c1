import { egressKeysListing } from '../../src/accounts/keys.js';
import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountListEgressKeys',
  category: 'restricted',
  summary: 'List the public egress keys of an account',
  header: 'public egress keys of an account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to show the public egress keys of' },
  },
  help: `The keys listed are the public halves of the key pairs the bastion uses, on this account's
behalf, to connect to other machines: put one of them, with its from="…" part, in the remote
account's authorized_keys, and give the account access with accountAddPersonalAccess.
The value is a hash keyed by fingerprint. The private halves never leave the bastion.`,
  examples: ['--account alice'],
  differences: ['`mtime` is the creation time of the key pair (The Bastion: the modification time of its .pub file).'],
  handler(ctx, opts) {
    const found = findAccount(ctx.store, opts.account);
    if (!isOk(found)) return found;
    const value = egressKeysListing(ctx.store, ctx.config, found.value.id, ctx.out);
    if (Object.keys(value).length === 0) ctx.out.info('This account has no egress key.');
    return R('OK', { value });
  },
});
