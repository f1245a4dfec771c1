// What the conformance replay needs beyond the recording itself: the configuration each module
// ran with, the steps left out (SKIP, with why), and the steps where Gatehouse deliberately
// answers otherwise (KNOWN, with what it answers instead). Every deliberate difference here has its
// line in docs/compatibility.md; the other reasons say why a step can't be replayed as recorded
// (the recording machine's environment, a cut command line, the network rule: only loopback is
// ever dialled).
import { loadTranscript, type ShapeOptions } from './transcript.js';

const recorded = loadTranscript();
/** The ids of the recorded steps whose command matches. */
const stepsWhere = (re: RegExp, mod?: string): string[] => recorded.filter((s) => re.test(s.command) && (mod === undefined || s.module === mod)).map((s) => s.id);

/** bastion.conf keys for a whole module (on top of the test server's own). */
export const MODULE_CONFIG: Record<string, Record<string, unknown>> = {
  // 330 sets minimumIngressRsaKeySize 4096 right after creating its account.
  // The Bastion doesn't enforce maximumIngressRsaKeySize (docs/compatibility.md): the recording's
  // 16384-bit key went in, so the replay raises Gatehouse's maximum to match.
  '330': { minimumIngressRsaKeySize: 4096, maximumIngressRsaKeySize: 16384 },
  // The recording machine kept 330's minimumIngressRsaKeySize 4096 into the later modules (their info shows it).
  '350': { minimumIngressRsaKeySize: 4096 },
  '410': { minimumIngressRsaKeySize: 4096 },
};

/**
 * Configuration written just before a step runs (the modules change bastion.conf between calls
 * with their configset helpers, which the recording doesn't show). The whole object is written.
 */
export const CONFIG_BEFORE: Record<string, Record<string, unknown>> = {
  // 330's _ingress_from_test changes ingressKeysFrom between runs, but the recorded values show
  // none of it applied (from_list stays empty): the replay keeps the module's configuration.
};

/**
 * Seconds to wait before a step, where the module waited for a TTL to run out (account3's 8 s
 * --ttl in 325, the 8 s server line in 350, the 1 s guest access in 350).
 */
export const WAIT_BEFORE: Record<string, number> = {
  '0006-325-accountinfo-a3_ttl_connect_no': 9,
  '0252-350-groups-listttlexpired': 9,
  '0266-350-groups-guest_ttl_limit': 2,
};

/**
 * The recording kept only the first line of these multi-line commands: their stdin, rebuilt from
 * the module's source (the ACL lines of 350's groupSetServers calls; for 330's private keys, a
 * header, a body and a footer of the recorded kind, as the plugin only has to recognise one).
 */
export const STDIN: Record<string, string> = {
  '0020-330-selfkeys-privkey': '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAtranscriptreplaybodynotarealkey0000000000000000000\n-----END RSA PRIVATE KEY-----\n',
  '0021-330-selfkeys-privkey': '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIAtranscriptreplaybodynotarealkey000000000000000000000000\n-----END EC PRIVATE KEY-----\n',
  '0022-330-selfkeys-privkey': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n',
  '0255-350-groups-groupSetServers_valid_dryrun': 'user@127.0.0.1:1234 comment with spaces\nlocalhost\n0.0.0.0/4:42\n',
  '0256-350-groups-groupSetServers_invalid': 'inva{}lid@127.0.0.1\ndoesntexist.invalid\n0.0.0.0:77777\n203.0.113.4/4:42\n',
  '0257-350-groups-groupSetServers_valid_skiperrors': 'g1@127.0.0.1:22\nbadport:99999\ng2@127.0.0.2:22\n127.0.0.10\n127.0.0.11\nroot@192.0.2.1:22 comment with spaces\n',
};

/** Steps the module ran with another key of the account (`$a1k2`): the key file to log in with. */
export const LOGIN_WITH: Record<string, string> = {
  '0036-330-selfkeys-user1key2beforeadd': 'account1key2file.pub',
  '0049-330-selfkeys-user1key2aftereadd': 'account1key2file.pub',
  '0050-330-selfkeys-key2': 'account1key2file.pub',
};

