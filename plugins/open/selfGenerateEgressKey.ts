import { bastionEgressIps, egressKeyValue, generateEgressKey, printEgressKey } from '../../src/accounts/keys.js';
import { checkEgressAlgoAndSize } from '../../src/services/egressKeyGen.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfGenerateEgressKey',
  category: 'open',
  summary: 'Create a new public + private key pair on your bastion account',
  header: 'generating a new key pair for your account',
  options: {
    algo: { type: 'string', valueName: 'ALGO', description: 'The algorithm of the key: rsa, ecdsa or ed25519' },
    size: {
      type: 'integer',
      valueName: 'SIZE',
      description: 'The size of the key: for RSA between the configured minimum and maximum (4096 is good), for ECDSA 256, 384 or 521, for Ed25519 always 256',
    },
    encrypted: { type: 'boolean', description: 'Protect the private key with a passphrase (not available on Gatehouse: see below)' },
  },
  help: `The new key pair joins the ones you have (selfListEgressKeys lists them); the bastion can use
any of them to connect on your behalf. Its public half is shown with the from="…" part to copy
along with it into the remote authorized_keys. Generating a large RSA key takes a few seconds.

--encrypted is refused: every private key is already encrypted at rest with the bastion's own
key, and a passphrase would have to be typed through the bastion at each connection.`,
  examples: ['--algo ed25519', '--algo ecdsa --size 521', '--algo rsa --size 4096'],
  differences: [
    "--encrypted (a passphrase-protected private key) is refused with ERR_NOT_IMPLEMENTED: private keys are sealed at rest by the bastion's keyring instead.",
    '`mtime` is the creation time of the key pair (The Bastion: the modification time of its .pub file).',
  ],
  async handler(ctx, opts) {
    const { out, store, config, keyring, caller } = ctx;
    if (opts.encrypted) {
      return R('ERR_NOT_IMPLEMENTED', {
        msg: 'Passphrase-protected egress keys are not available here: private keys are already encrypted at rest by the bastion.',
      });
    }
    // Checked here too (generateEgressKey does it again) so a bad request is refused before the wait message.
    const checked = checkEgressAlgoAndSize(config, opts.algo, opts.size);
    if (!isOk(checked)) return checked;
    out.info('Generating your key, this might take a while...');
    const made = await generateEgressKey({ store, config, keyring }, caller.account, opts.algo, opts.size, Math.floor(ctx.clock.now() / 1000));
    if (!isOk(made)) return made;
    const value = egressKeyValue(made.value, bastionEgressIps(config));
    out.info('Your new key pair has been generated:\n');
    printEgressKey(out, value, made.value.created_at);
    ctx.log.info({ action: 'generate-egress-key', account: caller.name, fingerprint: made.value.fingerprint }, 'egress key generated');
    return R('OK', { value });
  },
});
