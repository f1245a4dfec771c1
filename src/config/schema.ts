// What bastion.conf may hold: The Bastion's key names, kinds, defaults and limits
// (lib/perl/OVH/Bastion/configuration.inc, load_configuration) for every key Gatehouse uses, plus
// Gatehouse's own keys for what sshd and the filesystem did for The Bastion. As in The Bastion,
// a present but invalid value falls back to the default with a warning; it never stops the server.

interface StringKey {
  kind: 'string';
  default: string;
  valid: RegExp;
}
interface IntKey {
  kind: 'int';
  default: number;
  min: number;
  max: number;
}
interface BoolKey {
  kind: 'bool';
  default: boolean;
}
interface EnumKey {
  kind: 'enum';
  default: string;
  valid: readonly string[];
}
interface ListKey {
  kind: 'list';
  default: readonly string[];
  valid: RegExp;
}
export type KeySpec = StringKey | IntKey | BoolKey | EnumKey | ListKey;

const NETWORK = /^[0-9a-fA-F.:%/]+$/;
const ACCOUNT_LIST = /^.*$/;

export const CONFIG_SCHEMA = {
  bastionName: { kind: 'string', default: 'fix-my-config-please-missing-bastion-name', valid: /^[a-zA-Z0-9_.-]+$/ },
  bastionCommand: { kind: 'string', default: 'ssh ACCOUNT@HOSTNAME -t -- ', valid: /^.+$/ },
  accountExpiredMessage: { kind: 'string', default: '', valid: /^.*$/ },
  fanciness: { kind: 'enum', default: 'full', valid: ['none', 'boomer', 'basic', 'millenial', 'full', 'genz'] },
  minimumIngressRsaKeySize: { kind: 'int', default: 2048, min: 1024, max: 16384 },
  maximumIngressRsaKeySize: { kind: 'int', default: 8192, min: 1024, max: 32768 },
  minimumEgressRsaKeySize: { kind: 'int', default: 2048, min: 1024, max: 16384 },
  maximumEgressRsaKeySize: { kind: 'int', default: 8192, min: 1024, max: 32768 },
  accountMaxInactiveDays: { kind: 'int', default: 0, min: 0, max: 365 * 5 },
  accountUidMin: { kind: 'int', default: 2000, min: 100, max: 999_999_999 },
  accountUidMax: { kind: 'int', default: 99999, min: 100, max: 999_999_999 },
  idleLockTimeout: { kind: 'int', default: 0, min: 0, max: 86400 * 365 },
  idleKillTimeout: { kind: 'int', default: 0, min: 0, max: 86400 * 365 },
  interactiveModeAllowed: { kind: 'bool', default: false },
  readOnlySlaveMode: { kind: 'bool', default: false },
  ingressKeysFromAllowOverride: { kind: 'bool', default: false },
  moshAllowed: { kind: 'bool', default: false },
  defaultAccountEgressKeyAlgorithm: { kind: 'enum', default: 'ecdsa', valid: ['rsa', 'ecdsa', 'ed25519'] },
  defaultAccountEgressKeySize: { kind: 'int', default: 0, min: 0, max: 32768 },
  accountMFAPolicy: {
    kind: 'enum',
    default: 'enabled',
    valid: ['disabled', 'enabled', 'password-required', 'totp-required', 'any-required'],
  },
  allowedIngressSshAlgorithms: {
    kind: 'list',
    default: ['rsa', 'ecdsa', 'ed25519'],
    valid: /^(rsa|ecdsa|ed25519|ecdsa-sk|ed25519-sk)$/,
  },
  allowedEgressSshAlgorithms: { kind: 'list', default: ['rsa', 'ecdsa', 'ed25519'], valid: /^(rsa|ecdsa|ed25519)$/ },
  alwaysActiveAccounts: { kind: 'list', default: [], valid: ACCOUNT_LIST },
  superOwnerAccounts: { kind: 'list', default: [], valid: ACCOUNT_LIST },
  adminAccounts: { kind: 'list', default: [], valid: ACCOUNT_LIST },
  ingressKeysFrom: { kind: 'list', default: [], valid: NETWORK },
  egressKeysFrom: { kind: 'list', default: [], valid: NETWORK },
  allowedNetworks: { kind: 'list', default: [], valid: NETWORK },
  forbiddenNetworks: { kind: 'list', default: [], valid: NETWORK },
  dnsSupportLevel: { kind: 'int', default: 2, min: 0, max: 2 },
  IPv4Allowed: { kind: 'bool', default: true },
  IPv6Allowed: { kind: 'bool', default: false },
  dnsResolveTimeoutSeconds: { kind: 'int', default: 5, min: 1, max: 60 },
  dnsMaxConcurrentLookups: { kind: 'int', default: 3, min: 1, max: 256 },
  dnsServers: { kind: 'list', default: [], valid: /^((\d{1,3}\.){3}\d{1,3}(:\d{1,5})?|[0-9a-fA-F]*:[0-9a-fA-F:]*|\[[0-9a-fA-F]*:[0-9a-fA-F:]*\](:\d{1,5})?)$/ },

  // Gatehouse's own keys (The Bastion left these to sshd and the filesystem layout).
  listen: { kind: 'list', default: ['127.0.0.1:2222'], valid: /^(\[[0-9a-fA-F:]+\]|[0-9.]+|[a-zA-Z0-9.-]+):[0-9]{1,5}$/ },
  dataDir: { kind: 'string', default: './data', valid: /^.+$/ },
  hostKeysDir: { kind: 'string', default: './hostkeys', valid: /^.+$/ },
  logLevel: { kind: 'enum', default: 'info', valid: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  loginGraceTimeSeconds: { kind: 'int', default: 30, min: 1, max: 3600 },
  maxAuthTries: { kind: 'int', default: 6, min: 1, max: 100 },
  maxSessions: { kind: 'int', default: 10, min: 1, max: 1000 },
  maxConnectionsPerAccount: { kind: 'int', default: 100, min: 1, max: 100_000 },
  maxCallsPerAccount: { kind: 'int', default: 64, min: 1, max: 100_000 },
  // Pre-authentication limits, after sshd's MaxStartups, PerSourceMaxStartups, PerSourcePenalties
  // and PerSourcePenaltyExemptList (see src/ssh/preauthLimits.ts). MaxStartups is The Bastion's
  // own sshd_config value; loopback is exempt from penalties so the host itself is never locked out.
  maxStartups: { kind: 'string', default: '100:30:500', valid: /^[0-9]{1,6}(:[0-9]{1,3}:[0-9]{1,6})?$/ },
  perSourceMaxStartups: { kind: 'int', default: 30, min: 0, max: 1_000_000 },
  perSourcePenaltyAuthFailSeconds: { kind: 'int', default: 5, min: 0, max: 86400 },
  perSourcePenaltyNoAuthSeconds: { kind: 'int', default: 1, min: 0, max: 86400 },
  perSourcePenaltyGraceExceededSeconds: { kind: 'int', default: 10, min: 0, max: 86400 },
  perSourcePenaltyMinSeconds: { kind: 'int', default: 15, min: 0, max: 86400 },
  perSourcePenaltyMaxSeconds: { kind: 'int', default: 600, min: 1, max: 86400 },
  perSourcePenaltyMaxSources: { kind: 'int', default: 65536, min: 1, max: 1_000_000 },
  perSourcePenaltyExemptList: { kind: 'list', default: ['127.0.0.1', '::1'], valid: NETWORK },
  // What a client may set with env requests (SetEnv/SendEnv): LANG and LC_* but LC_BASTION*.
  maxClientEnvVariables: { kind: 'int', default: 16, min: 0, max: 256 },
  maxClientEnvValueBytes: { kind: 'int', default: 256, min: 1, max: 4096 },
  stdinTimeoutSeconds: { kind: 'int', default: 60, min: 1, max: 3600 },
  stdinMaxLineBytes: { kind: 'int', default: 65536, min: 1024, max: 16 * 1024 * 1024 },
  stdinMaxBytes: { kind: 'int', default: 16 * 1024 * 1024, min: 1024, max: 256 * 1024 * 1024 },
  batchMaxCommands: { kind: 'int', default: 1000, min: 1, max: 1_000_000 },
  auditArgsMaxWords: { kind: 'int', default: 64, min: 8, max: 4096 },
  auditArgMaxWordBytes: { kind: 'int', default: 3072, min: 256, max: 65536 },
  auditArgsMaxBytes: { kind: 'int', default: 8192, min: 1024, max: 1024 * 1024 },
  shutdownDrainSeconds: { kind: 'int', default: 30, min: 0, max: 86400 },
  liveAccountCheckSeconds: { kind: 'int', default: 60, min: 1, max: 86400 },
  // clush: hosts in flight per call, and the output kept per host and per call (see plugins/open/clush.ts).
  clushDefaultParallel: { kind: 'int', default: 8, min: 1, max: 1000 },
  clushMaxParallel: { kind: 'int', default: 128, min: 1, max: 1000 },
  clushMaxOutputBytes: { kind: 'int', default: 1024 * 1024, min: 1024, max: 256 * 1024 * 1024 },
  clushMaxTotalOutputBytes: { kind: 'int', default: 64 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 },
} as const satisfies Record<string, KeySpec>;

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<S> = S extends { kind: 'int' } ? number : S extends { kind: 'bool' } ? boolean : S extends { kind: 'list' } ? readonly string[] : string;

export type BastionConfig = { readonly [K in keyof Schema]: ValueOf<Schema[K]> };

// Old key names The Bastion still reads (configuration.inc, %new2old).
export const DEPRECATED_NAMES: Readonly<Record<string, string>> = {
  accountCreateDefaultPersonalAccesses: 'accountCreateDefaultPrivateAccesses',
  adminAccounts: 'adminLogins',
  allowedIngressSshAlgorithms: 'allowedSshAlgorithms',
  allowedEgressSshAlgorithms: 'allowedSshAlgorithms',
  bastionCommand: 'cacheCommand',
  bastionName: 'cacheName',
  ingressKeysFrom: 'ipWhiteList',
  ingressKeysFromAllowOverride: 'ipWhiteListAllowOverride',
  minimumIngressRsaKeySize: 'minimumRsaKeySize',
  minimumEgressRsaKeySize: 'minimumRsaKeySize',
  egressKeysFrom: 'personalKeyFrom',
};
