// Parses a plugin's words against its declaration. Unknown options, missing values, stray words
// and malformed integers are ERR_BAD_OPTIONS; a missing required option is ERR_MISSING_PARAMETER
// (with the declaration's `missingMessage`, if any); two options declared in `conflicts` given
// together are ERR_INCOMPATIBLE_PARAMETERS; a value outside `choices`, `pattern` or a range is
// ERR_INVALID_PARAMETER (or the declaration's `invalidCode` and `invalidMessage`); an absent
// option with a `default` gets it. Handlers never see raw words.
import parse from 'yargs-parser';
import { GETOPT_LIKE, normalizeLongDashes } from './getopt.js';
import { R, type Result } from '../kernel/result.js';
import type { IntegerOption, ListOption, OptionDecls, StringOption } from './define.js';

/** What parsing and the audit trail need from a declaration: derived once per plugin, as declarations never change. */
interface OptionTable {
  /** Names and aliases longer than one letter (for normalizeLongDashes). */
  readonly longNames: ReadonlySet<string>;
  /** Names and aliases of the options declared secret. */
  readonly secret: ReadonlySet<string>;
  /** Every name and alias, to the option it names (a name wins over another option's alias). */
  readonly names: ReadonlyMap<string, string>;
  readonly yargs: parse.Options;
}

const tables = new WeakMap<OptionDecls, OptionTable>();

function optionTable(decls: OptionDecls): OptionTable {
  const known = tables.get(decls);
  if (known) return known;
  const strings: string[] = [];
  const booleans: string[] = [];
  const arrays: string[] = [];
  const alias: Record<string, string[]> = {};
  const longNames = new Set<string>();
  const secret = new Set<string>();
  const names = new Map<string, string>(Object.keys(decls).map((n) => [n, n]));
  for (const [name, d] of Object.entries(decls)) {
    if (d.type === 'boolean') booleans.push(name);
    else if (d.type === 'list') arrays.push(name);
    else strings.push(name);
    if (d.alias) alias[name] = [...d.alias];
    for (const a of d.alias ?? []) if (!names.has(a)) names.set(a, name);
    for (const n of [name, ...(d.alias ?? [])]) {
      if (n.length > 1) longNames.add(n);
      if (d.secret) secret.add(n);
    }
  }
  const table: OptionTable = {
    longNames,
    secret,
    names,
    yargs: {
      string: strings,
      boolean: booleans,
      array: arrays.map((key) => ({ key, string: true })),
      alias,
      configuration: {
        ...GETOPT_LIKE,
        // Every value of a repeated option is kept: lists collect them, the others refuse them below.
        'duplicate-arguments-array': true,
        'flatten-duplicate-arrays': true,
      },
    },
  };
  tables.set(decls, table);
  return table;
}

/** The option names (aliases included) whose values the audit trail must not keep. */
export function secretOptionNames(decls: OptionDecls): ReadonlySet<string> {
  return optionTable(decls).secret;
}

