// What accountInfo and accountList report about an account, built from the store with the same
// state functions the login check uses (src/access/accountState.ts). Field names, types and
// null-vs-missing follow the values The Bastion returns (see bastion-reference/transcript.jsonl).
import { activityStatus, alwaysActiveStatus, ttlStatus } from '../policy/accountState.js';
import { rolesOf } from '../policy/roles.js';
import type { BastionConfig } from '../config/schema.js';
import type { PluginListing } from '../osh/context.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import { durationToHuman, formatDateLocal, formatDateUtc, formatDay } from '../kernel/duration.js';
import { restrictedPluginNames } from './grants.js';
import { egressSshConfig, isFlagOn, SETTING, type EgressSshConfig } from '../policy/settings.js';

/** The restricted plugins an account may run: every one for an admin, else those it was granted. */
export function allowedCommands(store: Store, config: BastionConfig, account: AccountRow, plugins: ReadonlyMap<string, PluginListing>): string[] {
  const restricted = restrictedPluginNames(plugins);
  const names = config.adminAccounts.includes(account.name) ? [...restricted] : store.grants.list(account.id).filter((c) => restricted.has(c));
  return names.sort();
}

export interface FreezeInfo {
  by: string | null;
  timestamp: number | null;
  reason: string | null;
  session: null;
}

export function freezeInfo(row: AccountRow): FreezeInfo | null {
  if (row.frozen_at === null) return null;
  return { by: row.frozen_by, timestamp: row.frozen_at, reason: row.frozen_reason, session: null };
}

/**
 * The Bastion's osh-accountGetPasswordInfo for an account whose unix password is locked, which is
 * what every Gatehouse account is: there is no password factor here.
 */
export function lockedPasswordInfo(row: AccountRow): Record<string, string | number | null> {
  const changedTs = Math.floor(row.created_at / 86400) * 86400;
  return {
    user: row.name,
    password: 'locked',
    date_changed: formatDay(changedTs),
    date_changed_timestamp: changedTs,
    min_days: 0,
    max_days: -1,
    warn_days: 7,
    inactive_days: -1,
    date_disabled: null,
    date_disabled_timestamp: 0,
  };
}

export interface MfaFlags {
  mfa_password_required: 0 | 1;
  mfa_password_bypass: 0 | 1;
  mfa_password_configured: 0;
  mfa_totp_required: 0 | 1;
  mfa_totp_bypass: 0 | 1;
  mfa_totp_configured: 0;
  pam_auth_bypass: 0 | 1;
  pubkey_auth_optional: 0 | 1;
}

/** The multi-factor flags as accountInfo/accountList show them (recorded, never enforced here). */
export function mfaFlags(settings: ReadonlyMap<string, string>): MfaFlags {
  const on = (k: Parameters<typeof isFlagOn>[1]): 0 | 1 => (isFlagOn(settings, k) ? 1 : 0);
  return {
    mfa_password_required: on(SETTING.mfaPasswordRequired),
    mfa_password_bypass: on(SETTING.mfaPasswordBypass),
    mfa_password_configured: 0,
    mfa_totp_required: on(SETTING.mfaTotpRequired),
    mfa_totp_bypass: on(SETTING.mfaTotpBypass),
    mfa_totp_configured: 0,
    pam_auth_bypass: on(SETTING.pamAuthBypass),
    pubkey_auth_optional: on(SETTING.pubkeyAuthOptional),
  };
}

export interface InfoOptions {
  /** The caller is an auditor: the full value, else only the basic fields. */
  readonly auditorView: boolean;
  readonly withPasswordInfo: boolean;
  readonly nowSec: number;
}

export interface BasicInfo {
  account: string;
  is_admin?: 1;
  is_superowner?: 1;
  is_auditor?: 1;
  allowed_commands: string[];
  groups: Record<string, { name: string; flags: string[] }>;
  /** Present only when set, as in The Bastion (which never shows `always_active: 0`). */
  always_active?: 1;
  always_active_reason?: string;
  is_active: 0 | 1;
}

