// The words the generated reference sections need that the registries don't hold: what each exit
// status and each bastion.conf key means. A test fails when a registry gains an entry with no
// words here, so the docs can't silently fall behind the code.

/** By the name used in src/kernel/exitCodes.ts. */
export const EXIT_MEANINGS: Readonly<Record<string, string>> = {
  OK: 'Success: the plugin answered an `OK…` code, or the remote command exited 0.',
  PLUGIN_ERROR: 'The plugin ran and answered a `KO_*` or `ERR_*` code (the envelope says which).',
  ACCOUNT_INACTIVE: 'The account is marked inactive.',
  HOST_NOT_FOUND: 'The target host name could not be resolved, or got no answer within `dnsResolveTimeoutSeconds` (`KO_HOST_NOT_FOUND`).',
  READ_ONLY: 'The bastion is a read-only replica (`readOnlySlaveMode`): modifications are refused.',
  UNKNOWN_COMMAND: 'No plugin of that name (`KO_UNKNOWN_COMMAND`).',
  EXEC_FAILED: 'The connection to the target failed after access was granted (`KO_CONNECTION_*`, `KO_HOSTKEY_*`, `KO_PERMISSION_DENIED`).',
  RESTRICTED_COMMAND:
    "The plugin exists but its category refuses the caller (`KO_RESTRICTED_COMMAND`), or a command-restricted account asked a server for a command its allow-list does not allow (`KO_COMMAND_NOT_ALLOWED`; in a clush value, that host's sysret).",
  ACCESS_DENIED: 'No access list allows the connection asked for (`KO_ACCESS_DENIED`).',
  CONFIGURATION_FAILURE: 'The bastion configuration is not usable: `gatehouse serve` exits with it when bastion.conf asks for a security setting Gatehouse does not implement.',
  GETOPTS_FAILED:
    'The bastion options or the command line could not be parsed (`KO_GETOPTS_FAILED`), or an option Gatehouse does not implement was given (`ERR_UNSUPPORTED_OPTION`).',
  NO_HOST: 'Neither `--osh` nor a host: nothing to do (`KO_NO_HOST`, usage printed).',
  ACCOUNT_EXPIRED: 'The account expired for inactivity, `accountMaxInactiveDays` (`KO_ACCOUNT_EXPIRED`).',
  INTERACTIVE_DISABLED: 'Interactive mode was asked for and is disabled (`interactiveModeAllowed`).',
  CONFLICTING_OPTIONS: 'Two options that exclude each other (`KO_TTY_NOTTY`), or `--kbd-interactive` (`KO_KBD_INTERACTIVE_DENIED`).',
  GOT_SIGNAL: 'The session was ended by a signal, or for idleness (`KO_IDLE_TIMEOUT`).',
  MAINTENANCE_MODE: 'The bastion is in maintenance mode and refuses logins.',
  ACCOUNT_INVALID: 'The account is not valid for this bastion.',
  TTL_EXPIRED: 'The account reached the end of its TTL (`KO_TTL_EXPIRED`).',
  TTYREC_CMDLINE_FAILED: 'The session could not be recorded, so it was not opened (`KO_TTYREC_FAILED`).',
  INVALID_REMOTE_USER: 'The remote user name is not valid (`KO_INVALID_REMOTE_USER`).',
  INVALID_REMOTE_HOST: 'The remote host is not valid, or is a subnet (`KO_INVALID_REMOTE_HOST`).',
  ACCOUNT_FROZEN: 'The account is frozen (`KO_ACCOUNT_FROZEN`).',
  DNS_DISABLED: 'A host name was given and DNS resolution is disabled, `dnsSupportLevel` 0 (`KO_DNS_DISABLED`).',
  IP_VERSION_DISABLED: 'The target address is of a family `IPv4Allowed` / `IPv6Allowed` disables (`KO_IP_VERSION_DISABLED`).',
  INVALID_PORT: 'The port is outside 1–65535 (`KO_INVALID_PORT`).',
};

export interface KeyWords {
  /** `bastion` for The Bastion's keys (same name, same format), `gatehouse` for our own. */
  readonly origin: 'bastion' | 'gatehouse';
  readonly meaning: string;
}

