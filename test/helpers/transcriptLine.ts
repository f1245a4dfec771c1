// Reading a recorded step's bash line in JS, for the forms the recording has, so the step can run
// in-process: `ssh WHO@bastion -- WORDS…`, with its stdin from a here-string (`<<< WORD`), a quoted
// here-document (`<<'END'`, the rebuilt multi-line stdins), a file of the working directory
// (`< FILE`, `</dev/null`) or a pipe from echo (`echo WORDS | ssh …`).
//
// Words are read as bash reads them: blanks split them, single quotes keep everything, double
// quotes keep everything but `\` before `$ \` " \`` and a newline, a backslash outside quotes keeps
// the next character, `$1`…`$9` are empty (the replay's `bash -c` script has no arguments), and
// an unquoted word left empty by them is dropped. What follows `WHO@bastion` is what the replay's
// `ssh` function hands OpenSSH; OpenSSH takes a first `--` as the end of its own options and sends
// the other words joined by spaces. Anything else bash could do with the line (other expansions, a
// glob that matches a file, several commands, output redirections, a shell with no command…) is
// not guessed at: the reading says why, and the step runs with bash and OpenSSH as before.
import fs from 'node:fs';
import path from 'node:path';

export interface StepLine {
  /** The account the step logs in as (the name before `@bastion`). */
  readonly who: string;
  /** The words OpenSSH sends as the exec request, joined by spaces. */
  readonly args: readonly string[];
  /** What the client sends on stdin; '' when nothing (the replay's bash has /dev/null there). */
  readonly stdin: string;
}

export type LineReading = { readonly ok: true; readonly line: StepLine } | { readonly ok: false; readonly why: string };

/** Something bash may do that this reader does not follow: the step goes through bash. */
class Unsure extends Error {}

interface Word {
  readonly kind: 'word';
  readonly value: string;
  /** Some of it came from quotes or literal characters (an unquoted word that expanded to nothing is dropped). */
  readonly present: boolean;
  /** Some of it was quoted (for a here-document delimiter: the body is then taken as is). */
  readonly quoted: boolean;
  /** The word as a pathname pattern when it has an unquoted `*` or `?`, else null. */
  readonly glob: RegExp | null;
}
type Operator = '|' | '<' | '<<' | '<<<';
type Token = Word | { readonly kind: 'op'; readonly op: Operator } | { readonly kind: 'newline' };

const BLANK = new Set([' ', '\t']);
const ENDS_WORD = new Set([' ', '\t', '\n', '|', '<', '>', '&', ';', '(', ')']);
const DOUBLE_QUOTE_ESCAPES = new Set(['$', '`', '"', '\\']);
const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

class Lexer {
  pos = 0;
  constructor(readonly text: string) {}

  private peek(k = 0): string | undefined {
    return this.text[this.pos + k];
  }

  /** `$` at `pos`: `$1`…`$9` expand to nothing; any other expansion is not followed. */
  private dollar(): void {
    const d = this.peek(1);
    if (d === undefined || !/[1-9]/.test(d)) throw new Unsure('a $ expansion other than an empty positional parameter');
    this.pos += 2;
  }

