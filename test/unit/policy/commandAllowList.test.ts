// Command allow-lists: how a requested command is read as words (and each construct refused), how
// patterns match, what is sent to the target, and how a group-scoped rule narrows the grants.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  checkCommand,
  formatPattern,
  MAX_PATTERN_LENGTH,
  matchPattern,
  parsePattern,
  quoteCommand,
  quoteWord,
  splitCommand,
  type CommandRule,
  type PatternToken,
} from '../../../src/policy/commandAllowList.js';

function words(text: string): string[] {
  const r = splitCommand(text);
  if (!r.ok) throw new Error(`refused: ${text}: ${r.msg}`);
  return r.value;
}

function refusal(text: string): string {
  const r = splitCommand(text);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(text)} as ${JSON.stringify(r.value)}`);
  return r.msg;
}

function tokens(text: string): PatternToken[] {
  const r = parsePattern(text);
  if (!r.ok) throw new Error(`pattern refused: ${text}: ${r.msg}`);
  return r.value;
}

function patternRefusal(text: string): string {
  const r = parsePattern(text);
  if (r.ok) throw new Error(`pattern accepted: ${text}`);
  return r.msg;
}

const matches = (pattern: string, command: string): boolean => matchPattern(tokens(pattern), words(command));

test('words are split on blanks; quotes group and join as a POSIX shell reads them', () => {
  assert.deepEqual(words('systemctl status nginx'), ['systemctl', 'status', 'nginx']);
  assert.deepEqual(words('  uname \t -a  '), ['uname', '-a']);
  assert.deepEqual(words('grep "a b" f'), ['grep', 'a b', 'f']);
  assert.deepEqual(words("grep 'a b' f"), ['grep', 'a b', 'f']);
  assert.deepEqual(words(`a'b c'"d e"f`), ['ab cd ef']);
  assert.deepEqual(words("printf '' x"), ['printf', '', 'x'], "'' is the empty word");
  assert.deepEqual(words('""'), ['']);
  assert.deepEqual(words(`echo "it's"`), ['echo', "it's"]);
  assert.deepEqual(words(`echo 'say "hi"'`), ['echo', 'say "hi"']);
  assert.deepEqual(words('dd if=/dev/zero of=/tmp/x bs=1M count=1'), ['dd', 'if=/dev/zero', 'of=/tmp/x', 'bs=1M', 'count=1'], '= is plain after the first word');
  assert.deepEqual(words('git log HEAD^ --format=%H,%s user@host:x +1 é'), ['git', 'log', 'HEAD^', '--format=%H,%s', 'user@host:x', '+1', 'é']);
  assert.deepEqual(words(''), []);
  assert.deepEqual(words('   '), []);
});

test('inside single quotes everything but a control character is literal', () => {
  assert.deepEqual(words(`grep 'a|b;c&d$(e)\`f\`<g>{h}\\i*?[j]~#!' f`), ['grep', 'a|b;c&d$(e)`f`<g>{h}\\i*?[j]~#!', 'f']);
});

test('inside double quotes only $, ` and \\ are refused (a shell would still expand them)', () => {
  assert.deepEqual(words('grep "a|b;c&d(e)<g>{h}*?[j]~#!" f'), ['grep', 'a|b;c&d(e)<g>{h}*?[j]~#!', 'f']);
  assert.match(refusal('echo "$HOME"'), /'\$' inside double quotes \(an expansion; single quotes keep it literal\) at character 7/);
  assert.match(refusal('echo "`id`"'), /'`' inside double quotes \(a command substitution/);
  assert.match(refusal('echo "a\\"b"'), /'\\' inside double quotes \(an escape/);
});

