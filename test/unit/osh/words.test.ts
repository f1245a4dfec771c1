// splitWords: the exec string back into words, like a POSIX shell without any expansion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitWords } from '../../../src/osh/words.js';

function words(input: string): string[] {
  const r = splitWords(input);
  if (!r.ok) throw new Error(`refused: ${r.error}`);
  return r.words;
}

function refusal(input: string): string {
  const r = splitWords(input);
  assert.equal(r.ok, false, `expected ${JSON.stringify(input)} to be refused`);
  return r.ok ? '' : r.error;
}

test('blanks separate words, runs of blanks and tabs count once', () => {
  assert.deepEqual(words('--osh  info\t--json'), ['--osh', 'info', '--json']);
  assert.deepEqual(words('   leading and trailing   '), ['leading', 'and', 'trailing']);
  assert.deepEqual(words(''), []);
  assert.deepEqual(words(' \t '), []);
});

test('single quotes are literal, backslashes and double quotes included', () => {
  assert.deepEqual(words(`--comment 'two words'`), ['--comment', 'two words']);
  assert.deepEqual(words(`'a\\b' 'say "hi"'`), ['a\\b', 'say "hi"']);
  assert.deepEqual(words(`'$HOME' '*' '\`id\`'`), ['$HOME', '*', '`id`']);
});

test('double quotes keep blanks; only \\" \\\\ \\$ \\` are escapes inside them', () => {
  assert.deepEqual(words(`--comment "two  words"`), ['--comment', 'two  words']);
  assert.deepEqual(words(`"a \\"quoted\\" word"`), ['a "quoted" word']);
  assert.deepEqual(words(`"back\\\\slash" "\\$x" "\\\`y\\\`"`), ['back\\slash', '$x', '`y`']);
  // Any other backslash stays as typed, as in sh.
  assert.deepEqual(words(`"a\\nb" "c\\d"`), ['a\\nb', 'c\\d']);
  assert.deepEqual(words(`"it's"`), ["it's"]);
});

test('a backslash outside quotes escapes the next character', () => {
  assert.deepEqual(words('two\\ words'), ['two words']);
  assert.deepEqual(words(`\\"quoted\\"`), ['"quoted"']);
  assert.deepEqual(words(`\\'x`), ["'x"]);
  assert.deepEqual(words('a\\\\b'), ['a\\b']);
});

test('quoted parts join the word they touch', () => {
  assert.deepEqual(words(`--comment="two words"`), ['--comment=two words']);
  assert.deepEqual(words(`a'b c'"d e"f`), ['ab cd ef']);
});

test('empty quotes make an empty word; bare empty input makes none', () => {
  assert.deepEqual(words(`--comment ''`), ['--comment', '']);
  assert.deepEqual(words(`--comment ""`), ['--comment', '']);
  assert.deepEqual(words(`'' "" x`), ['', '', 'x']);
});

test('nothing is expanded: variables, globs, operators and comments are plain text', () => {
  assert.deepEqual(words('$HOME * ? ~ a;b c|d e&&f >g <h $(id) `id` #c'), ['$HOME', '*', '?', '~', 'a;b', 'c|d', 'e&&f', '>g', '<h', '$(id)', '`id`', '#c']);
});

test('non-ASCII text passes through unchanged', () => {
  assert.deepEqual(words(`--comment "café ☕"`), ['--comment', 'café ☕']);
});

test('unterminated quotes and a trailing backslash are refused', () => {
  assert.match(refusal(`--comment 'open`), /single quote/);
  assert.match(refusal(`--comment "open`), /double quote/);
  assert.match(refusal(`"ends with escape\\"`), /double quote/);
  assert.match(refusal('trailing\\'), /backslash/);
});

test('NUL, newline and carriage return are refused anywhere', () => {
  for (const s of ['a\nb', 'a\rb', 'a\0b', `'a\nb'`, `"a\rb"`, 'a\\\nb', `'x\0'`]) {
    assert.match(refusal(s), /control characters/, JSON.stringify(s));
  }
});

test("OpenSSH's joined words split back: what The Bastion's test suite sends", () => {
  // ssh admin@bastion -- --osh accountCreate --account x --public-key "\"ssh-ed25519 AAAA c\""
  assert.deepEqual(words(`--osh accountCreate --account x --public-key "ssh-ed25519 AAAA c"`), ['--osh', 'accountCreate', '--account', 'x', '--public-key', 'ssh-ed25519 AAAA c']);
});