/**
 * Compared as types only in every step: values that show the recording machine or the moment
 * (the admin account was made by The Bastion's installer as root, a group key's comment names the
 * bastion and the time).
 */
export const VOLATILE_PATHS: readonly RegExp[] = [/\.admin\.created_by$/, /public_key\.comment$/];

/**
 * Deliberate differences in one field, wherever it appears (docs/compatibility.md): not compared.
 */
export const KNOWN_FIELDS: readonly { readonly path: RegExp; readonly reason: string }[] = [
  { path: /(\.key|\.keys\[\d+\]|\.deleted_key)\.info$/, reason: "ingress key listings carry no info field; selfAddIngressKey's info has no UNIQID" },
  { path: /\.deleted_key\.index$/, reason: "ingress key ids are positions in the account's list, not authorized_keys line numbers" },
  { path: /\.admin\.allowed_commands$/, reason: "admins may run every restricted plugin without a grant (The Bastion's install grants each one)" },
];

/**
 * Recorded object keys that come from the recording machine, not from The Bastion: `fortune` is in
 * info's value only where the fortune program is installed; `healthcheck` is an account the
 * recording machine's installation had.
 */
export const ENVIRONMENT_KEYS: readonly string[] = ['fortune', 'healthcheck'];

/**
 * Recorded paths that describe the recording machine, not The Bastion, in the steps whose command
 * matches: its admin was made by root at install time, without a comment, with its own uid; egress keys' from="…"
 * prefix lists the machine's own addresses when egressKeysFrom is empty (`hostname
 * --all-ip-addresses` gave nothing there; Gatehouse lists the test machine's interfaces).
 */
export const ENVIRONMENT_PATHS: readonly { readonly path: RegExp; readonly command?: RegExp }[] = [
  { path: /\.admin\.creation_information\.(comment|by)$/ },
  { path: /\.admin\.uid$/ },
  { path: /\.prefix$/, command: /--osh (groupInfo|groupCreate|groupGenerateEgressKey|accountListEgressKeys|selfListEgressKeys|selfGenerateEgressKey)\b/ },
  // Egress keys are generated by the bastion: their material, and their comment (the bastion's
  // name and the time), are its own on each machine.
  {
    path: /\.(line|base64|fingerprint|comment)$|^value\.public_key$|^value\[\d+\]\.comment$/,
    command: /--osh (groupInfo|groupCreate|groupGenerateEgressKey|accountListEgressKeys|selfListEgressKeys|selfGenerateEgressKey)\b/,
  },
];

/** The recorded keys accounts log in with, by the last characters of their blob. */
export const KEY_FILES: Record<string, string> = {
  'account1key1file.pub': 'stiXyLnG6n8=',
  'account2key1file.pub': 'jLxnJquxizI=',
  'account3key1file.pub': 'Krt9ISlcBYg=',
  'account1key2file.pub': 'VMqlovrYxEQ=',
};

/** Steps not replayed, with the reason. */
export const SKIP: Record<string, string> = {
  // Not a call to the bastion: the module checks a fingerprint's format with grep.
  '0039-330-selfkeys-key1': 'local grep on a fingerprint, no bastion call',
  '0040-330-selfkeys-key2': 'local grep on a fingerprint, no bastion call',
  // Network rule: its stdin (see STDIN) has a name to resolve through DNS (doesntexist.invalid).
  '0256-350-groups-groupSetServers_invalid': 'its server list makes the bastion resolve doesntexist.invalid through DNS: the tests query nothing off the machine',
  // Network rule: nothing but loopback is ever dialled, and --wait polls for up to an hour here.
  '0028-350-groups-a1_connect_g1_with_forcekey_and_wait':
    '--wait on a loopback port where nothing listens: Gatehouse polls up to --timeout (one hour without it), The Bastion about two seconds (docs/compatibility.md, --wait)',
  '0031-350-groups-a1_ssh_wait': 'egress to 192.0.2.0 (not loopback): never dialled by the tests',
};
SKIP['0035-350-groups-a1_del_key_g1'] = "names a group key by the fingerprint The Bastion generated for it on the recording machine: the replay's key has another";
SKIP['0117-350-groups-a3_selfPlaySession_existing'] = 'names a session id from the recording machine';
SKIP['0006-410-maintenance-maint_a1_login_denied'] = 'a login refused in maintenance mode: adminMaintenance is not available';
for (const id of stepsWhere(/--osh (ping|nc|alive|mtr) .*192\.0\.2\./, '360'))
  SKIP[id] = 'names a non-loopback address: the ping/nc/alive/mtr plugins are not available, and the tests never aim at other hosts';

