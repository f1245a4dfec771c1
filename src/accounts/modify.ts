// accountModify's changes, one per option, with the per-item result The Bastion's
// osh-accountModify helper returns ({error_code, error_message, value} under the option name with
// underscores). Values are checked before anything is written; the writes of one call run in one
// transaction.
import type { Store } from '../store/store.js';
import { FLAG_ON, isFlagOn, PERSONAL_EGRESS_MFA, SESSION_MULTIPLEXING, SETTING, STRICT_HOST_KEY_CHECKING, type SettingKey } from '../policy/settings.js';

export type ItemCode = 'OK' | 'OK_NO_CHANGE';

export interface ItemResult {
  readonly error_code: ItemCode;
  readonly error_message: string;
  readonly value: null;
}

/** What one option changes and how it reports it, for people. */
export interface ItemOutcome {
  readonly code: ItemCode;
  readonly said: readonly string[];
}

export type ModifyOption =
  | 'pam-auth-bypass'
  | 'mfa-password-required'
  | 'mfa-totp-required'
  | 'egress-strict-host-key-checking'
  | 'egress-session-multiplexing'
  | 'personal-egress-mfa-required'
  | 'always-active'
  | 'idle-ignore'
  | 'max-inactive-days'
  | 'osh-only'
  | 'pubkey-auth-optional';

const YES_NO = ['yes', 'no'] as const;
const YES_NO_BYPASS = ['yes', 'no', 'bypass'] as const;

/** The values each option accepts, for the check done before any write. */
export const ALLOWED_VALUES: Readonly<Record<Exclude<ModifyOption, 'max-inactive-days'>, readonly string[]>> = {
  'pam-auth-bypass': YES_NO,
  'mfa-password-required': YES_NO_BYPASS,
  'mfa-totp-required': YES_NO_BYPASS,
  'egress-strict-host-key-checking': STRICT_HOST_KEY_CHECKING,
  'egress-session-multiplexing': SESSION_MULTIPLEXING,
  'personal-egress-mfa-required': PERSONAL_EGRESS_MFA,
  'always-active': YES_NO,
  'idle-ignore': YES_NO,
  'osh-only': YES_NO,
  'pubkey-auth-optional': YES_NO,
};

export function itemResult(code: ItemCode): ItemResult {
  return { error_code: code, error_message: code, value: null };
}

type Settings = ReadonlyMap<string, string>;

function setFlag(store: Store, id: number, settings: Settings, key: SettingKey, on: boolean, label: string): ItemOutcome {
  const was = isFlagOn(settings, key);
  if (was === on) return { code: 'OK_NO_CHANGE', said: [on ? `This account already is ${label}, no change was required` : `This account isn't ${label}, no change was required`] };
  if (on) store.accounts.setSetting(id, key, FLAG_ON);
  else store.accounts.deleteSetting(id, key);
  return { code: 'OK', said: [on ? `Done, this account is now ${label}` : `Done, this account is no longer ${label}`] };
}

function setValue(store: Store, id: number, key: SettingKey, value: string | null, label: string): ItemOutcome {
  if (value === null) store.accounts.deleteSetting(id, key);
  else store.accounts.setSetting(id, key, value);
  return { code: 'OK', said: [`Done, ${label} ${value === null ? 'is back to the default' : `is now ${value}`}`] };
}

/** The Bastion's _mfa_toggle: 'bypass' and 'required' exclude each other. */
function mfaToggle(store: Store, id: number, settings: Settings, value: string, required: SettingKey, bypass: SettingKey, what: string): ItemOutcome {
  let changed = false;
  const other = value === 'bypass' ? required : bypass;
  if (isFlagOn(settings, other)) {
    store.accounts.deleteSetting(id, other);
    changed = true;
  }
  const target = value === 'bypass' ? bypass : required;
  const on = value !== 'no';
  if (isFlagOn(settings, target) === on) {
    return { code: changed ? 'OK' : 'OK_NO_CHANGE', said: [changed ? `Done, the ${what} setting of this account changed` : 'No change was required'] };
  }
  if (on) store.accounts.setSetting(id, target, FLAG_ON);
  else store.accounts.deleteSetting(id, target);
  const said =
    value === 'yes'
      ? `Done, ${what} is now required for this account`
      : value === 'no'
        ? `Done, ${what} is no longer required for this account`
        : `Done, ${what} will never be asked to this account`;
  return { code: 'OK', said: [said] };
}

/**
 * Applies one option; `value` was checked against ALLOWED_VALUES (or is an integer >= -1 for
 * max-inactive-days). `settings` are the account's as read once for the whole call: no two
 * options touch the same key, so one option's write never changes what another one reads.
 */
export function applyModification(store: Store, accountId: number, settings: Settings, option: ModifyOption, value: string): ItemOutcome {
  switch (option) {
    case 'always-active':
      return setFlag(store, accountId, settings, SETTING.alwaysActive, value === 'yes', 'always-active');
    case 'idle-ignore':
      return setFlag(store, accountId, settings, SETTING.idleIgnore, value === 'yes', 'immune to idle counter-measures');
    case 'osh-only':
      return setFlag(store, accountId, settings, SETTING.oshOnly, value === 'yes', 'osh-only');
    case 'pam-auth-bypass':
      return setFlag(store, accountId, settings, SETTING.pamAuthBypass, value === 'yes', 'bypassing PAM authentication');
    case 'pubkey-auth-optional':
      return setFlag(store, accountId, settings, SETTING.pubkeyAuthOptional, value === 'yes', 'allowed to skip public key authentication');
    case 'mfa-password-required':
      return mfaToggle(store, accountId, settings, value, SETTING.mfaPasswordRequired, SETTING.mfaPasswordBypass, 'password MFA');
    case 'mfa-totp-required':
      return mfaToggle(store, accountId, settings, value, SETTING.mfaTotpRequired, SETTING.mfaTotpBypass, 'TOTP MFA');
    case 'egress-strict-host-key-checking':
      return setValue(store, accountId, SETTING.egressStrictHostKeyChecking, value === 'default' ? null : value, 'the egress StrictHostKeyChecking policy');
    case 'egress-session-multiplexing':
      return setValue(store, accountId, SETTING.egressSessionMultiplexing, value === 'default' ? null : value, 'the egress session multiplexing policy');
    case 'personal-egress-mfa-required':
      return setValue(store, accountId, SETTING.personalEgressMfaRequired, value, 'the MFA policy of personal egress accesses');
    case 'max-inactive-days':
      return setValue(store, accountId, SETTING.maxInactiveDays, Number(value) < 0 ? null : String(Number(value)), 'the maximum number of inactive days');
  }
}
