// What bastion.conf may hold: The Bastion's key names, kinds, defaults and limits
// (lib/perl/OVH/Bastion/configuration.inc, load_configuration) for every key Gatehouse uses, plus
// Gatehouse's own keys for what sshd and the filesystem did for The Bastion. As in The Bastion,
// a present but invalid value falls back to the default with a warning; it never stops the server.

interface StringKey { kind: 'string'; default: string; valid: RegExp }
interface IntKey { kind: 'int'; default: number; min: number; max: number }
interface BoolKey { kind: 'bool'; default: boolean }
interface EnumKey { kind: 'enum'; default: string; valid: readonly string[] }
interface ListKey { kind: 'list'; default: readonly string[]; valid: RegExp }
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

  // Gatehouse's own keys (The Bastion left these to sshd and the filesystem layout).
  listen: { kind: 'list', default: ['127.0.0.1:2222'], valid: /^(\[[0-9a-fA-F:]+\]|[0-9.]+|[a-zA-Z0-9.-]+):[0-9]{1,5}$/ },
  dataDir: { kind: 'string', default: './data', valid: /^.+$/ },
  hostKeysDir: { kind: 'string', default: './hostkeys', valid: /^.+$/ },
  logLevel: { kind: 'enum', default: 'info', valid: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  loginGraceTimeSeconds: { kind: 'int', default: 30, min: 1, max: 3600 },
  maxAuthTries: { kind: 'int', default: 6, min: 1, max: 100 },
  stdinTimeoutSeconds: { kind: 'int', default: 60, min: 1, max: 3600 },
  shutdownDrainSeconds: { kind: 'int', default: 30, min: 0, max: 86400 },
  liveAccountCheckSeconds: { kind: 'int', default: 60, min: 1, max: 86400 },
} as const satisfies Record<string, KeySpec>;

type Schema = typeof CONFIG_SCHEMA;
type ValueOf<S> = S extends { kind: 'int' }
  ? number
  : S extends { kind: 'bool' }
    ? boolean
    : S extends { kind: 'list' }
      ? readonly string[]
      : string;

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
