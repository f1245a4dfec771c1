import { accountInfoValue, type AccountInfo } from '../../src/accounts/info.js';
import { accountGroupFlags } from '../../src/access/groupRoles.js';
import { findAccount } from '../../src/accounts/lookup.js';
import type { Terminal } from '../../src/osh/terminal.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import type { AccountRow } from '../../src/store/accounts.js';
import { formatDuration } from '../../src/kernel/duration.js';

export default definePlugin({
  name: 'accountInfo',
  category: 'restricted',
  summary: 'Display some information about an account',
  header: 'account information',
  options: {
    account: { type: 'string', conflicts: { all: "Can't use both --account and --all" }, valueName: 'ACCOUNT', description: 'The account to show' },
    all: { type: 'boolean', description: 'Every account, as a hash keyed by account name (auditors only; use with --json)' },
    'with-everything': { type: 'boolean', description: 'Include everything the --with-* options below add' },
    'without-everything': { type: 'boolean', description: 'Include nothing the --with-* options below add (the default)' },
    'list-groups': { type: 'boolean', alias: ['with-groups'], description: 'Include the groups the account has a role on' },
    'without-groups': { type: 'boolean', description: "Don't include the groups (the default)" },
    'with-mfa-password-info': { type: 'boolean', description: "Include the account's password information (auditors only)" },
    'without-mfa-password-info': { type: 'boolean', description: "Don't include the password information (the default)" },
    'with-egress-keys': { type: 'boolean', description: "Include the account's egress keys (auditors only; The Bastion accepts it and adds nothing either)" },
    'without-egress-keys': { type: 'boolean', description: "Don't include the egress keys (the default)" },
  },
  help: `Either --account or --all is required. Bastion auditors (and admins) see the account's
state (TTL, freeze, inactivity expiry, last activity, creation, settings); other callers see its
roles, granted commands and activation only.`,
  examples: ['--account alice', '--account alice --with-mfa-password-info', '--all --json'],
  differences: [
    'A specific --with-X/--without-X option wins over --with-everything/--without-everything whatever their order (The Bastion applies them left to right).',
    "There are no unix passwords: --with-mfa-password-info always describes a locked password, changed on the account's creation day.",
    "Multi-factor authentication, PIV and PAM don't exist on Gatehouse: the mfa_*, pam_auth_bypass and pubkey_auth_optional fields show what accountModify recorded, the *_configured and PIV fields are always 0.",
    'creation_information.bastion_version is the Gatehouse version that created the account.',
  ],
  handler(ctx, opts) {
    const { store, config, out, caller } = ctx;
    const pick = (withX: boolean, withoutX: boolean): boolean => (withX ? true : withoutX ? false : opts['with-everything'] && !opts['without-everything']);
    const withPasswordInfo = pick(opts['with-mfa-password-info'], opts['without-mfa-password-info']);
    const withEgressKeys = pick(opts['with-egress-keys'], opts['without-egress-keys']);
    const withGroups = pick(opts['list-groups'], opts['without-groups']);

    if ((opts.all || withPasswordInfo || withEgressKeys) && !caller.roles.isAuditor) {
      return R('ERR_ACCESS_DENIED', { msg: 'This option can only be used by bastion auditors' });
    }
    if (opts.account === undefined && !opts.all) {
      return R('ERR_MISSING_PARAMETER', { msg: 'Missing either --account or --all parameter' });
    }

    let rows: AccountRow[];
    if (opts.all) {
      rows = store.accounts.all();
    } else {
      const found = findAccount(store, opts.account);
      if (!isOk(found)) return found;
      rows = [found.value];
    }
    const nowSec = Math.floor(ctx.clock.now() / 1000);
    const infoOpts = { auditorView: caller.roles.isAuditor, withPasswordInfo, nowSec };
    const allSettings = opts.all ? store.accounts.allSettings() : null;
    const infos = rows.map((row) => {
      const settings = allSettings ? (allSettings.get(row.id) ?? new Map<string, string>()) : store.accounts.settings(row.id);
      const info = accountInfoValue(store, config, ctx.server.plugins, row, settings, infoOpts);
      if (withGroups) info.groups = accountGroupFlags(store, row.id);
      return info;
    });

    if (!opts.all) {
      const info = infos[0] as AccountInfo;
      printInfo(out, info, withGroups, nowSec);
      return R('OK', { value: info });
    }
    const all: Record<string, AccountInfo> = {};
    for (const info of infos) all[info.account] = info;
    out.info("If you're only seeing this line, you might want to use --json");
    return R('OK', { value: all });
  },
});