  word(): Word {
    let value = '';
    let pattern = '';
    let present = false;
    let quoted = false;
    let glob = false;
    const start = this.pos;
    const literal = (s: string, patternText = regexEscape(s)): void => {
      value += s;
      pattern += patternText;
      present = true;
    };
    for (;;) {
      const c = this.peek();
      if (c === undefined || ENDS_WORD.has(c)) break;
      if (this.pos === start && c === '#') throw new Unsure('a comment');
      // Bash expands an unquoted ~ at a word's start, and after = or : in words that look like assignments.
      if (c === '~') throw new Unsure('an unquoted ~ (tilde expansion)');
      if (c === "'") {
        const end = this.text.indexOf("'", this.pos + 1);
        if (end === -1) throw new Unsure('an unterminated single quote');
        literal(this.text.slice(this.pos + 1, end));
        quoted = true;
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        for (;;) {
          const q = this.peek();
          if (q === undefined) throw new Unsure('an unterminated double quote');
          if (q === '"') break;
          if (q === '`') throw new Unsure('a command substitution');
          if (q === '$') {
            this.dollar();
            continue;
          }
          if (q === '\\') {
            const n = this.peek(1);
            if (n === '\n') throw new Unsure('a line continuation');
            if (n !== undefined && DOUBLE_QUOTE_ESCAPES.has(n)) {
              literal(n);
              this.pos += 2;
              continue;
            }
          }
          literal(q);
          this.pos++;
        }
        quoted = true;
        present = true;
        this.pos++;
      } else if (c === '\\') {
        const n = this.peek(1);
        if (n === undefined || n === '\n') throw new Unsure('a backslash at the end of a line');
        literal(n);
        quoted = true;
        this.pos += 2;
      } else if (c === '$') {
        this.dollar();
      } else if (c === '`') {
        throw new Unsure('a command substitution');
      } else if (c === '[' || c === '{' || c === '}') {
        throw new Unsure(`an unquoted ${c} (pathname or brace expansion)`);
      } else if (c === '*' || c === '?') {
        literal(c, c === '*' ? '[^/]*' : '[^/]');
        glob = true;
        this.pos++;
      } else {
        literal(c);
        this.pos++;
      }
    }
    return { kind: 'word', value, present, quoted, glob: glob ? new RegExp(`^${pattern}$`) : null };
  }

  /** The tokens up to the end of the current line (its newline included), or of the text. */
  lineTokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) return out;
      if (BLANK.has(c)) {
        this.pos++;
      } else if (c === '\n') {
        this.pos++;
        out.push({ kind: 'newline' });
        return out;
      } else if (c === '|') {
        if (this.peek(1) === '|') throw new Unsure('a || list');
        this.pos++;
        out.push({ kind: 'op', op: '|' });
      } else if (c === '<') {
        const next = this.peek(1);
        if (next === '(' || next === '&' || next === '>') throw new Unsure(`a <${next} redirection`);
        if (next !== '<') {
          this.pos++;
          out.push({ kind: 'op', op: '<' });
        } else if (this.peek(2) === '<') {
          this.pos += 3;
          out.push({ kind: 'op', op: '<<<' });
        } else if (this.peek(2) === '-') {
          throw new Unsure('a <<- here-document');
        } else {
          this.pos += 2;
          out.push({ kind: 'op', op: '<<' });
        }
      } else if (c === '>' || c === '&' || c === ';' || c === '(' || c === ')') {
        throw new Unsure(`a ${c} (output redirection, list or subshell)`);
      } else {
        out.push(this.word());
      }
    }
  }

  /** A quoted here-document's body: the lines up to the one that is exactly `delimiter`. */
  hereDocument(delimiter: string): string {
    let body = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new Unsure('a here-document without its delimiter line');
      const nl = this.text.indexOf('\n', this.pos);
      const line = nl === -1 ? this.text.slice(this.pos) : this.text.slice(this.pos, nl);
      this.pos = nl === -1 ? this.text.length : nl + 1;
      if (line === delimiter) return body;
      body += `${line}\n`;
    }
  }
}

interface SimpleCommand {
  readonly words: Word[];
  readonly redirections: { readonly op: Exclude<Operator, '|'>; readonly target: Word }[];
}

/** The line's commands, split at `|`, and the here-document body if a `<<` asked for one. */
function commands(lexer: Lexer): { pipeline: SimpleCommand[]; hereDoc: string | null } {
  const tokens = lexer.lineTokens();
  const pipeline: SimpleCommand[] = [{ words: [], redirections: [] }];
  let hereDelimiter: string | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const current = pipeline[pipeline.length - 1] as SimpleCommand;
    if (t.kind === 'newline') break;
    if (t.kind === 'word') {
      if (t.present) current.words.push(t);
      continue;
    }
    if (t.op === '|') {
      pipeline.push({ words: [], redirections: [] });
      continue;
    }
    const target = tokens[++i];
    if (target?.kind !== 'word') throw new Unsure(`a ${t.op} without a word after it`);
    if (t.op === '<<') {
      if (!target.quoted) throw new Unsure('an unquoted here-document delimiter (its body would be expanded)');
      if (hereDelimiter !== null) throw new Unsure('two here-documents');
      hereDelimiter = target.value;
    }
    current.redirections.push({ op: t.op, target });
  }
  const hereDoc = hereDelimiter === null ? null : lexer.hereDocument(hereDelimiter);
  if (lexer.text.slice(lexer.pos).trim() !== '') throw new Unsure('more than one command line');
  return { pipeline, hereDoc };
}