export interface KnownDifference {
  readonly reason: string;
  /** Gatehouse's exit status and error_code there (default: the recorded ones). */
  readonly exit?: number;
  readonly error_code?: string | null;
  /** The envelope's command there (default: the recorded one). */
  readonly command?: string | null;
  /** How to compare the value (default: its whole shape); 'null' when Gatehouse's value is null. */
  readonly value?: ShapeOptions | 'null';
}

/** Steps where Gatehouse's answer deliberately differs (docs/compatibility.md). */
export const KNOWN: Record<string, KnownDifference> = {};
/** Adds a known difference to each step (merging with what is there). */
function known(ids: readonly string[], d: KnownDifference): void {
  for (const id of ids) {
    if (id in SKIP) continue;
    const was = KNOWN[id];
    const wasValue = was?.value && was.value !== 'null' ? was.value : {};
    const newValue = d.value && d.value !== 'null' ? d.value : {};
    KNOWN[id] = {
      ...was,
      ...d,
      reason: was ? `${was.reason}; ${d.reason}` : d.reason,
      value:
        d.value === 'null'
          ? 'null'
          : {
              ...wasValue,
              ...newValue,
              expect: { ...wasValue.expect, ...newValue.expect },
              ignore: [...(wasValue.ignore ?? []), ...(newValue.ignore ?? [])],
              ignoreValues: [...(wasValue.ignoreValues ?? []), ...(newValue.ignoreValues ?? [])],
              ignorePaths: [...(wasValue.ignorePaths ?? []), ...(newValue.ignorePaths ?? [])],
            },
    };
  }
}
const okSteps = (re: RegExp): string[] => recorded.filter((s) => re.test(s.command) && s.envelope?.error_code === 'OK').map((s) => s.id);

known(okSteps(/-osh info$/), { reason: 'no interactive mode: info says interactive_mode_allowed 0', value: { expect: { 'value.interactive_mode_allowed': 0 } } });
known(okSteps(/--osh accountDelete /), { reason: "accountDelete's value has ttygroup null (no unix side)", value: { expect: { 'value.ttygroup': null } } });