test('every shell metacharacter outside quotes is refused, saying what it would have meant and where', () => {
  const cases: [string, RegExp][] = [
    ['ls; id', /unquoted ';' \(a command separator\) at character 3/],
    ['ls && id', /unquoted '&' \(a command separator\) at character 4/],
    ['sleep 1 &', /unquoted '&'/],
    ['cat f | sh', /unquoted '\|' \(a pipe\) at character 7/],
    ['cat < /etc/shadow', /unquoted '<' \(a redirection\)/],
    ['echo x > /etc/passwd', /unquoted '>' \(a redirection\)/],
    ['echo x>>f', /unquoted '>'/],
    ['(id)', /unquoted '\(' \(a subshell\) at character 1/],
    ['echo $(id)', /unquoted '\$' \(an expansion\) at character 6/],
    ['echo $HOME', /unquoted '\$' \(an expansion\)/],
    ['echo \u0024{x}', /unquoted '\$'/],
    ['echo `id`', /unquoted '`' \(a command substitution\)/],
    ['{ id; }', /unquoted '\{' \(a command group or brace expansion\)/],
    ['echo a{b,c}', /unquoted '\{'/],
    ['echo a}', /unquoted '\}'/],
    ['echo a\\ b', /unquoted '\\' \(an escape\)/],
    ['ls *.log', /unquoted '\*' \(a pathname expansion\)/],
    ['ls ?', /unquoted '\?' \(a pathname expansion\)/],
    ['ls [ab]', /unquoted '\[' \(a pathname expansion\)/],
    ['ls a]', /unquoted '\]'/],
    ['cat ~/.ssh/id_rsa', /unquoted '~' \(a tilde expansion\)/],
    ['ls # comment', /unquoted '#' \(a comment\)/],
    ['! true', /unquoted '!' \(a negation or history expansion\)/],
  ];
  for (const [text, why] of cases) assert.match(refusal(text), why, text);
});

test('newlines and control characters are refused anywhere, quoted or not', () => {
  assert.match(refusal('ls\nid'), /a newline at character 3/);
  assert.match(refusal("echo 'a\nb'"), /a newline at character 8/);
  assert.match(refusal('echo "a\nb"'), /a newline/);
  assert.match(refusal('ls\rid'), /a carriage return/);
  assert.match(refusal('ls\0'), /control character U\+0000/);
  assert.match(refusal('ls \x1b[2J'), /control character U\+001B/);
  assert.match(refusal('ls \x7f'), /U\+007F/);
  assert.match(refusal('ls \u0085'), /U\+0085/, 'C1 next line');
  assert.match(refusal("echo 'a\tb'"), /a tab inside quotes/);
});

test('unbalanced quotes and a leading assignment are refused', () => {
  assert.match(refusal("echo 'abc"), /an unbalanced single quote at character 6/);
  assert.match(refusal('echo "abc'), /an unbalanced double quote/);
  assert.match(refusal('PATH=/tmp ls'), /'PATH=…' as the first word is a variable assignment/);
  assert.match(refusal('_x1=y'), /assignment/);
  // Quoted, or not a name, it is an ordinary word (a shell would try to run it as a command).
  assert.deepEqual(words("'PATH=/tmp' ls"), ['PATH=/tmp', 'ls']);
  assert.deepEqual(words('1x=y'), ['1x=y']);
  assert.deepEqual(words('env PATH=/tmp ls'), ['env', 'PATH=/tmp', 'ls']);
});

test('patterns: * is one word, a trailing ** any further words, everything else literal', () => {
  assert.deepEqual(tokens('systemctl status *'), [{ kind: 'word', word: 'systemctl' }, { kind: 'word', word: 'status' }, { kind: 'any' }]);
  assert.deepEqual(tokens('ls **'), [{ kind: 'word', word: 'ls' }, { kind: 'rest' }]);
  assert.deepEqual(tokens(`grep '*' "**" f`), [
    { kind: 'word', word: 'grep' },
    { kind: 'word', word: '*' },
    { kind: 'word', word: '**' },
    { kind: 'word', word: 'f' },
  ]);
  assert.deepEqual(tokens('**'), [{ kind: 'rest' }]);

  assert.equal(matches('systemctl status *', 'systemctl status nginx'), true);
  assert.equal(matches('systemctl status *', 'systemctl status'), false, '* needs a word');
  assert.equal(matches('systemctl status *', 'systemctl status nginx sshd'), false, '* is exactly one word');
  assert.equal(matches('systemctl status *', 'systemctl restart nginx'), false);
  assert.equal(matches('systemctl status *', 'systemctl Status nginx'), false, 'literal words are compared exactly');
  assert.equal(matches('systemctl status *', "systemctl status ''"), true, '* matches the empty word');
  assert.equal(matches('systemctl status *', 'systemctl status --help'), true, '* matches an option too');
  assert.equal(matches('systemctl status *', "systemctl status 'a b; reboot'"), true, 'one word, whatever it holds (sent quoted)');
  assert.equal(matches('* status', 'anything status'), true);
  assert.equal(matches('uptime', 'uptime'), true);
  assert.equal(matches('uptime', 'uptime -p'), false);
  assert.equal(matches('journalctl -u * **', 'journalctl -u nginx'), true, '** matches zero words');
  assert.equal(matches('journalctl -u * **', 'journalctl -u nginx -n 100 --no-pager'), true);
  assert.equal(matches('journalctl -u * **', 'journalctl -u'), false, 'the * before ** still needs its word');
  assert.equal(matches('journalctl -u * **', 'journalctl -n 10'), false);
  assert.equal(matches('**', 'anything at all'), true);
  assert.equal(matches(`grep '*' f`, 'grep "*" f'), true, 'a quoted * is a literal asterisk');
  assert.equal(matches(`grep '*' f`, 'grep x f'), false);
  assert.equal(matches('grep "a b" f', "grep 'a b' f"), true, 'quoting is how words are written, not what they are');
  assert.equal(matches('grep "a b" f', 'grep a b f'), false);
});

