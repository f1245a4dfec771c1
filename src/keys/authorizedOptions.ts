// The options field of an authorized_keys line (sshd(8), AUTHORIZED_KEYS FILE FORMAT), read the
// way OpenSSH reads it (auth-options.c, sshauthopt_parse; sshkey_advance_past_options), then
// judged against what Gatehouse can honour. The Bastion only looks for a leading, lower-case
// from="…" and drops the rest, so `no-pty,FROM="10.0.0.1"` lost its restriction there; here every
// option is either honoured or refused, never dropped.
//
// OpenSSH's rules, as mirrored:
// - the field runs up to the first blank outside double quotes; `\"` never toggles the quoting;
// - options are separated by commas, names compare case-insensitively;
// - a flag is a bare name, some with a `no-` form; any other character after it is an error;
// - a valued option is `name="value"`: double quotes only, `\"` stands for `"`, any other
//   backslash is kept as it is, and the value may hold blanks and commas;
// - a second from=, command= or principals= makes the whole line invalid (since OpenSSH 7.7;
//   before, each from= was checked in turn), so duplicates are refused, not merged.
import { R, type Result } from '../kernel/result.js';

/** One option as written: its lower-cased name (without `no-`), whether negated, and its value. */
export interface AuthorizedOption {
  readonly name: string;
  readonly negated: boolean;
  /** The dequoted value of `name="value"`, null for a flag. */
  readonly value: string | null;
}

/** Flags OpenSSH knows, and whether it accepts their `no-` form. */
const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['restrict', false],
  ['cert-authority', false],
  ['port-forwarding', true],
  ['agent-forwarding', true],
  ['x11-forwarding', true],
  ['touch-required', true],
  ['verify-required', true],
  ['pty', true],
  ['user-rc', true],
]);

/** Options OpenSSH knows that take a quoted value. */
const VALUED: ReadonlySet<string> = new Set(['command', 'principals', 'from', 'expiry-time', 'environment', 'permitopen', 'permitlisten', 'tunnel']);

/** Valued options OpenSSH allows only once per line. */
const ONCE: ReadonlySet<string> = new Set(['command', 'principals', 'from']);

/** Why a field could not be read: `syntax` (malformed) or `unknown` (a name OpenSSH doesn't have). */
export type OptionsError = { readonly kind: 'syntax' | 'unknown'; readonly msg: string };

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Splits a line (leading blanks already skipped) into its options field and the rest, as
 * sshkey_advance_past_options does: up to the first blank outside double quotes.
 */
export function splitOptionsField(line: string): { field: string; rest: string } | OptionsError {
  let quoted = false;
  let i = 0;
  for (; i < line.length && (quoted || !isBlank(line[i])); i++) {
    if (line[i] === '\\' && line[i + 1] === '"') i++;
    else if (line[i] === '"') quoted = !quoted;
  }
  if (quoted) return { kind: 'syntax', msg: 'a double quote in the key options is never closed' };
  return { field: line.slice(0, i), rest: line.slice(i).replace(/^[ \t]+/, '') };
}

/** Reads an options field (no blank outside quotes) into its options, in order. */
export function parseAuthorizedOptions(field: string): readonly AuthorizedOption[] | OptionsError {
  const options: AuthorizedOption[] = [];
  const seen = new Set<string>();
  let pos = 0;
  for (;;) {
    const nameEnd = scanName(field, pos);
    const word = field.slice(pos, nameEnd);
    const lower = word.toLowerCase();
    if (word === '') return { kind: 'syntax', msg: `empty option at position ${pos + 1} of the key options` };
    let option: AuthorizedOption;
    if (field[nameEnd] === '=') {
      if (!VALUED.has(lower)) {
        const flag = lower.startsWith('no-') ? lower.slice(3) : lower;
        return FLAGS.has(flag) ? { kind: 'syntax', msg: `the ${lower} option takes no value` } : unknown(word);
      }
      const value = dequote(field, nameEnd + 1);
      if ('kind' in value) return value;
      if (ONCE.has(lower) && seen.has(lower)) {
        return { kind: 'syntax', msg: `the ${lower}= option is given more than once (OpenSSH refuses such a key line)` };
      }
      seen.add(lower);
      option = { name: lower, negated: false, value: value.text };
      pos = value.end;
    } else {
      const negated = lower.startsWith('no-') && FLAGS.get(lower.slice(3)) === true;
      const name = negated ? lower.slice(3) : lower;
      if (!FLAGS.has(name)) return VALUED.has(lower) ? { kind: 'syntax', msg: `the ${lower} option needs a ="…" value` } : unknown(word);
      option = { name, negated, value: null };
      pos = nameEnd;
    }
    options.push(option);
    if (pos === field.length) return options;
    if (field[pos] !== ',') {
      return { kind: 'syntax', msg: `unexpected character '${field[pos] ?? ''}' after the ${option.name} option (options are separated by commas, without blanks)` };
    }
    pos++;
  }
}

