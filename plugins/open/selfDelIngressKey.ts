import { deleteIngressKey, hasImmutableKey, listIngressKeys, printKey, type DeleteTarget } from '../../src/accounts/keys.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfDelIngressKey',
  category: 'open',
  summary: 'Remove an ingress public key from your account',
  header: 'Here are the public keys that allow you to connect to the bastion',
  options: {
    'id-to-delete': {
      type: 'integer',
      // -l is the bastion's own --user option: it never reaches a plugin (The Bastion dropped it too).
      alias: ['line-number-to-delete'],
      conflicts: { 'fingerprint-to-delete': "You can't give a key ID and a fingerprint to delete at the same time" },
      valueName: 'ID',
      description: 'The ID of the key to delete, as selfListIngressKeys shows it',
    },
    'fingerprint-to-delete': {
      type: 'string',
      alias: ['f'],
      valueName: 'FP',
      description: 'The fingerprint of the key to delete (SHA256:…)',
    },
  },
  help: `Without either option, your keys are listed and the ID to delete is read from stdin.
The only valid key of an account can't be deleted (ERR_ONLY_ONE_KEY): add the new key first.
Deleting the key you are connected with is allowed; the next login needs another key.`,
  examples: ['--fingerprint-to-delete SHA256:rBz21mIiNoaz08oG546bTaInnldrEToSFbDgun2If6o', '--id-to-delete 2'],
  differences: [
    'A key that the current policy refuses (shown with its code instead of OK) can be deleted, and deleting it is allowed even when only one valid key is left; The Bastion refuses any deletion once a single valid key remains.',
    'An account created with --immutable-key gets KO_IMMUTABLE_KEY (The Bastion lets the deletion through, its rewrite of authorized_keys bypassing the read-only file).',
  ],
  async handler(ctx, opts) {
    const { out, store, config, caller } = ctx;
    if (hasImmutableKey(store, caller.account.id)) {
      return R('KO_IMMUTABLE_KEY', { msg: 'The ingress keys of your account are immutable: ask an administrator to change them.' });
    }
    const id = opts['id-to-delete'];
    const fingerprint = opts['fingerprint-to-delete'];
    const keys = listIngressKeys(store, config, caller.account.id);
    for (const k of keys) printKey(out, k, `ID = ${k.id}`, k.validity);
    const valid = keys.filter((k) => k.validity === 'OK');
    if (valid.length === 0) return R('ERR_NO_KEY', { msg: 'You have no valid key to delete' });
    let target: DeleteTarget;
    if (fingerprint !== undefined) target = { by: 'fingerprint', fingerprint };
    else if (id !== undefined) target = { by: 'id', id };
    else {
      const deletable = keys.filter((k) => !(k.validity === 'OK' && valid.length === 1));
      if (deletable.length === 0) return R('ERR_ONLY_ONE_KEY', { msg: "You can't delete the only valid key you have!" });
      out.info(`Type the ID of the key you want to delete then press ENTER (${deletable.map((k) => k.id).join(',')}):`);
      const answer = (await ctx.stdin.readLine({ maxBytes: 64 }))?.trim() ?? '';
      if (!/^\d{1,9}$/.test(answer)) return R('ERR_INVALID_PARAMETER', { msg: 'Invalid number specified' });
      target = { by: 'id', id: Number(answer) };
    }
    const done = deleteIngressKey(store, config, caller.account.id, target);
    if (done.code === 'OK') ctx.log.info({ action: 'del-ingress-key', account: caller.name, key: done.value?.deleted_key['fingerprint'] }, 'ingress key deleted');
    return done;
  },
});
