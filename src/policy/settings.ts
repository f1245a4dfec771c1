// The per-account settings (The Bastion's account_config keys and the unix groups it uses as
// flags), named once. They live in account_settings as strings; a flag is on when its value is
// 'yes' (The Bastion's spelling; '1' is read as on too).
export const SETTING = {
  /** Not checked against an external activation program (none exists here: see accountState). */
  alwaysActive: 'always_active',
  /** May only run --osh plugins, never connect to a host. */
  oshOnly: 'osh_only',
  /** Immune to idleLockTimeout / idleKillTimeout. */
  idleIgnore: 'idle_ignore',
  /** Days of inactivity before the account expires, overriding accountMaxInactiveDays; '0' = never. */
  maxInactiveDays: 'max_inactive_days',
  /** The account's own ingress keys can't be changed by the self* key plugins. */
  immutableKey: 'immutable_key',
  /** none | password | totp | any (recorded; MFA is not available on Gatehouse). */
  personalEgressMfaRequired: 'personal_egress_mfa_required',
  mfaPasswordRequired: 'mfa_password_required',
  mfaPasswordBypass: 'mfa_password_bypass',
  mfaTotpRequired: 'mfa_totp_required',
  mfaTotpBypass: 'mfa_totp_bypass',
  pamAuthBypass: 'pam_auth_bypass',
  pubkeyAuthOptional: 'pubkey_auth_optional',
  /** yes | accept-new | no | ask | bypass; absent = the bastion's default. */
  egressStrictHostKeyChecking: 'egress_strict_host_key_checking',
  /** yes | no; absent = the bastion's default. */
  egressSessionMultiplexing: 'egress_session_multiplexing',
  /** The Gatehouse version that created the account (accountInfo's creation_information). */
  creationBastionVersion: 'creation_bastion_version',
} as const;

export type SettingKey = (typeof SETTING)[keyof typeof SETTING];

export const FLAG_ON = 'yes';

export function isFlagOn(settings: ReadonlyMap<string, string>, key: SettingKey): boolean {
  const v = settings.get(key);
  return v !== undefined && v !== '' && v !== '0' && v !== 'no';
}

export const STRICT_HOST_KEY_CHECKING = ['yes', 'accept-new', 'no', 'ask', 'default', 'bypass'] as const;
export const SESSION_MULTIPLEXING = ['yes', 'no', 'default'] as const;
export const PERSONAL_EGRESS_MFA = ['password', 'totp', 'any', 'none'] as const;

export type EgressSshConfig = { type: 'default' } | { type: 'custom'; items: Record<string, string> };

/**
 * The egress ssh_config overrides an account's settings amount to, keyed by lower-cased
 * ssh_config option as The Bastion's accountInfo shows them (account_egress_ssh_config).
 */
export function egressSshConfig(settings: ReadonlyMap<string, string>): EgressSshConfig {
  const items: Record<string, string> = {};
  const shkc = settings.get(SETTING.egressStrictHostKeyChecking);
  if (shkc === 'bypass') {
    items['stricthostkeychecking'] = 'no';
    items['userknownhostsfile'] = '/dev/null';
  } else if (shkc !== undefined) {
    items['stricthostkeychecking'] = shkc;
  }
  const mux = settings.get(SETTING.egressSessionMultiplexing);
  if (mux === 'yes') {
    items['controlmaster'] = 'auto';
    items['controlpath'] = '~/tmp/ssh_egress_%C';
  } else if (mux === 'no') {
    items['controlmaster'] = 'no';
    items['controlpath'] = 'none';
  }
  return Object.keys(items).length === 0 ? { type: 'default' } : { type: 'custom', items };
}
