import { checkAccountName } from '../../src/policy/accountName.js';
import { configuredRoleOf } from '../../src/policy/roles.js';
import { createAccount, newAccountEgressKey, uidAvailable } from '../../src/accounts/create.js';
import { bastionAliasCommand } from '../../src/accounts/lookup.js';
import { checkIngressKey } from '../../src/accounts/keys.js';
import { FLAG_ON, SETTING } from '../../src/policy/settings.js';
import { effectiveFromList } from '../../src/policy/fromList.js';
import { parsePublicKeyLine, type PublicKeyInfo } from '../../src/keys/publicKey.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import { durationToHuman, parseTtl } from '../../src/kernel/duration.js';

export default definePlugin({
  name: 'accountCreate',
  category: 'restricted',
  summary: 'Create a new bastion account',
  header: 'create a new bastion account',
  options: {
    account: {
      type: 'string',
      required: true,
      pattern: { regex: /^[a-z0-9._-]+$/i, accepts: "made of letters, digits, '.', '_' and '-'" },
      valueName: 'NAME',
      description: 'Name of the account to create: 2 to 28 characters from a-z A-Z 0-9 . _ -',
    },
    uid: {
      type: 'integer',
      conflicts: { 'uid-auto': "Can't use --uid and --uid-auto at the same time" },
      valueName: 'UID',
      description: 'The numeric id of the account, free and within accountUidMin..accountUidMax (or use --uid-auto)',
    },
    'uid-auto': { type: 'boolean', description: 'Use the highest free id of the accountUidMin..accountUidMax range' },
    'public-key': {
      type: 'string',
      alias: ['pubKey'],
      conflicts: { 'no-key': "Can't use --public-key and --no-key at the same time" },
      valueName: '\'"KEY"\'',
      description:
        'The ingress SSH public key of the account (words after it that are not options are glued to it, so one level of quoting is enough). Without it (and without --no-key) the key is read from stdin',
      gluesStrayWords: true,
    },
    'no-key': { type: 'boolean', description: "Don't install any ingress key (and don't ask for one): the account can't log in until a key is added" },
    'always-active': { type: 'boolean', description: "Don't challenge this account's activation on connection (see alwaysActiveAccounts)" },
    'osh-only': { type: 'boolean', description: 'The account may only run --osh plugins, never connect to a host through the bastion' },
    'immutable-key': { type: 'boolean', description: 'The account may never change its own ingress keys afterwards (selfAddIngressKey and selfDelIngressKey are refused)' },
    'max-inactive-days': {
      type: 'integer',
      min: 0,
      valueName: 'DAYS',
      description: 'Days of inactivity after which the account expires, overriding accountMaxInactiveDays; 0 means never',
    },
    ttl: {
      type: 'string',
      valueName: 'SECONDS|DURATION',
      description: 'Time after which the account can no longer log in, counted from now: seconds, or a duration such as 4d12h15m (units s m h d w y)',
    },
    comment: { type: 'string', valueName: '\'"STRING"\'', description: 'A comment kept with the account (shown by accountInfo); quote it twice from a shell' },
  },
  help: `--uid or --uid-auto is required. When neither --public-key nor --no-key is given, the bastion
asks for the key and reads one line from stdin, so a key file can be piped in:
  ssh admin@bastion -- --osh accountCreate --account alice --uid-auto < alice.pub
The account also gets a personal egress key pair (defaultAccountEgressKeyAlgorithm and
defaultAccountEgressKeySize), whose public half accountListEgressKeys shows.
A name that bastion.conf lists in adminAccounts or superOwnerAccounts can only be created by an
admin, since the account gets that role as soon as it exists.`,
  examples: [
    '--account alice --uid-auto --public-key \'"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop"\'',
    '--account backup-bot --uid 5000 --osh-only --always-active --no-key',
    '--account contractor --uid-auto --ttl 30d --comment \'"ticket 1234"\'',
  ],
  differences: [
    'The name, the uid and whether the account exists are checked before the key is asked for, so nobody pastes a key for a call that is bound to fail.',
    'Options before the key are read as OpenSSH reads authorized_keys: from= and the no-…-forwarding and no-user-rc flags are kept, any other option is refused with KO_UNSUPPORTED_KEY_OPTION instead of being dropped.',
    'A name listed in adminAccounts or superOwnerAccounts can only be created by an admin (ERR_SECURITY_VIOLATION otherwise): in The Bastion, whoever may create accounts creates admins that way.',
    'TTL units are case-insensitive (1D is a day; The Bastion counts an upper-case unit as seconds).',
    'There is no unix user, home or tty group: the account, its key and settings are rows written in one transaction, so a failed creation leaves nothing behind.',
  ],
  async handler(ctx, opts) {
    const { out, config, store } = ctx;
    const account = opts.account;
    if (opts.uid === undefined && !opts['uid-auto']) {
      return R('ERR_MISSING_PARAMETER', { msg: 'Missing mandatory parameter --uid or --uid-auto' });
    }
    let ttlSeconds: number | null = null;
    if (opts.ttl !== undefined) {
      const ttl = parseTtl(opts.ttl);
      if (!isOk(ttl)) return ttl;
      ttlSeconds = ttl.value > 0 ? ttl.value : null;
    }
    if (opts.uid === 0) return R('ERR_IN_YOUR_DREAMS', { msg: 'The uid 0 is the one of root: not for a bastion account' });
    const maxInactiveDays = opts['max-inactive-days'];
    const name = checkAccountName(account);
    if (!isOk(name)) return name;
    // Roles are given by name in bastion.conf: whoever creates a listed name gets its role, so
    // only an admin may bring such an account into being (deleted and re-created alike).
    const role = configuredRoleOf(config, account);
    if (role !== null && !ctx.caller.roles.isAdmin) {
      ctx.log.warn({ account, role, by: ctx.caller.name, peer: ctx.caller.peer.ip }, 'creation of an account name that bastion.conf makes a role refused');
      return R('ERR_SECURITY_VIOLATION', {
        msg: `The name ${account} is listed in ${role === 'admin' ? 'adminAccounts' : 'superOwnerAccounts'}: only an admin can create that account`,
      });
    }
    if (store.accounts.byName(account)) return R('KO_ALREADY_EXISTING', { msg: `The account ${account} already exists` });
    if (opts.uid !== undefined) {
      const uid = uidAvailable(store, config, opts.uid);
      if (!isOk(uid)) return uid;
    }

    const keys: PublicKeyInfo[] = [];
    if (!opts['no-key']) {
      let line = opts['public-key'];
      if (line === undefined) {
        out.info('Please paste the SSH public key of the new account, on one line.');
        out.info(`Accepted key algorithms: ${config.allowedIngressSshAlgorithms.join(', ')} (RSA: ${config.minimumIngressRsaKeySize} to ${config.maximumIngressRsaKeySize} bits).`);
        const read = await ctx.stdin.readLine();
        if (read === null) {
          return R('KO_NOT_A_KEY', {
            msg: 'No public key arrived on stdin (end of input or time out): paste one, or use --public-key, or --no-key',
          });
        }
        line = read;
      }
      const parsed = parsePublicKeyLine(line);
      if (!isOk(parsed)) return parsed;
      const checked = checkIngressKey(parsed.value, config);
      if (!isOk(checked)) return checked;
      keys.push(checked.value);
    }

    const nowSec = Math.floor(ctx.clock.now() / 1000);
    out.info(`Generating the personal egress key of the account (${config.defaultAccountEgressKeyAlgorithm}-${config.defaultAccountEgressKeySize})...`);
    const egressKey = await newAccountEgressKey(config, ctx.keyring, account, nowSec);
    if (!isOk(egressKey)) return egressKey;

    const settings: Record<string, string> = {};
    if (opts['always-active']) settings[SETTING.alwaysActive] = FLAG_ON;
    if (opts['osh-only']) settings[SETTING.oshOnly] = FLAG_ON;
    if (opts['immutable-key']) settings[SETTING.immutableKey] = FLAG_ON;
    if (maxInactiveDays !== undefined) settings[SETTING.maxInactiveDays] = String(maxInactiveDays);
    const comment = opts.comment === undefined || opts.comment === '' ? null : opts.comment;

    const created = createAccount(store, config, {
      name: account,
      uid: opts.uid ?? 'auto',
      comment,
      createdBy: ctx.caller.name,
      ttlSeconds,
      keys,
      settings,
      nowSec,
      egressKey: egressKey.value,
    });
    if (!isOk(created)) return created;

    out.info(`Account ${account} created with UID ${created.value.uid}.`);
    if (ttlSeconds !== null) out.info(`Its TTL is set: it expires in ${durationToHuman(ttlSeconds, nowSec).human}.`);
    const key = keys[0];
    if (key) {
      const from = effectiveFromList(key.fromList, config);
      out.info(`Ingress key installed: ${key.fingerprint}`);
      if (from.length > 0) out.info(`The account will be able to connect from the following IPs: ${from.join(', ')}`);
    } else {
      out.info('No ingress key was installed: the account cannot log in until one is added.');
    }
    const alias = bastionAliasCommand(config.bastionCommand, config.bastionName, ctx.server.hostname, account);
    out.info(`==> alias ${config.bastionName}='${alias}'`);
    out.info(`To test the access, the user can set the above alias, then run \`${config.bastionName} --osh info'`);
    ctx.log.info({ account, uid: created.value.uid, key: key?.fingerprint ?? null, ttl: ttlSeconds }, 'account created');
    return R('OK', { msg: `Account ${account} successfully created` });
  },
});