/** The end of an option name: letters, digits, '-' and '_' (anything else ends it). */
function scanName(field: string, from: number): number {
  let i = from;
  while (i < field.length && /[A-Za-z0-9_-]/.test(field[i] ?? '')) i++;
  return i;
}

/** A "…" value starting at `from`: `\"` is a quote, other backslashes stay (OpenSSH's opt_dequote). */
function dequote(field: string, from: number): { text: string; end: number } | OptionsError {
  if (field[from] !== '"') return { kind: 'syntax', msg: 'option values must be in double quotes, as in from="192.0.2.1"' };
  let text = '';
  let i = from + 1;
  while (i < field.length && field[i] !== '"') {
    if (field[i] === '\\' && field[i + 1] === '"') i++;
    text += field[i];
    i++;
  }
  if (i >= field.length) return { kind: 'syntax', msg: 'a double quote in the key options is never closed' };
  return { text, end: i + 1 };
}

function unknown(word: string): OptionsError {
  return { kind: 'unknown', msg: `'${word}' is not an authorized_keys option` };
}

/** What Gatehouse keeps of a key's options: its own from= entries, and the options text to store. */
export interface HonouredOptions {
  readonly fromList: readonly string[];
  /** The options as stored and shown: from="…" first, then the accepted flags, lower-case. */
  readonly text: string;
}

/**
 * Restrictions Gatehouse applies to every key anyway: it never forwards ports, agents or X11 and
 * runs no rc file, so these flags are honoured by construction and may be kept.
 */
const ALWAYS_ENFORCED: ReadonlySet<string> = new Set(['port-forwarding', 'agent-forwarding', 'x11-forwarding', 'user-rc']);

const WHY_REFUSED: Readonly<Record<string, string>> = {
  restrict: 'it forbids a terminal, and Gatehouse does not refuse a pty per key (list the no-… options you need instead, without no-pty)',
  pty: 'Gatehouse does not refuse or grant a terminal per key',
  command: 'Gatehouse runs no forced command: every call is a bastion command',
  environment: 'Gatehouse sets no environment per key',
  principals: 'certificates are not accepted by Gatehouse',
  'cert-authority': 'certificates are not accepted by Gatehouse',
  'expiry-time': 'use the account TTL (accountCreate --ttl) instead',
  permitopen: 'Gatehouse never forwards ports',
  permitlisten: 'Gatehouse never forwards ports',
  tunnel: 'Gatehouse never forwards tunnels',
  'touch-required': 'security-key (sk-) keys are not supported',
  'verify-required': 'security-key (sk-) keys are not supported',
};

/**
 * Reads and judges a key's options field: from= once, and the no-… flags of what Gatehouse never
 * does, are honoured; any other option is refused with KO_UNSUPPORTED_KEY_OPTION, and a field
 * OpenSSH would reject is KO_NOT_A_KEY.
 */
export function honourKeyOptions(field: string): Result<HonouredOptions> {
  if (field === '') return R('OK', { value: { fromList: [], text: '' } });
  const parsed = parseAuthorizedOptions(field);
  if ('kind' in parsed) {
    return parsed.kind === 'syntax'
      ? R('KO_NOT_A_KEY', { msg: `The options before the key are not valid authorized_keys options: ${parsed.msg}.` })
      : R('KO_UNSUPPORTED_KEY_OPTION', { msg: `${parsed.msg}: the key was not added.` });
  }
  let fromList: readonly string[] = [];
  const flags: string[] = [];
  for (const o of parsed) {
    if (o.name === 'from' && o.value !== null) {
      fromList = o.value.split(',');
    } else if (o.negated && ALWAYS_ENFORCED.has(o.name)) {
      if (!flags.includes(`no-${o.name}`)) flags.push(`no-${o.name}`);
    } else {
      const shown = o.negated ? `no-${o.name}` : o.name;
      const why = WHY_REFUSED[o.name] ?? `Gatehouse never offers ${o.name}, so granting it would mean nothing`;
      return R('KO_UNSUPPORTED_KEY_OPTION', {
        msg: `The key option '${shown}' can't be honoured by this bastion (${why}): the key was not added.`,
      });
    }
  }
  const from = fromList.length > 0 ? [`from="${fromList.join(',')}"`] : [];
  return R('OK', { value: { fromList, text: [...from, ...flags].join(',') } });
}
