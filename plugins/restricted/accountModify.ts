import { findAccount } from '../../src/accounts/lookup.js';
import { ALLOWED_VALUES, applyModification, itemResult, type ItemResult, type ModifyOption } from '../../src/accounts/modify.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

const NO_EFFECT = 'recorded and shown by accountInfo; no effect on Gatehouse, which has no MFA or PAM';

export default definePlugin({
  name: 'accountModify',
  category: 'restricted',
  summary: 'Modify an account configuration',
  header: 'modify the configuration of an account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to work on' },
    'pam-auth-bypass': {
      type: 'string',
      choices: ALLOWED_VALUES['pam-auth-bypass'],
      description: `Bypass PAM authentication for this account (${NO_EFFECT})`,
    },
    'mfa-password-required': {
      type: 'string',
      choices: ALLOWED_VALUES['mfa-password-required'],
      description: `Require an additional password for this account, or never ask one with 'bypass' (${NO_EFFECT})`,
    },
    'mfa-totp-required': {
      type: 'string',
      choices: ALLOWED_VALUES['mfa-totp-required'],
      description: `Require an additional TOTP for this account, or never ask one with 'bypass' (${NO_EFFECT})`,
    },
    'egress-strict-host-key-checking': {
      type: 'string',
      choices: ALLOWED_VALUES['egress-strict-host-key-checking'],
      valueName: 'POLICY',
      description:
        "How the account's egress connections check host keys: yes, accept-new, no, ask (as ssh_config's StrictHostKeyChecking), bypass (no check and no known-hosts file at all: don't enable it blindly) or default (remove the override)",
    },
    'egress-session-multiplexing': {
      type: 'string',
      choices: ALLOWED_VALUES['egress-session-multiplexing'],
      valueName: 'POLICY',
      description: 'Share egress sessions to the same target (ControlMaster/ControlPath): yes, no, or default (remove the override)',
    },
    'personal-egress-mfa-required': {
      type: 'string',
      choices: ALLOWED_VALUES['personal-egress-mfa-required'],
      valueName: 'POLICY',
      description: `MFA to require on connections using the account's personal keys: password, totp, any or none (${NO_EFFECT})`,
    },
    'always-active': {
      type: 'string',
      choices: ALLOWED_VALUES['always-active'],
      description: "Set or unset the account as always active (its activation isn't challenged)",
    },
    'idle-ignore': {
      type: 'string',
      choices: ALLOWED_VALUES['idle-ignore'],
      description: 'Make the account immune to the idleLockTimeout and idleKillTimeout policies',
    },
    'max-inactive-days': {
      type: 'integer',
      min: -1,
      valueName: 'DAYS',
      description: 'Days of inactivity before the account expires, overriding accountMaxInactiveDays: 0 disables expiry, -1 removes the override',
    },
    'osh-only': {
      type: 'string',
      choices: ALLOWED_VALUES['osh-only'],
      description: 'The account may only run --osh plugins, never connect to a host through the bastion',
    },
    'pubkey-auth-optional': {
      type: 'string',
      choices: ALLOWED_VALUES['pubkey-auth-optional'],
      description: `Make the public key optional on ingress when a password or TOTP is set (${NO_EFFECT}: the key is always required)`,
    },
  },
  help: `Give one or more options with their value. The value is a hash with one entry per option
(dashes turned into underscores), each with its own error_code: OK, or OK_NO_CHANGE when the
account already had that setting. Only an admin may modify an admin.`,
  examples: ['--account alice --max-inactive-days 30', '--account bot --osh-only yes --idle-ignore yes', '--account alice --egress-strict-host-key-checking accept-new'],
  differences: [
    "MFA, PAM and PIV don't exist on Gatehouse: --mfa-password-required, --mfa-totp-required, --pam-auth-bypass, --pubkey-auth-optional and --personal-egress-mfa-required are stored and shown by accountInfo, and change nothing else.",
    "The options are applied in the order of this page, in one transaction (The Bastion's order is a hash's).",
    "--mfa-*-required reports OK when it removed the opposite flag (e.g. 'no' removing a bypass); The Bastion reports OK_NO_CHANGE there.",
  ],
  handler(ctx, opts) {
    const { store, out, config } = ctx;
    const found = findAccount(store, opts.account);
    if (!isOk(found)) return found;
    const target = found.value;

    const asked: [ModifyOption, string][] = [];
    for (const option of Object.keys(ALLOWED_VALUES) as (keyof typeof ALLOWED_VALUES)[]) {
      const v = opts[option];
      if (v !== undefined) asked.push([option, v]);
    }
    const days = opts['max-inactive-days'];
    if (days !== undefined) asked.push(['max-inactive-days', String(days)]);
    if (asked.length === 0) return R('ERR_MISSING_PARAMETER', { msg: 'Missing mandatory parameter to modify account' });

    if (config.adminAccounts.includes(target.name) && !ctx.caller.roles.isAdmin) {
      return R('ERR_SECURITY_VIOLATION', { msg: "You can't modify the account of an admin without being admin yourself" });
    }

    const outcomes = store.tx(() => {
      const settings = store.accounts.settings(target.id);
      return asked.map(([option, value]) => ({ option, value, outcome: applyModification(store, target.id, settings, option, value) }));
    });
    const result: Record<string, ItemResult> = {};
    for (const { option, value, outcome } of outcomes) {
      out.info(`--${option} ${value}:`);
      for (const line of outcome.said) out.info(`... ${line}`);
      if (outcome.code === 'OK' && value !== 'no' && value !== 'none' && option in NO_EFFECT_OPTIONS) {
        out.warn('... recorded, but MFA and PAM are not available on this bastion: this changes nothing at login');
      }
      result[option.replace(/-/g, '_')] = itemResult(outcome.code);
    }
    ctx.log.info({ account: target.name, changes: asked.map(([o, v]) => `${o}=${v}`) }, 'account modified');
    return R('OK', { value: result });
  },
});

const NO_EFFECT_OPTIONS: Readonly<Record<string, true>> = {
  'pam-auth-bypass': true,
  'mfa-password-required': true,
  'mfa-totp-required': true,
  'personal-egress-mfa-required': true,
  'pubkey-auth-optional': true,
};
