import { listIngressKeys, printKey } from '../../src/accounts/keys.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfListIngressKeys',
  category: 'open',
  summary: 'List the public ingress keys of your account',
  header: 'Here are the public keys that allow you to connect to the bastion',
  options: {},
  help: `The keys listed are the public SSH keys that let you log in to this bastion. Their private
halves should be held by you alone. Each key line shows the from="…" restriction that applies to it
now (the key's own list, or ingressKeysFrom), and its ID is what selfDelIngressKey --id-to-delete takes.`,
  differences: [
    "A key's `id` is its position in the account's list (1, 2, 3…); The Bastion gives the key's line number in authorized_keys, which skips comment lines.",
    'Keys carry no `info` field in listings: Gatehouse does not keep the "added by / when" line The Bastion writes above a key.',
  ],
  handler(ctx) {
    const keys = listIngressKeys(ctx.store, ctx.config, ctx.caller.account.id);
    for (const k of keys) printKey(ctx.out, k, `ID = ${k.id}`, k.validity);
    if (keys.length === 0) ctx.out.info('No ingress keys configured for your account!');
    return R('OK', { value: { keys, account: ctx.caller.name } });
  },
});
