// Reading words the way The Bastion's Getopt::Long does, with yargs-parser: shared by the split of
// bastion-level options (bastionOptions.ts) and the parsing of plugin options (plugin/options.ts),
// so that both accept the same spellings and refuse the same surprises.
import type parse from 'yargs-parser';

/** Perl's Getopt::Long accepts `-osh` for `--osh`: rewrite single-dash long names we know. */
export function normalizeLongDashes(words: readonly string[], longNames: ReadonlySet<string>): string[] {
  return words.map((w) => {
    const m = /^-([a-zA-Z][a-zA-Z0-9-]+)(=.*)?$/.exec(w);
    return m?.[1] && longNames.has(m[1]) ? `-${w}` : w;
  });
}

/**
 * yargs-parser settings for Getopt::Long-like reading: names and values kept as typed (no
 * camelCase or dot expansion, numbers stay text), no `-abc` groups, unknown words handed back
 * rather than guessed at. Each caller adds how it keeps a repeated option.
 */
export const GETOPT_LIKE = {
  'camel-case-expansion': false,
  'dot-notation': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'boolean-negation': false,
  // Even with boolean-negation off, yargs-parser still reads `--no-X` against a known X and drops
  // the word (`--no-json`, or `--no-confirm` for a declared `confirm`); a prefix that can never
  // occur (words never hold NUL) leaves such words alone, to be refused or passed on.
  'negation-prefix': '\0',
  'unknown-options-as-args': true,
  'short-option-groups': false,
  'greedy-arrays': false,
  'strip-aliased': true,
} as const satisfies Partial<parse.Configuration>;