export interface AuditInfo {
  is_ttl_set: 0 | 1;
  is_ttl_expired: 0 | 1;
  ttl_timestamp: number | null;
  is_frozen: 0 | 1;
  freeze_info?: FreezeInfo;
  is_expired: 0 | 1;
  can_connect: 0 | 1;
  already_seen_before: 0 | 1;
  last_activity?: { datetime_local: string; datetime_utc: string; ago: string; timestamp: number };
  creation_information: {
    by: string;
    bastion_version: string | null;
    datetime_utc: string;
    datetime_local: string;
    timestamp: number;
    comment: string | null;
  };
  account_egress_ssh_config: EgressSshConfig;
  ingress_piv_enforced: 0;
  ingress_piv_policy: null;
  ingress_piv_grace: { enabled: 0 };
  global_ingress_policy: 0;
  effective_ingress_piv_policy: 0;
  personal_egress_mfa_required: string;
  idle_ignore: 0 | 1;
  /** A string, as The Bastion reads it from its account configuration file. */
  max_inactive_days: string | null;
  osh_only: 0 | 1;
  password?: Record<string, string | number | null>;
}

export type AccountInfo = BasicInfo & Partial<AuditInfo> & Partial<MfaFlags>;

const bit = (b: boolean): 0 | 1 => (b ? 1 : 0);

/** accountInfo's value for one account, whose settings the caller read (one query for --all). */
export function accountInfoValue(
  store: Store,
  config: BastionConfig,
  plugins: ReadonlyMap<string, PluginListing>,
  row: AccountRow,
  settings: ReadonlyMap<string, string>,
  o: InfoOptions,
): AccountInfo {
  const roles = rolesOf(store, config, row);
  const always = alwaysActiveStatus(row, settings, config);
  const basic: BasicInfo = {
    account: row.name,
    ...(roles.isAdmin ? { is_admin: 1 as const } : {}),
    ...(roles.isSuperOwner ? { is_superowner: 1 as const } : {}),
    ...(roles.isAuditor ? { is_auditor: 1 as const } : {}),
    allowed_commands: allowedCommands(store, config, row, plugins),
    // Filled by accountInfo itself with --list-groups (accountGroupFlags).
    groups: {},
    ...(always.on ? { always_active: 1 as const } : {}),
    ...(always.reason ? { always_active_reason: always.reason } : {}),
    // No external activation program exists on Gatehouse: every account is active.
    is_active: 1,
  };
  if (!o.auditorView) return basic;

  const ttl = ttlStatus(row, o.nowSec);
  const frozen = freezeInfo(row);
  const activity = activityStatus(row, settings, config, o.nowSec);
  const h = durationToHuman(activity.idleSeconds, o.nowSec, 'past');
  const audit: AuditInfo = {
    is_ttl_set: bit(ttl.set),
    is_ttl_expired: bit(ttl.expired),
    ttl_timestamp: ttl.expiresAt,
    is_frozen: bit(frozen !== null),
    ...(frozen ? { freeze_info: frozen } : {}),
    is_expired: bit(activity.expired),
    can_connect: bit(!ttl.expired && frozen === null && !activity.expired),
    already_seen_before: bit(activity.alreadySeen),
    ...(activity.alreadySeen ? { last_activity: { datetime_local: h.datetime_local, datetime_utc: h.datetime_utc, ago: h.duration, timestamp: activity.since } } : {}),
    creation_information: {
      by: row.created_by,
      bastion_version: settings.get(SETTING.creationBastionVersion) ?? null,
      datetime_utc: formatDateUtc(row.created_at),
      datetime_local: formatDateLocal(row.created_at),
      timestamp: row.created_at,
      comment: row.comment,
    },
    account_egress_ssh_config: egressSshConfig(settings),
    // PIV-enforced ingress keys don't exist on Gatehouse: the fields keep their "off" values.
    ingress_piv_enforced: 0,
    ingress_piv_policy: null,
    ingress_piv_grace: { enabled: 0 },
    global_ingress_policy: 0,
    effective_ingress_piv_policy: 0,
    personal_egress_mfa_required: settings.get(SETTING.personalEgressMfaRequired) || 'none',
    idle_ignore: bit(isFlagOn(settings, SETTING.idleIgnore)),
    max_inactive_days: settings.get(SETTING.maxInactiveDays) ?? null,
    osh_only: bit(isFlagOn(settings, SETTING.oshOnly)),
    ...(o.withPasswordInfo ? { password: lockedPasswordInfo(row) } : {}),
  };
  return { ...basic, ...audit, ...mfaFlags(settings) };
}