/** By bastion.conf key, as in src/config/schema.ts. */
export const CONFIG_KEY_MEANINGS: Readonly<Record<string, KeyWords>> = {
  bastionName: {
    origin: 'bastion',
    meaning: 'The name of this bastion, shown by `info` (`bastion_name`), in the usage text and in the alias printed to users. Set it: the default is a reminder.',
  },
  bastionCommand: {
    origin: 'bastion',
    meaning:
      "The ssh command users run to reach this bastion, printed by `info` (`bastion_alias_command`). Tokens replaced per caller: `ACCOUNT` or `USER` (the account name), `BASTIONNAME` or `CACHENAME` (`bastionName`), `HOSTNAME` (the server's host name).",
  },
  accountExpiredMessage: {
    origin: 'bastion',
    meaning: 'When not empty, the message an account expired for inactivity gets instead of the standard one; `#DAYS#` is replaced by the days since it was last seen.',
  },
  fanciness: {
    origin: 'bastion',
    meaning:
      'How decorated the text for people is. `none`/`boomer`: ASCII only. `basic`/`millenial`: UTF-8 box drawing for the header and footer. `full`/`genz`: also UTF-8 marks on body lines. UTF-8 is only used when the client asked for a pty and sent a UTF-8 `LC_ALL`, `LC_CTYPE` or `LANG`; JSON frames are never decorated.',
  },
  minimumIngressRsaKeySize: {
    origin: 'bastion',
    meaning: 'Smallest RSA ingress key (bits) accepted when a key is added, and at login.',
  },
  maximumIngressRsaKeySize: {
    origin: 'bastion',
    meaning: 'Largest RSA ingress key (bits) accepted when a key is added, and at login.',
  },
  minimumEgressRsaKeySize: {
    origin: 'bastion',
    meaning: 'Smallest RSA size (bits) for egress keys the bastion generates.',
  },
  maximumEgressRsaKeySize: {
    origin: 'bastion',
    meaning: 'Largest RSA size (bits) for egress keys the bastion generates.',
  },
  accountMaxInactiveDays: {
    origin: 'bastion',
    meaning:
      'When above 0, an account not seen for that many days is refused with `KO_ACCOUNT_EXPIRED` (exit 113), unless it is always active. An account may carry its own limit. 0 disables the check.',
  },
  accountUidMin: {
    origin: 'bastion',
    meaning: "Lowest uid given to a new account. Gatehouse has no unix accounts; uids are kept because The Bastion's API shows and accepts them (`accountCreate --uid`).",
  },
  accountUidMax: {
    origin: 'bastion',
    meaning: 'Highest uid given to a new account (`ERR_UID_COLLISION` when no uid in the range is free).',
  },
  idleLockTimeout: {
    origin: 'bastion',
    meaning: 'Seconds of input idleness after which an interactive session is locked; 0 disables. Shown by `info` (`idle_lock_timeout`).',
  },
  idleKillTimeout: {
    origin: 'bastion',
    meaning: 'Seconds of input idleness after which a session is ended; 0 disables. Shown by `info` (`idle_kill_timeout`).',
  },
  interactiveModeAllowed: {
    origin: 'bastion',
    meaning: 'Whether `-i`/`--interactive` mode may be used. Shown by `info` (`interactive_mode_allowed`).',
  },
  readOnlySlaveMode: {
    origin: 'bastion',
    meaning:
      'Must stay false: Gatehouse has no read-only replica mode, so `true` is refused (`serve` exits 110; a reload keeps the configuration in force) rather than ignored. `info` reports `slave_mode: 0`.',
  },
  ingressKeysFromAllowOverride: {
    origin: 'bastion',
    meaning:
      'When true, a `from="…"` list given with an ingress key replaces `ingressKeysFrom` for that key; when false, `ingressKeysFrom` applies (see docs/compatibility.md for the case where it is empty).',
  },
  moshAllowed: {
    origin: 'bastion',
    meaning: 'Accepted for compatibility. mosh is not available on Gatehouse: `info` always reports `mosh_allowed: 0`.',
  },
  defaultAccountEgressKeyAlgorithm: {
    origin: 'bastion',
    meaning: 'Algorithm of the egress key generated for a new account.',
  },
  defaultAccountEgressKeySize: {
    origin: 'bastion',
    meaning:
      'Size (bits) of the egress key generated for a new account (see `defaultAccountEgressKeyAlgorithm`). 0 (the default) means the default of the algorithm: 4096 for rsa, 521 for ecdsa, 256 for ed25519; a size the algorithm cannot take falls back to it, as in The Bastion.',
  },
  accountMFAPolicy: {
    origin: 'bastion',
    meaning:
      'Accepted for compatibility. Multi-factor authentication is not available on Gatehouse; `info` reports every `mfa_*` field as 0. The `*-required` values are refused (`serve` exits 110) rather than ignored.',
  },
  allowedIngressSshAlgorithms: {
    origin: 'bastion',
    meaning: 'Key algorithms accepted for ingress keys, when added and at login. Security-key types are refused whatever this says (see docs/compatibility.md).',
  },
  allowedEgressSshAlgorithms: {
    origin: 'bastion',
    meaning: 'Key algorithms the bastion may generate for egress keys.',
  },
  alwaysActiveAccounts: {
    origin: 'bastion',
    meaning: 'Accounts never refused for inactivity (`accountMaxInactiveDays`), such as robots.',
  },
  superOwnerAccounts: {
    origin: 'bastion',
    meaning: 'Accounts that pass every group role check as if they owned every group. Admins are superowners too.',
  },
  adminAccounts: {
    origin: 'bastion',
    meaning: 'Bastion admins: they may run `admin` plugins and every `restricted` plugin, and pass group checks. `gatehouse setup-admin` adds to this list.',
  },
  ingressKeysFrom: {
    origin: 'bastion',
    meaning: "Networks (IPs or CIDR) ingress keys may log in from, applied at each login. Empty: no restriction beyond a key's own `from=`.",
  },
  egressKeysFrom: {
    origin: 'bastion',
    meaning: 'The bastion\'s own egress addresses, to put in the `from="…"` of the egress keys it shows; `info` lists them (`egress_ip_list`).',
  },
  allowedNetworks: {
    origin: 'bastion',
    meaning: 'When not empty, the only networks the bastion will connect to on the egress side, whatever the access lists say.',
  },
  forbiddenNetworks: {
    origin: 'bastion',
    meaning: 'Networks the bastion never connects to on the egress side; wins over `allowedNetworks`.',
  },
  dnsSupportLevel: {
    origin: 'bastion',
    meaning:
      "0: host names are never resolved, a name is refused with `KO_DNS_DISABLED` (exit 132), in a plugin's `--host` and in a server list alike. 1: names are resolved, addresses never (`--reverse-dns` prints them as they are). 2: addresses are also reverse-resolved for `--reverse-dns`.",
  },
  IPv4Allowed: {
    origin: 'bastion',
    meaning:
      'Whether the bastion may connect to IPv4 targets: an IPv4 address is refused with `KO_IP_VERSION_DISABLED` (exit 133) and IPv4 answers to a name are skipped when false.',
  },
  IPv6Allowed: {
    origin: 'bastion',
    meaning:
      'Whether the bastion may connect to IPv6 targets; false by default, as in The Bastion: an IPv6 address is refused with `KO_IP_VERSION_DISABLED` (exit 133) and IPv6 answers to a name are skipped.',
  },
  dnsResolveTimeoutSeconds: {
    origin: 'gatehouse',
    meaning:
      "Seconds a host name lookup (a connection target, a plugin's `--host`) may take; past it the call is refused with `KO_HOST_NOT_FOUND` (exit 102) saying it timed out. A batch of lookups in one call (the names of a `groupSetServers` list, the addresses of a `--reverse-dns` listing) gets this time for all of them together.",
  },
  dnsMaxConcurrentLookups: {
    origin: 'gatehouse',
    meaning:
      "Host name lookups that may be in progress at once in the whole process; one more is refused at once with `KO_HOST_NOT_FOUND`. A system lookup that outlives its deadline still counts until the system answers (it holds one of libuv's 4 threads), so hung name servers can't pile lookups up. One batch (a server list's names, a `--reverse-dns` listing) uses at most half of them (at least one) at a time.",
  },
  dnsServers: {
    origin: 'gatehouse',
    meaning:
      'When not empty, names are asked of these name servers directly (`ADDR` or `ADDR:PORT`, A and AAAA queries) instead of the system resolver, so `/etc/hosts` is not read. Empty (the default): the system resolver, as The Bastion.',
  },
  listen: {
    origin: 'gatehouse',
    meaning: 'Addresses the SSH server listens on, `ADDR:PORT` (IPv6 as `[ADDR]:PORT`); port 0 picks a free port. `serve --listen` (repeatable) overrides it. Read at start.',
  },
  dataDir: {
    origin: 'gatehouse',
    meaning:
      'Directory of the SQLite database (`gatehouse.db`) and the keyring that seals private keys. Relative paths are resolved against the working directory. `--data-dir` overrides it. Read at start.',
  },
  hostKeysDir: {
    origin: 'gatehouse',
    meaning: "Directory of the server's SSH host keys, generated on first start when absent. `--hostkeys-dir` overrides it. Read at start.",
  },
  logLevel: {
    origin: 'gatehouse',
    meaning: 'Level of the pino JSON log written on stdout. `--log-level` overrides it. Read at start.',
  },
  loginGraceTimeSeconds: {
    origin: 'gatehouse',
    meaning: "Seconds a new TCP connection has to finish the SSH handshake and authenticate before it is dropped (sshd's `LoginGraceTime`).",
  },
  maxAuthTries: {
    origin: 'gatehouse',
    meaning: "Signed authentication attempts allowed per connection before it is closed (sshd's `MaxAuthTries`). Key queries without a signature are not counted.",
  },
  maxConnectionsPerAccount: {
    origin: 'gatehouse',
    meaning:
      'Authenticated SSH connections one account may hold at once; one more is closed as soon as it has logged in, before any session. Each connection may carry `maxSessions` sessions, each with up to two SSH windows (about 4 MiB) buffered, so this bounds what one account, or one stolen key, can make the bastion hold. sshd and The Bastion have no such limit.',
  },
  maxSessions: {
    origin: 'gatehouse',
    meaning:
      "Sessions (calls, egress sessions) open at once on one connection (sshd's `MaxSessions`); one more is refused as sshd refuses it. A multiplexing client (ControlMaster) runs any number of calls one after another.",
  },
  maxCallsPerAccount: {
    origin: 'gatehouse',
    meaning:
      'Calls (plugins, egress sessions) one account may have running at once, over all its connections; a session opened past it is refused as sshd refuses one past `MaxSessions`. Bounds what one account can make the server hold (an unread listing stays in memory until it is read).',
  },
  maxStartups: {
    origin: 'gatehouse',
    meaning:
      "Cap on connections that have not authenticated yet, in sshd's `MaxStartups` form `start:rate:full`: from `start` such connections on, a new one is refused with a probability of `rate`% rising linearly to 100% at `full`; a single number `N` is a hard cap (`N:100:N`). Refused connections are closed at accept with `Exceeded MaxStartups`, before any SSH is spoken. The default, 100:30:500, keeps The Bastion's sshd ceiling (500) and starts dropping above what one source may hold (`perSourceMaxStartups`), so a single address can't make others' logins fail.",
  },
  perSourceMaxStartups: {
    origin: 'gatehouse',
    meaning:
      "Cap on unauthenticated connections from one source address (sshd's `PerSourceMaxStartups`); beyond it new ones are closed at accept with `Exceeded PerSourceMaxStartups`. Well below `maxStartups`' start, so that one address alone never triggers the random early drop that everyone shares. 0: no cap per source.",
  },
  perSourcePenaltyAuthFailSeconds: {
    origin: 'gatehouse',
    meaning:
      "Penalty seconds a source address earns for each connection that closes after a refused authentication attempt without logging in (sshd's `PerSourcePenalties authfail`). Penalties add up while they have not expired; 0 disables this kind.",
  },
  perSourcePenaltyNoAuthSeconds: {
    origin: 'gatehouse',
    meaning: "Penalty seconds for a connection that closes without attempting authentication (sshd's `noauth`). 0 disables this kind.",
  },
  perSourcePenaltyGraceExceededSeconds: {
    origin: 'gatehouse',
    meaning: "Penalty seconds for a connection dropped because it did not log in within `loginGraceTimeSeconds` (sshd's `grace-exceeded`). 0 disables this kind.",
  },
  perSourcePenaltyMinSeconds: {
    origin: 'gatehouse',
    meaning:
      "A source's accumulated penalty is enforced once it exceeds this many seconds (sshd's `min`): from then until it expires, the source's new connections are closed at accept with `Not allowed at this time`.",
  },
  perSourcePenaltyMaxSeconds: {
    origin: 'gatehouse',
    meaning: "Longest a source's accumulated penalty can last (sshd's `max`).",
  },
  perSourcePenaltyMaxSources: {
    origin: 'gatehouse',
    meaning: "Source addresses with a penalty kept in memory (sshd's `max-sources`); when full, the least recently penalised is forgotten (sshd's permissive overflow).",
  },
  perSourcePenaltyExemptList: {
    origin: 'gatehouse',
    meaning:
      "Addresses and networks (CIDR) never penalised (sshd's `PerSourcePenaltyExemptList`). The default exempts the host itself (`127.0.0.1`, `::1`), so that a local client or proxy can't be locked out; an empty list penalises everyone.",
  },
  maxClientEnvVariables: {
    origin: 'gatehouse',
    meaning:
      "Environment variables a client may set per session (`SetEnv`/`SendEnv`). Only `LANG` and `LC_*` are accepted (as The Bastion's `AcceptEnv LANG LC_*`), never `LC_BASTION*`, which the bastion sets itself for the target; names are at most 64 characters, values printable. Beyond the count the variables are refused (and logged once per session).",
  },
  maxClientEnvValueBytes: {
    origin: 'gatehouse',
    meaning: 'Longest value, in bytes, of an environment variable a client sets; a longer one is refused.',
  },
  stdinTimeoutSeconds: {
    origin: 'gatehouse',
    meaning: 'How long a plugin waits for a line or for the end of input on stdin (a confirmation, a key) before giving up.',
  },
  stdinMaxLineBytes: {
    origin: 'gatehouse',
    meaning:
      'The longest line a plugin reads from stdin (a key, a confirmation), in bytes; a plugin may ask for less. A longer line is not read further: the call ends with `KO_INPUT_TOO_LONG`.',
  },
  stdinMaxBytes: {
    origin: 'gatehouse',
    meaning:
      "The most a plugin reads from stdin until end of input (`groupSetServers`' list), in bytes; a plugin may ask for less. Past it the call ends with `KO_INPUT_TOO_LONG` and nothing is changed.",
  },
  batchMaxCommands: {
    origin: 'gatehouse',
    meaning:
      'The most commands one `--osh batch` runs. The line past it is not run and nothing more is read: batch answers `KO_TOO_MANY_COMMANDS` with the results of the commands that ran. The Bastion has no such limit.',
  },
  auditArgsMaxWords: {
    origin: 'gatehouse',
    meaning: 'The most words of a call an audit row keeps; the words past it are counted in a last `[… N more words, M bytes not kept]` word.',
  },
  auditArgMaxWordBytes: {
    origin: 'gatehouse',
    meaning: 'The most bytes of one word an audit row keeps (a public key line, 3000 bytes at most, fits the default); a longer word is clipped and marked `…[+N bytes]`.',
  },
  auditArgsMaxBytes: {
    origin: 'gatehouse',
    meaning: 'The most bytes of all the words an audit row keeps together, so that a flood of long calls cannot grow the database at the rate of what the clients send.',
  },
  shutdownDrainSeconds: {
    origin: 'gatehouse',
    meaning:
      'On SIGTERM (or SIGINT), how long calls and egress sessions in progress may go on to their end while the server accepts nothing new; those still running then are told the bastion is shutting down and ended (sessions row comment `bastion_shutdown`, exit 117). A second signal cuts the wait short.',
  },
  liveAccountCheckSeconds: {
    origin: 'gatehouse',
    meaning:
      'Every this many seconds, the accounts with a connection open are checked again: one that was deleted, frozen, or expired (TTL, `accountMaxInactiveDays`) since has its egress sessions ended (sessions row comment `account_deleted`, `account_frozen` or `account_expired`) and its connections closed. An egress session in progress counts as activity.',
  },
  clushDefaultParallel: {
    origin: 'gatehouse',
    meaning:
      "How many hosts `clush` runs at once when the call gives no `--parallel` (never more than `clushMaxParallel`). 1 runs them one after the other in the list's order, as The Bastion's `clush` does.",
  },
  clushMaxParallel: {
    origin: 'gatehouse',
    meaning: 'The most hosts one `clush` call may run at once (each is an SSH connection from the bastion): a larger `--parallel` is refused with `ERR_INVALID_PARAMETER`.',
  },
  clushMaxOutputBytes: {
    origin: 'gatehouse',
    meaning:
      "The most bytes of one host's stdout, and as many of its stderr, that `clush` keeps for its answer. Past it the rest is read and dropped (the command runs to its end and the recording has it all), and the host's entry says `truncated: true`, `error_code` `OK_OUTPUT_TRUNCATED`.",
  },
  clushMaxTotalOutputBytes: {
    origin: 'gatehouse',
    meaning:
      "The most bytes of output one `clush` call keeps for its answer, all hosts and both streams together, so that a long host list can't hold more than this in memory whatever `clushMaxOutputBytes` allows each host. Past it, every host's further output is dropped and marked as truncated.",
  },
};