known(['0019-330-selfkeys-flood'], {
  reason: 'a KO answer always exits 100; The Bastion exits 0 after refusing a flood of random bytes on stdin (the value echoes random bytes: not compared)',
  exit: 100,
  value: { ignore: ['value'] },
});
known(['0027-325-accountinfo-a2_cannot_connect_frozen'], {
  reason: 'a login refused (frozen account) still answers with an envelope when --json* was asked',
  error_code: 'KO_ACCOUNT_FROZEN',
  value: 'null',
});
known(['0006-325-accountinfo-a3_ttl_connect_no'], {
  reason: 'a login refused (account TTL expired) still answers with an envelope when --json* was asked',
  error_code: 'KO_TTL_EXPIRED',
  value: 'null',
});
for (const id of [
  '0113-350-groups-a3_access_g1_as_member_a',
  '0114-350-groups-a3_access_g1_as_member_b',
  '0135-350-groups-a3_access_because_guest',
  '0269-350-groups-a2_partialxs',
  '0275-350-groups-a2_noxsnofullevenprivate',
]) {
  known([id], {
    reason: "egress to a target where nothing listens ends with exit 105 and KO_CONNECTION_REFUSED (The Bastion: ssh's 255, no envelope)",
    exit: 105,
    error_code: 'KO_CONNECTION_REFUSED',
    value: 'null',
  });
}
known(['0115-350-groups-a3_selfListSessions'], {
  reason:
    'selfListSessions items also have exit_status, exit_signal, comment, bytes_up, bytes_down, has_recording; the session above ended with 105 here (nothing listens), and the peer is shown by address',
  value: { ignorePaths: [/^value\[0\]\.(exit_status|exit_signal|comment|bytes_up|bytes_down|has_recording|returned|from\.host|via\.port|from\.port)$/] },
});
for (const id of stepsWhere(/--osh groupDelGuestAccess /, '350')) {
  const s = recorded.find((r) => r.id === id);
  // Removing an access that was not there (the _2 half of each batch: the host is outside the group's line).
  if (s && /batch_2$/.test(id)) known([id], { reason: 'groupDelGuestAccess of an access that was not there answers OK_NO_CHANGE', error_code: 'OK_NO_CHANGE', value: 'null' });
}
// Environment: the recording machine had an sshd on 127.0.0.1:22, the test machine has nothing there.
known(['0102-350-groups-a2_add_server_to_g1_works'], {
  reason: 'the connection test to 127.0.0.1:22 fails here (the recording machine ran an sshd there)',
  exit: 100,
  error_code: 'ERR_CONNECTION_FAILED',
  value: 'null',
});
known(['0103-350-groups-a2_add_server_to_g1_force_but_dup'], { reason: 'the line is new here, the test in 0102 having failed', error_code: 'OK', value: { ignore: ['value'] } });
// 0035 could not be replayed: the group keeps the key it deletes.
for (const [id, path] of [
  ['0096-350-groups-a0_groupInfo_all', 'value.te.st_Group1-.keys'],
  ['0284-350-groups-groupinfo_notmember', 'value.keys'],
  ['0287-350-groups-shouldBeGK', 'value.keys'],
  ['0290-350-groups-shouldNotBeGK', 'value.keys'],
] as const) {
  known([id], { reason: 'the group still has the key step 0035 deletes (not replayable)', value: { ignore: [path] } });
}
for (const id of ['0253-350-groups-include', '0254-350-groups-include_exclude']) {
  known([id], { reason: 'groupListServers --include/--exclude filter the JSON value too (The Bastion filters only the text)', value: { ignore: ['value'] } });
}
// Key from= lists with ingressKeysFromAllowOverride off and ingressKeysFrom empty.
for (const [id, path] of [
  ['0101-330-selfkeys-fromTest8_addkey', /^value\.(key\.from_list|key\.prefix|key\.line|connect_only_from)$/],
  ['0102-330-selfkeys-fromTest8_listkeys', /^value\.keys\[1\]\.(from_list|prefix|line)$/],
  ['0103-330-selfkeys-fromTest8_delkey', /^value\.deleted_key\.(fromList|prefix|line)$/],
  ['0105-330-selfkeys-fromTest8_listkeys_a2', /^value\.keys\[0\]\.(from_list|prefix|line)$/],
] as const) {
  known([id], {
    reason: "with ingressKeysFromAllowOverride off and ingressKeysFrom empty, a key's own from= list still applies (The Bastion drops it)",
    value: { ignorePaths: [path] },
  });
}
// A key line whose options are malformed (from=\"…\", quoted twice) is refused; The Bastion drops the option and adds the key.
const MALFORMED_FROM = 'a malformed key option (from=\\"…\\", quoted twice) refuses the key with KO_NOT_A_KEY, where The Bastion drops the option and adds the key';
known(['0074-330-selfkeys-fromTest4_addkey'], { reason: MALFORMED_FROM, exit: 100, error_code: 'KO_NOT_A_KEY', value: { ignore: ['value'] } });
known(['0075-330-selfkeys-fromTest4_listkeys'], { reason: `the key of 0074 was not added: ${MALFORMED_FROM}`, value: { ignore: ['value.keys'] } });
known(['0076-330-selfkeys-fromTest4_delkey'], { reason: `the key of 0074 is not there to delete: ${MALFORMED_FROM}`, exit: 100, error_code: 'ERR_NO_MATCH', value: 'null' });
known(['0077-330-selfkeys-fromTest4_create_a2'], { reason: MALFORMED_FROM, exit: 100, error_code: 'KO_NOT_A_KEY', value: 'null' });
known(['0078-330-selfkeys-fromTest4_listkeys_a2', '0079-330-selfkeys-fromTest4_delete_a2'], {
  reason: `the account of 0077 was not created: ${MALFORMED_FROM}`,
  exit: 100,
  error_code: 'KO_NOT_FOUND',
  value: 'null',
});
known(['0049-330-selfkeys-user1key2aftereadd'], {
  reason: "the replay raises maximumIngressRsaKeySize to take the recording's 16384-bit key (The Bastion doesn't enforce it)",
  value: { ignoreValues: ['value.ingress_rsa_max_size'] },
});

