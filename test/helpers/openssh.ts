// The OpenSSH client options every scripted call needs, for the tests and the bench alike: no
// user configuration, no known_hosts to consult or fill, no agent, no prompt, only the key given
// with -i. Callers add their own options after these (OpenSSH keeps the first value it reads for
// an option, so these are only the ones nobody needs to override).
export const OPENSSH_BATCH_OPTIONS: readonly string[] = [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'BatchMode=yes',
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'IdentityAgent=none',
];
