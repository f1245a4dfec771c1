// Command allow-lists for robot accounts (Gatehouse's own: The Bastion has none). An account with
// at least one rule may only run, on a target, a command that some rule allows; the egress path
// asks checkCommand once the access decision has said which grants apply (src/egress/commandCheck.ts).
//
// Reading a requested command. A command is accepted only when a POSIX shell would read it as one
// simple command made of literal words; its words are then exactly those that shell would pass to
// exec. Anything whose meaning involves the shell is refused rather than guessed at:
//   - words are separated by blanks (space, tab); '…' quotes anything but a control character
//     (literally, as sh does); "…" quotes anything but a control character, $, ` and \ (sh would
//     expand or unescape those); quoted and unquoted parts of a word join ('a'"b"c is abc; '' is
//     the empty word);
//   - refused outside quotes: ; | & (command lists, pipes, background), < > (redirections),
//     ( ) { } (subshells, groups, brace expansion), $ ` (expansions, command substitution),
//     \ (escapes), * ? [ ] (pathname expansion: the words would depend on the target's files),
//     ~ (tilde expansion), # (comments), ! (negation, history);
//   - refused anywhere, quoted or not: newlines, carriage returns and every other control
//     character (C0, DEL, C1), tab excepted as a blank between words;
//   - refused as the first word: NAME=… (sh would read an assignment, not a command);
//   - an unbalanced quote, and an empty command (an interactive shell), are refused.
// Whatever the request was, what reaches the target is re-quoted from its words (quoteCommand:
// each word in POSIX single quotes), so the remote shell sees exactly the words that matched.
// The target's login shell is taken to be a POSIX shell, as The Bastion does.
//
// Patterns. A rule's pattern is read the same way (a pattern that would be refused as a command
// is refused when it is added), with two more tokens, each an unquoted word of its own:
//   - `*` matches exactly one word, whatever it holds (the empty word and options included);
//   - `**`, only as the last word, matches any further words, zero or more.
// Every other word matches itself literally, byte for byte. A `*` inside a word (`nginx*`) is
// refused: wildcards stand for whole words only, so what a rule allows can be read off it; a
// literal asterisk is quoted ('*'). Matching is one pass over the words (no backtracking): a
// pattern of n words without `**` matches commands of exactly n words, with `**` of at least n-1.
//
// Group scope. A rule may name a group: it then allows the command only on a connection granted
// through that group (as a member or as a guest of it). A rule without a group applies to every
// grant. The verdict keeps only the grants some matching rule applies to, so the connection is
// made with those grants' keys.

/** A rule as the store gives it: the pattern's text and the group it is scoped to, or null. */
export interface CommandRule {
  readonly pattern: string;
  readonly group: string | null;
}

/** One token of a parsed pattern. */
export type PatternToken = { readonly kind: 'word'; readonly word: string } | { readonly kind: 'any' } | { readonly kind: 'rest' };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly msg: string };

/** Why a request was refused: a shell asked for, a command that can't be read as plain words, or no rule. */
export type CommandRefusal = 'shell' | 'syntax' | 'no-rule';

export type CommandVerdict<G> =
  | {
      readonly ok: true;
      /** The command's words, as matched. */
      readonly words: readonly string[];
      /** What is sent to the target: the words, each in POSIX single quotes. */
      readonly command: string;
      /** The grants, in the order given, through which a matching rule applies. */
      readonly grants: readonly G[];
    }
  | { readonly ok: false; readonly reason: CommandRefusal; readonly msg: string };

/** A pattern longer than this is refused when it is added (a command has no such limit here). */
export const MAX_PATTERN_LENGTH = 4096;

/** What each character refused outside quotes would mean to a shell (the refusal says it). */
const UNQUOTED_REFUSED: Readonly<Record<string, string>> = {
  ';': 'a command separator',
  '|': 'a pipe',
  '&': 'a command separator',
  '<': 'a redirection',
  '>': 'a redirection',
  '(': 'a subshell',
  ')': 'a subshell',
  '{': 'a command group or brace expansion',
  '}': 'a command group or brace expansion',
  $: 'an expansion',
  '`': 'a command substitution',
  '\\': 'an escape',
  '*': 'a pathname expansion',
  '?': 'a pathname expansion',
  '[': 'a pathname expansion',
  ']': 'a pathname expansion',
  '~': 'a tilde expansion',
  '#': 'a comment',
  '!': 'a negation or history expansion',
};

/** Inside "…", a shell still expands or unescapes these. */
const DOUBLE_QUOTED_REFUSED: Readonly<Record<string, string>> = {
  $: 'an expansion',
  '`': 'a command substitution',
  '\\': 'an escape',
};

/** C0 controls, DEL and C1 controls (tab is handled apart: a blank between words). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

interface ScannedWord {
  readonly text: string;
  /** No part of the word was quoted. */
  readonly bare: boolean;
  /** The word held an unquoted '*' (only scanned for patterns). */
  readonly star: boolean;
}