test('patterns are refused when they hold what a command may not, or a misplaced wildcard', () => {
  assert.match(patternRefusal('systemctl status nginx*'), /'\*' stands for one whole word: write it alone, or quote it for a literal '\*' \(in word 3\)/);
  assert.match(patternRefusal("ls 'a'*"), /'\*' stands for one whole word/);
  assert.match(patternRefusal('ls ***'), /'\*' stands for one whole word/);
  assert.match(patternRefusal('ls ** -l'), /'\*\*' may only be the last word of a pattern/);
  assert.match(patternRefusal('ls ?'), /unquoted '\?'/);
  assert.match(patternRefusal('ls; id'), /unquoted ';'/);
  assert.match(patternRefusal('cat $(x)'), /unquoted '\$'/);
  assert.match(patternRefusal('a\nb'), /a newline/);
  assert.match(patternRefusal(''), /the pattern is empty/);
  assert.match(patternRefusal('   '), /the pattern is empty/);
  assert.match(patternRefusal('X=1 ls'), /variable assignment/);
  assert.match(patternRefusal('x'.repeat(MAX_PATTERN_LENGTH + 1)), new RegExp(`longer than ${MAX_PATTERN_LENGTH} characters`));
  assert.equal(parsePattern('x'.repeat(MAX_PATTERN_LENGTH)).ok, true);
});

test('formatPattern writes a pattern one way, and it reads back to the same tokens', () => {
  const cases: [string, string][] = [
    ['systemctl   status  *', 'systemctl status *'],
    [`grep "a b" '*' "**" **`, `grep 'a b' '*' '**' **`],
    [`echo "it's" ''`, `echo 'it'"'"'s' ''`],
    ['dd if=/dev/zero bs=1M', `dd 'if=/dev/zero' 'bs=1M'`],
    ['git log --format=%H,%s', `git log '--format=%H,%s'`],
    [`echo '$HOME' '~' 'a;b'`, `echo '$HOME' '~' 'a;b'`],
  ];
  for (const [given, canonical] of cases) {
    assert.equal(formatPattern(tokens(given)), canonical, given);
    assert.deepEqual(tokens(canonical), tokens(given), `${canonical} reads back`);
  }
});

const NASTY = ['', ' ', "'", "''", '"', "a'b", 'it\'s "x"', '$(id)', '`id`', '; reboot', '| sh', '> /etc/passwd', '\\', '*', '~root', '#', '!', '-rf', '--', 'é ü', 'a\tb'];

test('quoteCommand: the remote shell reads back exactly the words (checked with /bin/sh)', () => {
  const script = `for a in ${quoteCommand(NASTY)}; do printf '%s\\0' "$a"; done`;
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), NASTY);
  assert.equal(quoteWord("it's"), `'it'"'"'s'`);
  assert.equal(quoteCommand(['systemctl', 'status', 'nginx']), "'systemctl' 'status' 'nginx'");
});

test('quoteCommand: its output reads back as the same words here too (tabs aside, which quotes refuse)', () => {
  const words_ = NASTY.filter((w) => !w.includes('\t'));
  assert.deepEqual(words(quoteCommand(words_)), words_);
});

interface Grant {
  readonly type: string;
  readonly group: string | null;
}
const PERSONAL: Grant = { type: 'personal', group: null };
const WEB: Grant = { type: 'group-member', group: 'web' };
const DB_GUEST: Grant = { type: 'group-guest', group: 'db' };
const rule = (pattern: string, group: string | null = null): CommandRule => ({ pattern, group });

test('checkCommand: a matching rule allows the command, re-quoted, through every grant', () => {
  const v = checkCommand([rule('uptime'), rule('systemctl status *')], 'systemctl status "nginx"', [PERSONAL, WEB]);
  assert.deepEqual(v, { ok: true, words: ['systemctl', 'status', 'nginx'], command: "'systemctl' 'status' 'nginx'", grants: [PERSONAL, WEB] });
});

