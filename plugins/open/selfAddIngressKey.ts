import { addIngressKey, hasImmutableKey, printKey } from '../../src/accounts/keys.js';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

// A public key line is at most 3000 characters (The Bastion's limit): read a little more, then give up.
const MAX_LINE_BYTES = 8192;

export default definePlugin({
  name: 'selfAddIngressKey',
  category: 'open',
  summary: 'Add a new ingress public key to your account',
  header: 'add a new public key to your account',
  options: {
    'public-key': {
      type: 'string',
      alias: ['pubKey'],
      valueName: '\'"KEY"\'',
      description:
        'The new public SSH key to log in with (words after it that are not options are glued to it, so one level of quoting is enough). Without it, the key is read from stdin',
      gluesStrayWords: true,
    },
    piv: { type: 'boolean', description: 'Add a key from a PIV hardware token with its attestation certificates (not available on Gatehouse)' },
  },
  help: `Without --public-key, the bastion asks for the key and reads one line from stdin, so a key
file can be piped in:
  ssh alice@bastion -- --osh selfAddIngressKey < ~/.ssh/id_ed25519.pub

If this bastion's policy allows it (ingressKeysFromAllowOverride), you may prefix the key with
from="IP1,IP2,…" (addresses or networks) as in authorized_keys; otherwise ingressKeysFrom applies,
if set. value.connect_only_from says which addresses the key will be accepted from.
The no-port-forwarding, no-agent-forwarding, no-X11-forwarding and no-user-rc options are accepted
(Gatehouse never does any of that); any other authorized_keys option refuses the key.`,
  examples: [
    '--public-key \'"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop"\'',
    '--public-key \'"from=\\"192.0.2.0/24\\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop"\'',
  ],
  differences: [
    '--piv is refused with KO_PIV_NOT_AVAILABLE: Gatehouse has no PIV attestation checker (The Bastion answers the same when its helper is missing).',
    'An account created with --immutable-key gets KO_IMMUTABLE_KEY (The Bastion fails with ERR_CANNOT_OPEN_FILE on its read-only authorized_keys).',
    'from="…" entries that are not IP addresses or networks are refused with ERR_INVALID_PARAMETER; The Bastion silently drops them, which widens what the key accepts.',
    'The options before the key are read as OpenSSH reads authorized_keys (any order, names in any case, double-quoted values): from= and the no-port-forwarding, no-agent-forwarding, no-X11-forwarding and no-user-rc flags are kept; any other option (command=, no-pty, restrict …) is refused with KO_UNSUPPORTED_KEY_OPTION and a malformed or repeated one with KO_NOT_A_KEY. The Bastion only sees a first, lower-case from= and silently drops the rest.',
    "The added key's `info` has no UNIQID field.",
  ],
  async handler(ctx, opts) {
    const { out, store, config, caller } = ctx;
    if (opts.piv) {
      return R('KO_PIV_NOT_AVAILABLE', {
        msg: "This bastion doesn't have PIV capabilities. Please retry without --piv.",
      });
    }
    if (hasImmutableKey(store, caller.account.id)) {
      return R('KO_IMMUTABLE_KEY', { msg: 'The ingress keys of your account are immutable: ask an administrator to change them.' });
    }
    let text = opts['public-key'];
    if (text === undefined) {
      out.info('Please paste the SSH key you want to add.');
      out.info(
        `Accepted algorithms here: ${config.allowedIngressSshAlgorithms.join(', ')} (RSA from ${config.minimumIngressRsaKeySize} to ${config.maximumIngressRsaKeySize} bits).`,
      );
      out.info('Please ensure your private key is encrypted using a proper passphrase.');
      out.info(
        // Gatehouse keeps a key's own list when ingressKeysFrom is empty (see fromList.ts).
        config.ingressKeysFromAllowOverride || config.ingressKeysFrom.length === 0
          ? 'You can prepend your key with a from="IP1,IP2,..." to restrict where it may be used from'
          : 'Any from="IP1,IP2,..." you include will be ignored, as this bastion policy refuses ingress keys "from" override by users',
      );
      text = (await ctx.stdin.readLine({ maxBytes: MAX_LINE_BYTES })) ?? undefined;
      if (text === undefined) {
        return R('KO_NOT_A_KEY', { msg: "No key was received (end of input): this doesn't look like an SSH public key." });
      }
    }
    const line = text.trim();
    const parsed = parsePublicKeyLine(line);
    if (!isOk(parsed)) {
      const value = parsed.code === 'KO_PRIVATE_KEY' || line === '' ? null : { key: { line } };
      return R(parsed.code, { msg: parsed.msg, value });
    }
    const added = addIngressKey(store, config, caller.account.id, parsed.value, {
      addedBy: caller.name,
      using: 'selfAddIngressKey',
      version: ctx.server.version,
      nowSec: Math.floor(ctx.clock.now() / 1000),
    });
    if (!isOk(added) || !('connect_only_from' in added.value)) return added;
    const { key, connect_only_from: from } = added.value;
    out.info(' ');
    out.info('Public key successfully added:');
    printKey(out, { ...parsed.value, prefix: String(key['prefix']) }, `ID = ${String(key['id'])}`, 'OK', false);
    if (from.length > 0) out.info(`You will only be able to connect from: ${from.join(', ')}`);
    ctx.log.info({ action: 'add-ingress-key', account: caller.name, fingerprint: parsed.value.fingerprint }, 'ingress key added');
    return added;
  },
});