function printInfo(out: Terminal, v: AccountInfo, withGroups: boolean, nowSec: number): void {
  const c = out.colour.bind(out);
  const yes = (b: number | undefined, on: string, off: string): string => (b ? c(on, 'green') : c(off, 'blue'));
  if (v.is_admin) out.info(`${v.account} is a bastion ${c('admin', 'green')}`);
  if (v.is_superowner) out.info(`${v.account} is a bastion ${c('superowner', 'green')}`);
  if (v.is_auditor) out.info(`${v.account} is a bastion ${c('auditor', 'green')}`);
  out.info('This account may run the following restricted commands:');
  for (const cmd of v.allowed_commands) out.info(`- ${cmd}`);
  if (v.allowed_commands.length === 0) out.info('(none)');
  if (withGroups) {
    out.info('\nThis account has a role on the following groups:');
    for (const g of Object.values(v.groups).sort((a, b) => a.name.localeCompare(b.name))) out.info(`- ${g.name}: ${g.flags.join(', ')}`);
    if (Object.keys(v.groups).length === 0) out.info('(none)');
  }
  out.info(v.always_active ? `This account is ${c('always', 'green')} active` : `This account is ${c('active', 'green')}`);

  if (v.is_ttl_set !== undefined) {
    if (!v.is_ttl_set || v.ttl_timestamp == null) out.info(`This account has ${c('no TTL set', 'green')}`);
    else if (!v.is_ttl_expired) out.info(`This account's ${c('TTL is still valid', 'green')} (for ${formatDuration(v.ttl_timestamp - nowSec)})`);
    else out.info(`This account's ${c('TTL has EXPIRED', 'red')} (since ${formatDuration(nowSec - v.ttl_timestamp)})`);
  }
  if (v.is_frozen !== undefined) {
    if (!v.is_frozen) out.info(`This account is ${c('not frozen', 'green')}`);
    else out.info(`This account has been ${c('FROZEN', 'red')} by ${v.freeze_info?.by ?? '(unknown)'} (${v.freeze_info?.reason || 'no reason given'})`);
  }
  if (v.is_expired !== undefined) {
    out.info(
      v.is_expired
        ? `This account is ${c('EXPIRED', 'red')} for inactivity (it hasn't been seen for too long)`
        : `This account has been active recently enough to ${c('not be expired', 'green')} for inactivity`,
    );
  }
  if (v.can_connect !== undefined) {
    out.info(`As a consequence, this account ${v.can_connect ? c('can', 'green') : c('CANNOT', 'red')} connect to this bastion\n`);
  }
  if (v.already_seen_before !== undefined) {
    if (v.last_activity) out.info(`Last seen on ${c(bothDates(v.last_activity), 'magenta')} (${v.last_activity.ago} ago)`);
    else if (v.already_seen_before) out.info('This account has already been used at least once');
    else out.info(`This account has ${c('NEVER', 'red')} been used (yet)`);
  }
  const ci = v.creation_information;
  if (ci) {
    out.info(`Created on ${c(bothDates(ci), 'magenta')} (${formatDuration(nowSec - ci.timestamp)} ago)`);
    out.info(`Created by ${c(ci.by, 'magenta')}`);
    if (ci.bastion_version) out.info(`Created with Gatehouse ${c(`v${ci.bastion_version}`, 'magenta')}`);
    if (ci.comment) out.info(`Comment given at creation: ${c(ci.comment, 'magenta')}`);
  }
  const ssh = v.account_egress_ssh_config;
  if (ssh) {
    out.info('\nAccount egress SSH config:');
    if (ssh.type === 'default') out.info('- (default)');
    else for (const k of Object.keys(ssh.items).sort()) out.info(`- ${k} ${ssh.items[k]}`);
  }
  if (v.osh_only !== undefined) {
    out.info(`\nThis account can only run commands ("osh-only"): ${v.osh_only ? c('yes', 'red') : c('no', 'blue')}`);
  }
  if (v.mfa_password_required !== undefined) {
    out.info('\nAccount multi-factor authentication status (recorded only: MFA is not available on this bastion):');
    out.info(`- Additional password authentication is ${yes(v.mfa_password_required, 'required', 'not required')} for this account`);
    out.info(`- Additional password authentication bypass is ${yes(v.mfa_password_bypass, 'enabled', 'disabled')} for this account`);
    out.info(`- Additional TOTP authentication is ${yes(v.mfa_totp_required, 'required', 'not required')} for this account`);
    out.info(`- Additional TOTP authentication bypass is ${yes(v.mfa_totp_bypass, 'enabled', 'disabled')} for this account`);
    out.info(`- PAM authentication bypass is ${yes(v.pam_auth_bypass, 'enabled', 'disabled')}`);
    out.info(`- Optional public key authentication is ${yes(v.pubkey_auth_optional, 'enabled', 'disabled')}`);
    out.info(`- MFA policy on personal accesses (using personal keys) on egress side is: ${v.personal_egress_mfa_required}`);
  }
  if (v.idle_ignore !== undefined) {
    out.info(`\n- Account is immune to idle counter-measures: ${v.idle_ignore ? c('yes', 'green') : c('no', 'blue')}`);
  }
  if (v.max_inactive_days !== undefined) {
    const days = v.max_inactive_days === null ? '(default)' : v.max_inactive_days === '0' ? 'never' : v.max_inactive_days;
    out.info(`- Maximum number of days of inactivity before the account is disabled: ${days}`);
  }
  if (v.password) {
    out.info('Account password information (used for password MFA):');
    out.info('- No valid password is set');
    out.info(`- Password was last changed on ${String(v.password['date_changed'])}`);
    out.info('- Password will never expire');
  }
}

function bothDates(d: { datetime_utc: string; datetime_local: string }): string {
  return d.datetime_local && d.datetime_local !== d.datetime_utc ? `${d.datetime_utc} / ${d.datetime_local}` : d.datetime_utc;
}