test('checkCommand: each refusal class', () => {
  const rules = [rule('systemctl status *'), rule('**', 'web')];
  const shell = { ok: false, reason: 'shell', msg: 'an interactive shell is not allowed, only a command matching a rule' };
  assert.deepEqual(checkCommand(rules, null, [PERSONAL]), shell);
  assert.deepEqual(checkCommand(rules, '', [PERSONAL]), shell);
  assert.deepEqual(checkCommand(rules, '  \t ', [PERSONAL]), shell);
  for (const c of ['systemctl status nginx; reboot', 'systemctl status $(reboot)', 'systemctl status nginx | sh', 'systemctl status\nreboot', 'systemctl status `reboot`']) {
    const v = checkCommand(rules, c, [PERSONAL, WEB]);
    assert.equal(v.ok, false, c);
    assert.equal(!v.ok && v.reason, 'syntax', c);
    assert.match(!v.ok ? v.msg : '', /^the command can't be read as plain words: /, c);
  }
  const none = checkCommand(rules, 'systemctl restart nginx', [PERSONAL]);
  assert.deepEqual(none, { ok: false, reason: 'no-rule', msg: 'no allowed command of this account matches it on this server' });
});

test('checkCommand: a group-scoped rule applies only to grants through that group, member or guest', () => {
  const rules = [rule('uptime', 'web'), rule('df -h', 'db'), rule('id')];
  assert.equal(checkCommand(rules, 'uptime', [PERSONAL]).ok, false, 'a personal access is not through web');
  assert.equal(checkCommand(rules, 'uptime', [PERSONAL, DB_GUEST]).ok, false, 'nor is a guest access of db');
  const web = checkCommand(rules, 'uptime', [PERSONAL, WEB, DB_GUEST]);
  assert.deepEqual(web.ok && web.grants, [WEB], 'the connection keeps only the grants the rule applies to');
  const db = checkCommand(rules, 'df -h', [WEB, DB_GUEST]);
  assert.deepEqual(db.ok && db.grants, [DB_GUEST], 'a guest access through db counts');
  const id = checkCommand(rules, 'id', [PERSONAL, WEB, DB_GUEST]);
  assert.deepEqual(id.ok && id.grants, [PERSONAL, WEB, DB_GUEST], 'an unscoped rule keeps every grant');
  const both = checkCommand([rule('uptime', 'web'), rule('uptime', 'db')], 'uptime', [PERSONAL, WEB, DB_GUEST]);
  assert.deepEqual(both.ok && both.grants, [WEB, DB_GUEST], 'grants keep their order');
});

test('checkCommand: a stored pattern that does not parse allows nothing (closed, not open)', () => {
  assert.equal(checkCommand([rule('ls *x')], 'ls ax', [PERSONAL]).ok, false);
  assert.equal(checkCommand([rule('')], 'ls', [PERSONAL]).ok, false);
  assert.equal(checkCommand([rule('ls *x'), rule('ls *')], 'ls ax', [PERSONAL]).ok, true);
});

test('no backtracking: long commands and patterns are read and matched in linear time', () => {
  const n = 200_000;
  const longCommand = Array.from({ length: n }, (_, i) => (i % 2 ? `'w ${i}'` : `w${i}`)).join(' ');
  const stars = `${Array.from({ length: 1000 }, () => '*').join(' ')} **`;
  const rules = [rule(stars), ...Array.from({ length: 200 }, (_, i) => rule(`w0 ${'* '.repeat(i)}nope **`))];
  const t0 = process.hrtime.bigint();
  const v = checkCommand(rules, longCommand, [PERSONAL]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(v.ok, true);
  assert.equal(v.ok && v.words.length, n);
  assert.ok(ms < 2000, `took ${ms} ms`);

  // A near miss at the very end of many words, and an unbalanced quote after a megabyte.
  const nearMiss = tokens(`${'* '.repeat(2000)}last`);
  const t1 = process.hrtime.bigint();
  assert.equal(matchPattern(nearMiss, words('a '.repeat(2001))), false);
  assert.equal(matchPattern(nearMiss, words(`${'a '.repeat(2000)}last`)), true);
  assert.match(refusal(`echo '${'a'.repeat(1_000_000)}`), /unbalanced single quote/);
  assert.match(refusal(`echo ${'"a"'.repeat(300_000)}$`), /unquoted '\$'/);
  const ms1 = Number(process.hrtime.bigint() - t1) / 1e6;
  assert.ok(ms1 < 2000, `took ${ms1} ms`);
});
