// The one registry of result codes. A plugin can only return a code listed here (the type
// checker enforces it), and docs/json-api.md lists them all (a test compares the two).
// Names are The Bastion's wherever it has one, so scripts matching on them keep working.
export const ERROR_CODES = {
  OK: 'Success.',
  OK_NO_CHANGE: 'Nothing to do: the state asked for was already there.',
  OK_PARTIAL: 'Part of the request succeeded; the value says which part.',
  OK_NOT_EXPIRED: 'accountUnexpire: the account was not expired; its last activity was reset to now anyway.',
  OK_EXPIRATION_NOT_CONFIGURED: 'accountUnexpire: no inactivity expiration applies; its last activity was reset to now anyway.',

  KO_NO_HOST: 'No --osh command and no host to connect to.',
  KO_UNKNOWN_COMMAND: 'No plugin of that name.',
  KO_RESTRICTED_COMMAND: 'The caller may not run that plugin (category refused before parsing).',
  KO_GETOPTS_FAILED: 'The bastion options could not be parsed.',
  KO_HELP: 'Help was printed (bastion --help).',
  KO_INVALID_PORT: 'A port outside 1-65535.',
  KO_INVALID_REMOTE_USER: 'A remote user name that is not valid.',
  KO_INVALID_REMOTE_HOST: 'A remote host that is not valid.',
  KO_CONFLICTING_OPTIONS: 'Two options that exclude each other.',
  KO_ACCESS_DENIED: 'No access list allows that connection.',
  KO_TTL_EXPIRED: 'Refused: the account reached the end of its TTL (exit 121).',
  KO_ACCOUNT_FROZEN: 'Refused: the account is frozen (exit 131).',
  KO_ACCOUNT_EXPIRED: 'Refused: the account expired for inactivity (exit 113).',
  KO_INTERACTIVE_DISABLED: 'Interactive mode is not available.',

  KO_MISSING_PARAMETER: 'A required option is missing.',
  KO_INVALID_PARAMETER: 'An option value is not valid.',
  KO_ALREADY_EXISTING: 'The thing to create exists already.',
  KO_NO_FREE_UID: 'No uid is free in accountUidMin..accountUidMax.',
  KO_UID_TAKEN: 'The uid asked for belongs to another account.',
  KO_NOT_FOUND: 'The thing named does not exist.',
  KO_ACCOUNT_NOT_FOUND: 'No account of that name.',
  KO_REALM_FORBIDDEN: "A realm account name (with '/') where a local account is expected.",
  KO_FORBIDDEN_PREFIX: 'The name starts with a reserved prefix or character.',
  KO_FORBIDDEN_SUFFIX: 'The name ends with a reserved suffix.',
  KO_FORBIDDEN_NAME: 'The name is reserved.',
  KO_FORBIDDEN_CHARS: 'The name contains characters outside [a-zA-Z0-9._-].',
  KO_TOO_SMALL: 'The name is too short.',
  KO_TOO_LONG: 'The name is too long.',
  KO_NOT_A_KEY: 'The text given is not an SSH public key line.',
  KO_PRIVATE_KEY: 'A private key was given where a public key was expected (it was not stored).',
  KO_FORBIDDEN_ALGORITHM: 'The key algorithm is not allowed by this bastion.',
  KO_KEY_SIZE_TOO_SMALL: 'The RSA key is shorter than the configured minimum.',
  KO_KEY_SIZE_TOO_BIG: 'The RSA key is longer than the configured maximum.',
  KO_NOT_SUPPORTED: 'The algorithm is not supported, or disabled, for that use on this bastion.',
  KO_KEY_SIZE_INVALID: 'The key size is not valid for the algorithm.',
  KO_DUPLICATE_KEY: 'That key is already an ingress key of the account.',
  KO_NO_CONFIRMATION: 'A destructive plugin did not get its confirmation sentence.',
  KO_CANCELLED: 'The confirmation sentence did not match: nothing was done.',
  KO_PERMISSION_DENIED: 'The caller may not do this to that target.',
  KO_IMMUTABLE_KEY: 'The account was created with --immutable-key: its ingress keys can not be changed by itself.',
  KO_PIV_NOT_AVAILABLE: 'PIV hardware-key attestation is not available on this bastion.',

  ERR_BAD_OPTIONS: 'The plugin options are unknown, missing or malformed.',
  ERR_MISSING_PARAMETER: 'A required option is missing.',
  ERR_INVALID_PARAMETER: 'An option value is not valid.',
  ERR_INTERNAL: 'An unexpected fault; details are in the server log, never in the answer.',
  ERR_NOT_IMPLEMENTED: 'That feature is not available on Gatehouse.',
  ERR_SECURITY_VIOLATION: 'Refused for security reasons (e.g. a non-admin acting on an admin, or granting the grant commands).',
  ERR_INCOMPATIBLE_PARAMETERS: 'Two options that can not be used together.',
  ERR_NO_KEY: 'The account has no valid ingress key to act on.',
  ERR_ONLY_ONE_KEY: 'Refused: that is the only valid ingress key of the account.',
  ERR_NO_MATCH: 'No ingress key of the account has that fingerprint.',
  ERR_INVALID_ID: 'No ingress key of the account has that id.',
} as const;

export type ResultCodeName = keyof typeof ERROR_CODES;

export function isRegisteredCode(code: string): code is ResultCodeName {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