/** A word as bash leaves it after pathname expansion: unchanged unless its pattern matches a file of `cwd`. */
function unglobbed(w: Word, cwd: string): string {
  if (w.glob === null) return w.value;
  if (w.value.includes('/')) throw new Unsure('a pathname pattern with a /');
  const re = w.glob;
  const matches = fs.readdirSync(cwd).filter((f) => (w.value.startsWith('.') || !f.startsWith('.')) && re.test(f));
  if (matches.length > 0) throw new Unsure(`a pattern that matches files (${matches.join(' ')})`);
  return w.value;
}

/** What `echo WORDS` writes (bash's builtin: no option word, no backslash escapes by default). */
function echoOutput(cmd: SimpleCommand, cwd: string): string {
  if (cmd.redirections.length > 0) throw new Unsure('a redirection on the command before the pipe');
  const [name, ...args] = cmd.words.map((w) => unglobbed(w, cwd));
  if (name !== 'echo') throw new Unsure(`a pipe from ${name ?? 'nothing'}, not echo`);
  if (args[0] !== undefined && /^-[neE]+$/.test(args[0])) throw new Unsure('an echo option');
  return `${args.join(' ')}\n`;
}

/** The stdin a redirection gives: a here-string's word and a newline, a file of `cwd`, or a here-document. */
function redirectedStdin(r: SimpleCommand['redirections'][number], hereDoc: string | null, cwd: string): string {
  if (r.op === '<<<') return `${r.target.value}\n`;
  if (r.op === '<<') return hereDoc ?? '';
  const file = unglobbed(r.target, cwd);
  if (file === '/dev/null') return '';
  if (file.startsWith('/dev/')) throw new Unsure(`stdin from ${file}`);
  const full = path.resolve(cwd, file);
  if (!fs.statSync(full, { throwIfNoEntry: false })?.isFile()) throw new Unsure(`stdin from ${file}, which is not a file`);
  const content = fs.readFileSync(full);
  // The in-process call takes its stdin as text: only a file that is UTF-8 text comes back byte for byte.
  const text = content.toString('utf8');
  if (!Buffer.from(text).equals(content)) throw new Unsure(`stdin from ${file}, which is not UTF-8 text`);
  return text;
}

/** The step's account, words and stdin, or why its line is left to bash. `cwd` is where it runs. */
export function readStepLine(text: string, cwd: string): LineReading {
  try {
    const { pipeline, hereDoc } = commands(new Lexer(text));
    if (pipeline.length > 2) throw new Unsure('a pipeline of more than two commands');
    const ssh = pipeline[pipeline.length - 1] as SimpleCommand;
    const piped = pipeline.length === 2 ? echoOutput(pipeline[0] as SimpleCommand, cwd) : null;
    const [name, host, ...rest] = ssh.words.map((w) => unglobbed(w, cwd));
    if (name !== 'ssh') throw new Unsure(`a command other than ssh (${name ?? 'none'})`);
    const who = /^([^@\s-][^@\s]*)@bastion$/.exec(host ?? '')?.[1];
    if (who === undefined) throw new Unsure(`a destination other than ACCOUNT@bastion (${host ?? 'none'})`);
    // OpenSSH reads options again after the destination: a first `--` ends them.
    if (rest[0] !== '--' && rest[0]?.startsWith('-') === true) throw new Unsure('an OpenSSH option after the destination');
    const args = rest[0] === '--' ? rest.slice(1) : rest;
    if (args.length === 0) throw new Unsure('no remote command (OpenSSH would ask for a shell)');
    if (ssh.redirections.length > 1) throw new Unsure('several redirections');
    const redirection = ssh.redirections[0];
    if (redirection && piped !== null) throw new Unsure('both a pipe and a redirection');
    const stdin = redirection ? redirectedStdin(redirection, hereDoc, cwd) : (piped ?? '');
    return { ok: true, line: { who, args, stdin } };
  } catch (e) {
    if (e instanceof Unsure) return { ok: false, why: e.message };
    throw e;
  }
}
