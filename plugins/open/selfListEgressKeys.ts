import { bastionEgressIps, egressKeysListing } from '../../src/accounts/keys.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfListEgressKeys',
  category: 'open',
  summary: 'List the public egress keys of your account',
  header: "your account's public egress keys",
  options: {},
  help: `The keys listed are the public halves of the key pairs the bastion uses, on your behalf, to
connect to other machines. Put one of them, with its from="…" part, in the remote account's
authorized_keys, and add the machine to your personal accesses (selfAddPersonalAccess).
The from="…" part lists the addresses the bastion connects from (egressKeysFrom, or this host's).
The private halves never leave the bastion.`,
  differences: ['`mtime` is the creation time of the key pair (The Bastion: the modification time of its .pub file).'],
  handler(ctx) {
    const from = `from="${bastionEgressIps(ctx.config).join(',')}"`;
    ctx.out.info('You can copy one of those keys to a remote machine to get access to it through your account');
    ctx.out.info('on this bastion, if it is listed in your personal access list (check selfListAccesses)');
    ctx.out.info(' ');
    ctx.out.info(`Always include the ${from} part when copying the key to a server!`);
    ctx.out.info(' ');
    const value = egressKeysListing(ctx.store, ctx.config, ctx.caller.account.id, ctx.out);
    if (Object.keys(value).length === 0) ctx.out.info('Your account has no egress key yet: selfGenerateEgressKey makes one.');
    return R('OK', { value });
  },
});
