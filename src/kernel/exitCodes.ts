// The Bastion's exit statuses (lib/perl/OVH/Bastion.pm, EXIT_* constants). Scripts test these
// numbers, so they are part of the API and never renumbered.
export const EXIT = {
  OK: 0,
  PLUGIN_ERROR: 100,
  ACCOUNT_INACTIVE: 101,
  HOST_NOT_FOUND: 102,
  READ_ONLY: 103,
  UNKNOWN_COMMAND: 104,
  EXEC_FAILED: 105,
  RESTRICTED_COMMAND: 106,
  ACCESS_DENIED: 107,
  CONFIGURATION_FAILURE: 110,
  GETOPTS_FAILED: 111,
  NO_HOST: 112,
  ACCOUNT_EXPIRED: 113,
  INTERACTIVE_DISABLED: 114,
  CONFLICTING_OPTIONS: 115,
  GOT_SIGNAL: 117,
  MAINTENANCE_MODE: 118,
  ACCOUNT_INVALID: 120,
  TTL_EXPIRED: 121,
  TTYREC_CMDLINE_FAILED: 126,
  INVALID_REMOTE_USER: 127,
  INVALID_REMOTE_HOST: 128,
  ACCOUNT_FROZEN: 131,
  DNS_DISABLED: 132,
  IP_VERSION_DISABLED: 133,
  INVALID_PORT: 134,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

// Not one of The Bastion's statuses, so not in EXIT (which the docs list as the bastion's): the
// status the OpenSSH client itself reports when a session ended without an exit-status, either
// because the target's command was killed by a signal or the target never said (ssh(1): "exits
// with 255 if an error occurred"). Egress answers it where OpenSSH would, so a script reads the
// same number through the bastion as it would connecting directly.
export const SSH_CLIENT_NO_STATUS = 255;
