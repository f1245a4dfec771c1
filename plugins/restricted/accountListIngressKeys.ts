import { listIngressKeys, printKey } from '../../src/accounts/keys.js';
import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountListIngressKeys',
  category: 'restricted',
  summary: 'List the public ingress keys of an account',
  header: 'Here are the public keys that allow this account to connect to the bastion',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to list the keys of' },
  },
  help: `The keys listed are the public SSH keys that let this account log in to the bastion; their
private halves should be held by the account's user alone. Each key line shows the from="…"
restriction that applies to it now (the key's own list, or ingressKeysFrom).`,
  examples: ['--account alice'],
  differences: ["A key's `id` is its position in the account's list (1, 2, 3…), as for selfListIngressKeys."],
  handler(ctx, opts) {
    const found = findAccount(ctx.store, opts.account);
    if (!isOk(found)) return found;
    const keys = listIngressKeys(ctx.store, ctx.config, found.value.id);
    for (const k of keys) printKey(ctx.out, k, `ID = ${k.id}`, k.validity);
    if (keys.length === 0) ctx.out.info('No ingress keys configured for this account!');
    return R('OK', { value: { keys, account: found.value.name } });
  },
});
