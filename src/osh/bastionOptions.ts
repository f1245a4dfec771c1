// The bastion-level options of a request (bin/shell/osh.pl's GetOptionsFromString list) and the
// split between them and what belongs to a plugin or to the remote command.
import parse from 'yargs-parser';
import { EXIT } from '../kernel/exitCodes.js';
import { GETOPT_LIKE, normalizeLongDashes } from './getopt.js';

export type JsonMode = 'none' | 'default' | 'pretty' | 'greppable';

export interface BastionOptions {
  readonly json: JsonMode;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly longHelp: boolean;
  readonly interactive: boolean;
  readonly tty: boolean;
  readonly noTty: boolean;
  readonly wait: boolean;
  readonly debug: boolean;
  readonly osh: string | undefined;
  readonly host: string | undefined;
  readonly user: string | undefined;
  readonly port: string | undefined;
  readonly timeout: string | undefined;
  /** --use-key FINGERPRINT: the only egress key to try. */
  readonly useKey: string | undefined;
  /** --ssh-as ACCOUNT: parsed only to be refused (not available here). */
  readonly sshAs: string | undefined;
  /** The options of UNSUPPORTED_OPTIONS that were given (long names), to be refused. */
  readonly unsupported: readonly string[];
}

/**
 * osh.pl's options that Gatehouse parses (so that they never fall through to a plugin or the
 * remote command) but doesn't implement. Each is refused before anything runs, naming it: a user
 * who asked for a jump host, a bind address, agent forwarding or a password login must not get a
 * plain connection instead. Where The Bastion has its own refusal for the case (the feature
 * disabled by policy), its code and exit status are used; otherwise ERR_UNSUPPORTED_OPTION, exit
 * 111 (the status of an option the bastion can't take). --never-escape is not listed: it asks for
 * what Gatehouse always does. --ssh-as has its own refusal (dispatch.ts).
 */
export const UNSUPPORTED_OPTIONS: readonly { readonly name: string; readonly short?: string }[] = [
  { name: 'J' },
  { name: 'bind' },
  { name: 'password' },
  { name: 'self-password', short: 'P' },
  { name: 'forward-agent', short: 'x' },
  { name: 'telnet', short: 'e' },
  { name: 'kbd-interactive' },
  { name: 'interactive', short: 'i' },
  { name: 'proactive-mfa' },
  { name: 'mfa-token' },
  { name: 'generate-mfa-token' },
  { name: 'fallback-password-delay' },
  { name: 'term-passthrough' },
  { name: 'netconf' },
  { name: 'always-escape' },
  { name: 'verbose' },
  { name: 'debug' },
];

export interface OptionRefusal {
  readonly code: 'ERR_UNSUPPORTED_OPTION' | 'KO_TELNET_DENIED' | 'KO_KBD_INTERACTIVE_DENIED' | 'KO_INTERACTIVE_DISABLED';
  readonly exit: number;
  readonly option: string;
  readonly msg: string;
}

/** The refusal for the first unsupported option given, null when none was. */
export function unsupportedOptionRefusal(o: BastionOptions, account: string, interactiveModeAllowed: boolean): OptionRefusal | null {
  const name = UNSUPPORTED_OPTIONS.find((u) => o.unsupported.includes(u.name));
  if (!name) return null;
  const shown = name.short ? `-${name.short}/--${name.name}` : name.name.length === 1 ? `-${name.name}` : `--${name.name}`;
  // The Bastion's own refusals, for features its configuration can disable (osh.pl).
  if (name.name === 'telnet') {
    return {
      code: 'KO_TELNET_DENIED',
      exit: EXIT.ACCESS_DENIED,
      option: shown,
      msg: `Sorry ${account}, the telnet protocol has been disabled by policy (${shown} is not available on this bastion)`,
    };
  }
  if (name.name === 'kbd-interactive') {
    return {
      code: 'KO_KBD_INTERACTIVE_DENIED',
      exit: EXIT.CONFLICTING_OPTIONS,
      option: shown,
      msg: `Sorry ${account}, the keyboard-interactive egress authentication scheme has been disabled by policy (${shown} is not available on this bastion)`,
    };
  }
  if (name.name === 'interactive' && !interactiveModeAllowed) {
    return { code: 'KO_INTERACTIVE_DISABLED', exit: EXIT.INTERACTIVE_DISABLED, option: shown, msg: 'Interactive mode has been disabled on this bastion' };
  }
  return {
    code: 'ERR_UNSUPPORTED_OPTION',
    exit: EXIT.GETOPTS_FAILED,
    option: shown,
    msg: `The option ${shown} is not supported by this bastion: refusing the request rather than ignoring it`,
  };
}