// Plugins Gatehouse doesn't have answer KO_UNKNOWN_COMMAND (exit 104, no command name).
known(stepsWhere(/--osh (ping|nc|alive|mtr|adminMaintenance|accountUnlock|rootListIngressKeys|\w+(Generate|List)Passwords?)\b/), {
  reason: 'not available in Gatehouse (system-tool plugins, maintenance mode, PAM/MFA unlock, root keys, passwords): KO_UNKNOWN_COMMAND',
  exit: 104,
  error_code: 'KO_UNKNOWN_COMMAND',
  command: null,
  value: 'null',
});

/**
 * The steps the transport parity test runs both over real OpenSSH and in-process (on two bastions
 * in the same state), with what each shows: every module's first three plugin calls (plain
 * plugin calls as the admin and as a new account, with --json-greppable framing), a login the
 * recording refuses for each of its reasons (a key that is not the account's: 0036-330; an account
 * that doesn't exist: 0003-350, as is 0235-350's after a deletion, left out so that 350's twin
 * stops early), the account states The Bastion refuses at login (Gatehouse's dispatcher refuses
 * them, on both paths), and each way the recorded lines give stdin. (How each line's quoting is
 * read is checked against bash for every line, not here.)
 */
export const PARITY_SAMPLE: Record<string, string> = {};
// (Plugin calls only: a connection request always runs over SSH.)
const callsPlugin = (s: { command: string }): boolean => /\s--?osh(\s|$)/.test(s.command);
for (const mod of new Set(recorded.map((s) => s.module))) {
  for (const s of recorded.filter((r) => r.module === mod && !(r.id in SKIP) && callsPlugin(r)).slice(0, 3)) PARITY_SAMPLE[s.id] = "one of the module's first plugin calls";
}
Object.assign(PARITY_SAMPLE, {
  '0020-300-activeness-account2_cleanup': "a here-string in double quotes on stdin (accountDelete's confirmation), after leading blanks",
  '0006-325-accountinfo-a3_ttl_connect_no': 'an account past its TTL (refused at login by The Bastion, by the dispatcher here)',
  '0025-325-accountinfo-a0_freeze_a2': 'single quotes inside double quotes',
  '0027-325-accountinfo-a2_cannot_connect_frozen': 'a frozen account (refused at login by The Bastion, by the dispatcher here)',
  '0020-330-selfkeys-privkey': 'a quoted here-document on stdin (a rebuilt multi-line stdin)',
  '0023-330-selfkeys-bogus': 'an unquoted here-string on stdin',
  '0024-330-selfkeys-eof': 'stdin from </dev/null',
  '0036-330-selfkeys-user1key2beforeadd': "a login refused: the key is not yet one of the account's",
  '0037-330-selfkeys-user1key2': 'stdin from a file of the working directory',
  '0049-330-selfkeys-user1key2aftereadd': "a login with the account's second key, once added",
  '0055-330-selfkeys-fromTest1_addkey': 'stdin from a pipe (echo … |)',
  '0061-330-selfkeys-fromTest2_addkey': 'a pipe whose echoed line has double quotes inside single quotes',
});

/** Sampled steps that only read: the parity test also runs them with --json (the JSON_START…JSON_END frame). */
export const JSON_VARIANTS: readonly string[] = ['0003-320-base-empty', '0003-365-restricted-read-rr_accountlist_all'];