export function parsePluginOptions(decls: OptionDecls, words: readonly string[]): Result<Record<string, unknown>> {
  const table = optionTable(decls);
  // A declared non-boolean option takes the next word as its value, whatever it looks like (a
  // comment may start with a dash), like Getopt::Long. Joining `--name value` into `--name=value`
  // keeps yargs from reading the value as an option; a value that is missing is an error.
  // Option names are resolved here, not by yargs: its unknown-option test lets `--comment-x`,
  // `--comment.x` or `--no-flag` through as "known" and then drops them silently. After this
  // pass yargs only sees declared names in canonical form, and bare words (strays).
  const normalized: string[] = [];
  const input = normalizeLongDashes(words, table.longNames);
  for (let i = 0; i < input.length; i++) {
    const w = input[i] as string;
    if (!w.startsWith('-') || w === '-') {
      normalized.push(w);
      continue;
    }
    const m = /^--?([^=]+)(=[\s\S]*)?$/.exec(w);
    const name = m?.[1] === undefined ? undefined : table.names.get(m[1]);
    if (m === null || name === undefined) {
      return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: unknown option ${w.replace(/=[\s\S]*$/, '')}` });
    }
    if (decls[name]?.type === 'boolean') {
      if (m[2] !== undefined) return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: option --${name} takes no value` });
      normalized.push(`--${name}`);
      continue;
    }
    if (m[2] !== undefined) {
      normalized.push(`--${name}${m[2]}`);
      continue;
    }
    const next = input[i + 1];
    if (next === undefined) {
      return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: option --${name} requires a value` });
    }
    normalized.push(`--${name}=${next}`);
    i++;
  }
  const out = parse.detailed(normalized, table.yargs);
  if (out.error) return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: ${out.error.message}` });
  const a = out.argv as Record<string, unknown>;
  const stray = (a['_'] as unknown[]).map(String);
  const glue = Object.entries(decls).find(([n, d]) => d.type === 'string' && d.gluesStrayWords && typeof a[n] === 'string');
  if (glue && stray.length > 0 && stray.every((w) => !w.startsWith('-'))) {
    a[glue[0]] = [a[glue[0]] as string, ...stray].join(' ');
    stray.length = 0;
  }
  if (stray.length > 0) {
    const first = stray[0] as string;
    const what = first.startsWith('-') ? `unknown option ${first}` : `unexpected argument '${first}'`;
    return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: ${what}` });
  }
  // Passes over every option in declaration order, so that which refusal a call gets doesn't
  // depend on the order of the declaration: what could not be read at all (Getopt::Long fails
  // before a plugin body runs), then what is missing, then options given together that can't be,
  // then what is not an accepted value (a plugin tests presence first, then validity).
  const lists = new Map<string, string[]>();
  const scalars = new Map<string, string | undefined>();
  /** The options the words gave (an empty value of an `emptyIsMissing` option is not given). */
  const present = new Set<string>();
  const values: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(decls)) {
    const raw = a[name];
    if (d.type === 'boolean') {
      if (Array.isArray(raw)) return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: --${name} given twice` });
      values[name] = raw === true;
      if (raw === true) present.add(name);
    } else if (d.type === 'list') {
      const all = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
      lists.set(name, all);
      if (all.length > 0) present.add(name);
    } else {
      if (Array.isArray(raw)) return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: --${name} given more than once` });
      let s = raw === undefined ? undefined : String(raw);
      if (s === '' && d.type === 'string' && d.emptyIsMissing) s = undefined;
      if (s !== undefined) present.add(name);
      s ??= d.default === undefined ? undefined : String(d.default);
      if (d.type === 'integer' && s !== undefined && !/^-?\d{1,15}$/.test(s)) {
        return R('ERR_BAD_OPTIONS', { msg: `Error parsing options: value "${s}" invalid for option --${name} (number expected)` });
      }
      scalars.set(name, s);
    }
  }
  for (const [name, d] of Object.entries(decls)) {
    if (d.type === 'boolean' || !d.required) continue;
    if (d.type === 'list' ? lists.get(name)?.length === 0 : scalars.get(name) === undefined) return missing(name, d);
  }
  for (const [name, d] of Object.entries(decls)) {
    for (const [other, msg] of Object.entries(d.conflicts ?? {})) {
      if (present.has(name) && present.has(other)) return R('ERR_INCOMPATIBLE_PARAMETERS', { msg });
    }
  }
  for (const [name, d] of Object.entries(decls)) {
    if (d.type === 'boolean') continue;
    if (d.type === 'list') {
      const all = lists.get(name) ?? [];
      for (const v of all) {
        const refused = checkValue(name, d, v);
        if (refused) return refused;
      }
      values[name] = all;
      continue;
    }
    const v = scalars.get(name);
    if (v !== undefined && d.type === 'integer') {
      const n = Number(v);
      if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
        return invalid(name, d, `must be between ${d.min ?? '-inf'} and ${d.max ?? 'inf'}`, v);
      }
      values[name] = n;
      continue;
    }
    if (v !== undefined && d.type === 'string') {
      const refused = checkValue(name, d, v);
      if (refused) return refused;
    }
    values[name] = v;
  }
  return R('OK', { value: values });
}

/** `choices` then `pattern`: the refusal, or null when the value passes. */
function checkValue(name: string, d: StringOption | ListOption, value: string): Result<Record<string, unknown>> | null {
  if (d.choices && !d.choices.includes(value)) return invalid(name, d, `must be one of: ${d.choices.join(', ')}`, value);
  if (d.pattern && !d.pattern.regex.test(value)) return invalid(name, d, `must be ${d.pattern.accepts}`, value);
  return null;
}

/**
 * The one shape of a refused value: `Value of --NAME must …, not 'VALUE'` (a secret is not
 * echoed), or the declared `invalidMessage`; with the declared code.
 */
function invalid(name: string, d: StringOption | IntegerOption | ListOption, rule: string, value: string): Result<Record<string, unknown>> {
  const shown = d.secret ? '' : `, not '${value}'`;
  const worded = typeof d.invalidMessage === 'function' ? d.invalidMessage(value) : d.invalidMessage;
  return R(d.invalidCode ?? 'ERR_INVALID_PARAMETER', { msg: worded ?? `Value of --${name} ${rule}${shown}` });
}

function missing(name: string, d: StringOption | IntegerOption | ListOption): Result<Record<string, unknown>> {
  return R('ERR_MISSING_PARAMETER', { msg: d.missingMessage ?? `Missing mandatory parameter --${name}` });
}