function controlName(c: string): string {
  if (c === '\n') return 'a newline';
  if (c === '\r') return 'a carriage return';
  if (c === '\t') return 'a tab inside quotes';
  return `the control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Splits `text` into words by the rules above. With `stars`, an unquoted '*' is kept in the word
 * and flagged (the pattern reader decides what it means); otherwise it is refused.
 */
function scan(text: string, stars: boolean): Parsed<ScannedWord[]> {
  const words: ScannedWord[] = [];
  let word = '';
  let inWord = false;
  let bare = true;
  let star = false;
  let start = 0;
  const end = (i: number): Parsed<ScannedWord[]> | null => {
    if (!inWord) return null;
    if (words.length === 0 && ASSIGNMENT.test(text.slice(start, i))) {
      return { ok: false, msg: `'${text.slice(start, i).replace(/=.*$/, '')}=…' as the first word is a variable assignment, not a command` };
    }
    words.push({ text: word, bare, star });
    word = '';
    inWord = false;
    bare = true;
    star = false;
    return null;
  };
  const refuse = (i: number, what: string): Parsed<ScannedWord[]> => ({ ok: false, msg: `${what} at character ${i + 1}` });
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t') {
      const bad = end(i);
      if (bad) return bad;
      i++;
      continue;
    }
    if (CONTROL.test(c)) return refuse(i, controlName(c));
    if (!inWord) {
      inWord = true;
      start = i;
    }
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return refuse(i, `an unbalanced ${c === "'" ? 'single' : 'double'} quote`);
      for (let j = i + 1; j < close; j++) {
        const q = text.charAt(j);
        if (CONTROL.test(q) || q === '\t') return refuse(j, controlName(q));
        const meaning = c === '"' ? DOUBLE_QUOTED_REFUSED[q] : undefined;
        if (meaning !== undefined) return refuse(j, `'${q}' inside double quotes (${meaning}; single quotes keep it literal)`);
      }
      word += text.slice(i + 1, close);
      bare = false;
      i = close + 1;
      continue;
    }
    if (c === '*' && stars) {
      star = true;
    } else {
      const meaning = UNQUOTED_REFUSED[c];
      if (meaning !== undefined) return refuse(i, `unquoted '${c}' (${meaning})`);
    }
    word += c;
    i++;
  }
  return end(text.length) ?? { ok: true, value: words };
}

/** The words of a requested command, or why it can't be read as plain words. An empty command has none. */
export function splitCommand(text: string): Parsed<string[]> {
  const s = scan(text, false);
  return s.ok ? { ok: true, value: s.value.map((w) => w.text) } : s;
}

/** A rule's pattern as tokens, or why it is refused. */
export function parsePattern(text: string): Parsed<PatternToken[]> {
  if (text.length > MAX_PATTERN_LENGTH) return { ok: false, msg: `the pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  const s = scan(text, true);
  if (!s.ok) return s;
  if (s.value.length === 0) return { ok: false, msg: 'the pattern is empty' };
  const tokens: PatternToken[] = [];
  for (const [i, w] of s.value.entries()) {
    if (w.bare && w.text === '*') tokens.push({ kind: 'any' });
    else if (w.bare && w.text === '**') {
      if (i !== s.value.length - 1) return { ok: false, msg: "'**' may only be the last word of a pattern" };
      tokens.push({ kind: 'rest' });
    } else if (w.star) {
      return { ok: false, msg: `'*' stands for one whole word: write it alone, or quote it for a literal '*' (in word ${i + 1})` };
    } else tokens.push({ kind: 'word', word: w.text });
  }
  return { ok: true, value: tokens };
}

/** Whether the words match the pattern: one pass, no backtracking (see the rules above). */
export function matchPattern(tokens: readonly PatternToken[], words: readonly string[]): boolean {
  const last = tokens.at(-1);
  const rest = last?.kind === 'rest';
  const fixed = rest ? tokens.length - 1 : tokens.length;
  if (rest ? words.length < fixed : words.length !== fixed) return false;
  for (let i = 0; i < fixed; i++) {
    const t = tokens[i] as PatternToken;
    if (t.kind === 'word' && t.word !== words[i]) return false;
  }
  return true;
}

/** One word in POSIX single quotes; a single quote inside is closed, given in double quotes, reopened. */
export function quoteWord(word: string): string {
  return `'${word.split("'").join(`'"'"'`)}'`;
}

/** The command sent to the target: every word quoted, so the remote shell reads exactly these words. */
export function quoteCommand(words: readonly string[]): string {
  return words.map(quoteWord).join(' ');
}

/** Characters a pattern's literal word may show unquoted: none means anything to a shell or to the reader. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,^-]+$/;

/** A pattern written one way: single blanks, literal words quoted only when they need it. Parses back to the same tokens. */
export function formatPattern(tokens: readonly PatternToken[]): string {
  return tokens.map((t) => (t.kind === 'any' ? '*' : t.kind === 'rest' ? '**' : PLAIN_WORD.test(t.word) ? t.word : quoteWord(t.word))).join(' ');
}

/**
 * The verdict on `command` (null: a shell) for an account whose rules are `rules` (at least one:
 * an account without rules is not restricted and is not asked about), connecting through
 * `grants`. A stored pattern that no longer parses allows nothing.
 */
export function checkCommand<G extends { readonly group: string | null }>(rules: readonly CommandRule[], command: string | null, grants: readonly G[]): CommandVerdict<G> {
  const shell: CommandVerdict<G> = { ok: false, reason: 'shell', msg: 'an interactive shell is not allowed, only a command matching a rule' };
  if (command === null) return shell;
  const split = splitCommand(command);
  if (!split.ok) return { ok: false, reason: 'syntax', msg: `the command can't be read as plain words: ${split.msg}` };
  const words = split.value;
  if (words.length === 0) return shell;
  let everyGrant = false;
  const groups = new Set<string>();
  for (const rule of rules) {
    if (everyGrant) break;
    const p = parsePattern(rule.pattern);
    if (!p.ok || !matchPattern(p.value, words)) continue;
    if (rule.group === null) everyGrant = true;
    else groups.add(rule.group);
  }
  const usable = everyGrant ? grants : grants.filter((g) => g.group !== null && groups.has(g.group));
  if (usable.length === 0) return { ok: false, reason: 'no-rule', msg: 'no allowed command of this account matches it on this server' };
  return { ok: true, words, command: quoteCommand(words), grants: usable };
}