/**
 * Whether --timeout is a number of seconds as osh.pl accepts it (1 to 999999, no sign, no leading
 * zero): a connection request and clush check it the same way.
 */
const TIMEOUT_SECONDS = /^[1-9]\d{0,5}$/;
export const isTimeoutSeconds = (value: string): boolean => TIMEOUT_SECONDS.test(value);

const STRINGS = ['osh', 'user', 'host', 'port', 'timeout', 'password', 'bind', 'ssh-as', 'use-key', 'mfa-token', 'J', 'fallback-password-delay'];
const BOOLEANS = [
  'json',
  'json-pretty',
  'json-greppable',
  'quiet',
  'help',
  'long-help',
  'interactive',
  'tty',
  'no-tty',
  'wait',
  'verbose',
  'debug',
  'telnet',
  'self-password',
  'always-escape',
  'never-escape',
  'netconf',
  'forward-agent',
  'kbd-interactive',
  'proactive-mfa',
  'generate-mfa-token',
  'term-passthrough',
];
const ALIASES: Record<string, string[]> = {
  port: ['p'],
  user: ['u', 'l'],
  host: ['h'],
  quiet: ['q'],
  interactive: ['i'],
  tty: ['t'],
  'no-tty': ['T'],
  telnet: ['e'],
  'self-password': ['P'],
  'forward-agent': ['x'],
};
const LONG_NAMES = new Set([...STRINGS, ...BOOLEANS].filter((n) => n.length > 1));

const HIDE = '\0';
const KNOWN_NAMES = new Set([...STRINGS, ...BOOLEANS, ...Object.values(ALIASES).flat()]);
const unhide = (w: string): string => (w.startsWith(HIDE) ? w.slice(HIDE.length) : w);

function isBastionOptionWord(w: string): boolean {
  const m = /^--?([^=]+)(=[\s\S]*)?$/.exec(w);
  return m?.[1] !== undefined && KNOWN_NAMES.has(m[1]);
}

export interface SplitRequest {
  readonly options: BastionOptions;
  /** Words that are not bastion options, in order: the plugin's options, or [user@]host. */
  readonly rest: string[];
  /** Words after a standalone `--` (the remote command), when there was one. */
  readonly afterDashes: string[] | null;
  readonly error: string | null;
}

export function splitBastionOptions(words: readonly string[]): SplitRequest {
  const dd = words.indexOf('--');
  const before = dd === -1 ? [...words] : words.slice(0, dd);
  const afterDashes = dd === -1 ? null : words.slice(dd + 1);
  // yargs-parser's unknown-option test lets words through that only look like ours: `-1` is read
  // as a short option "1" (eating the next word) and `--osh-only` as a variant of `--osh` (then
  // dropped), so plugin options such as accountModify's `--max-inactive-days -1` or accountCreate's
  // `--osh-only` would vanish. Any dashed word that doesn't name a bastion option is hidden from
  // yargs behind a NUL (which words never contain) and restored in `rest`.
  const hidden = before.map((w) => (w.startsWith('-') && !isBastionOptionWord(w) ? HIDE + w : w));
  const argv = parse.detailed(normalizeLongDashes(hidden, LONG_NAMES), {
    string: STRINGS,
    boolean: BOOLEANS,
    alias: ALIASES,
    configuration: {
      ...GETOPT_LIKE,
      // The last of a repeated option wins, as in osh.pl.
      'duplicate-arguments-array': false,
      'strip-dashed': false,
    },
  });
  const a = argv.argv as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof a[k] === 'string' ? unhide(a[k] as string) : undefined);
  const bool = (k: string): boolean => a[k] === true;
  const json: JsonMode = bool('json-pretty') ? 'pretty' : bool('json-greppable') ? 'greppable' : bool('json') ? 'default' : 'none';
  const options: BastionOptions = {
    json,
    quiet: bool('quiet'),
    help: bool('help'),
    longHelp: bool('long-help'),
    interactive: bool('interactive'),
    tty: bool('tty'),
    noTty: bool('no-tty'),
    wait: bool('wait'),
    debug: bool('debug'),
    osh: str('osh'),
    host: str('host'),
    user: str('user'),
    port: str('port'),
    timeout: str('timeout'),
    useKey: str('use-key'),
    sshAs: str('ssh-as'),
    unsupported: UNSUPPORTED_OPTIONS.filter((u) => bool(u.name) || str(u.name) !== undefined).map((u) => u.name),
  };
  const rest = (a['_'] as (string | number)[]).map((w) => unhide(String(w)));
  return { options, rest, afterDashes, error: argv.error ? argv.error.message : null };
}
