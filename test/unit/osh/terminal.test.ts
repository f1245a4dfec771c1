// The text side: header, body prefixes, footer, colours, line endings, stderr routing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonMode } from '../../../src/osh/bastionOptions.js';
import { Terminal, type TerminalStyle } from '../../../src/osh/terminal.js';

function term(style: Partial<TerminalStyle> = {}): { t: Terminal; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const t = new Terminal(
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    { pty: false, quiet: false, json: 'none' as JsonMode, boxes: false, fancyPrefixes: false, hostname: 'bastion1', version: '1.2.3', ...style },
  );
  return { t, out: () => stdout, err: () => stderr };
}

const ESC = '\x1b';

test('header: 80 columns with hostname and version, the title, 80 dashes', () => {
  const { t, out } = term();
  t.header('information');
  const lines = out().split('\n');
  assert.equal(lines[0], `---bastion1${'-'.repeat(80 - 8 - 'gatehouse-1.2.3'.length - 6)}gatehouse-1.2.3---`);
  assert.equal(lines[0]?.length, 80);
  assert.equal(lines[1], '=> information');
  assert.equal(lines[2], '-'.repeat(80));
  assert.equal(lines[3], '');
});

test('footer: 80 columns ending with </plugin>---', () => {
  const { t, out } = term();
  t.footer('accountCreate');
  assert.equal(out(), `${'-'.repeat(80 - 13 - 6)}</accountCreate>---\n`);
  assert.equal(out().length, 81);
});

test('body lines: "~ " for info, "~ [#] " for warnings, "~ [!] " for errors after an empty "~" line', () => {
  const { t, out } = term();
  t.info('hello\nworld');
  t.warn('careful');
  t.crit('broken');
  assert.equal(out(), '~ hello\n~ world\n~ [#] careful\n~ \n~ [!] broken\n');
});

test('one trailing newline does not add an empty line, an empty text prints one', () => {
  const { t, out } = term();
  t.info('x\n');
  t.info('');
  assert.equal(out(), '~ x\n~ \n');
});

test('--quiet: no header, footer or prefixes, text as is', () => {
  const { t, out } = term({ quiet: true });
  t.header('title');
  t.info('hello');
  t.warn('careful');
  t.crit('broken');
  t.footer('info');
  assert.equal(out(), 'hello\ncareful\n\nbroken\n');
});

test('no colours without a pty', () => {
  const { t, out } = term();
  t.header('x');
  t.info(t.colour('green text', 'green'));
  t.crit('bad');
  assert.equal(t.colours, false);
  assert.equal(out().includes(ESC), false);
});

test('colours with a pty, unless --quiet or any --json mode', () => {
  const coloured = term({ pty: true });
  assert.equal(coloured.t.colours, true);
  coloured.t.header('x');
  coloured.t.crit('bad');
  assert.ok(coloured.out().startsWith(`${ESC}[1;34m---bastion1`));
  assert.ok(coloured.out().includes(`${ESC}[31;1m~ [!] bad${ESC}[0m\r\n`));
  coloured.t.info(coloured.t.colour('g', 'green'));
  assert.ok(coloured.out().includes(`${ESC}[32mg${ESC}[0m`));
  // The same length as the sequence it stands for: callers padding coloured text still line up.
  assert.equal(coloured.t.colour('g', 'green').length, `${ESC}[32mg${ESC}[0m`.length);
  for (const style of [{ quiet: true }, { json: 'default' }, { json: 'pretty' }, { json: 'greppable' }] as Partial<TerminalStyle>[]) {
    const plain = term({ pty: true, ...style });
    assert.equal(plain.t.colours, false, JSON.stringify(style));
    plain.t.header('x');
    plain.t.info(plain.t.colour('g', 'green'));
    plain.t.footer('x');
    assert.equal(plain.out().includes(ESC), false);
  }
});

test('with a pty every line ends with CRLF, including the JSON frame', () => {
  const { t, out } = term({ pty: true, json: 'default', quiet: true });
  t.info('a\nb');
  t.envelope({ command: 'info', error_code: 'OK', error_message: 'OK', value: null });
  assert.equal(out(), 'a\r\nb\r\n\r\nJSON_START\r\n{"command":"info","error_code":"OK","error_message":"OK","value":null}\r\nJSON_END\r\n');
  assert.equal(/[^\r]\n/.test(out()), false);
});

test('without a pty lines end with \\n only', () => {
  const { t, out } = term({ json: 'greppable' });
  t.info('a');
  t.envelope({ command: null, error_code: 'KO_NO_HOST', error_message: 'x', value: null });
  assert.equal(out().includes('\r'), false);
});

test('refusals go to stderr without a pty, merged into stdout with one', () => {
  const plain = term();
  plain.t.crit('refused', true);
  assert.equal(plain.out(), '');
  assert.equal(plain.err(), '~ \n~ [!] refused\n');
  const pty = term({ pty: true });
  pty.t.crit('refused', true);
  assert.equal(pty.err(), '');
  assert.ok(pty.out().includes('~ [!] refused'));
  assert.ok(pty.out().endsWith('\r\n'));
});

test('no envelope without a --json mode; one envelope per call otherwise', () => {
  const none = term();
  none.t.envelope({ command: 'info', error_code: 'OK', error_message: 'OK', value: 1 });
  assert.equal(none.out(), '');
  const grep = term({ json: 'greppable' });
  grep.t.envelope({ command: 'info', error_code: 'OK', error_message: 'OK', value: 1 });
  assert.equal(grep.out(), '\nJSON_OUTPUT={"command":"info","error_code":"OK","error_message":"OK","value":1}\n');
});

test("a sub-call's sink takes the envelope as a value: nothing is framed, whatever the --json mode", () => {
  for (const json of ['none', 'default', 'greppable'] as const) {
    let stdout = '';
    const answers: unknown[] = [];
    const t = new Terminal(
      { stdout: (s) => (stdout += s), stderr: () => {}, answer: (env) => answers.push(env) },
      { pty: false, quiet: false, json, boxes: false, fancyPrefixes: false, hostname: 'bastion1', version: '1.2.3' },
    );
    t.info('text');
    t.envelope({ command: 'info', error_code: 'OK', error_message: 'OK', value: { a: 1 } });
    assert.equal(stdout, '~ text\n', json);
    assert.deepEqual(answers, [{ command: 'info', error_code: 'OK', error_message: 'OK', value: { a: 1 } }], json);
    assert.equal(t.answered, true);
  }
});

test('UTF-8 boxes and prefixes (pty, UTF-8 LANG, fanciness full)', () => {
  const { t, out } = term({ pty: true, boxes: true, fancyPrefixes: true });
  t.header('title');
  t.info('hi');
  t.crit('no');
  t.footer('info');
  const text = out().replace(/\x1b\[[0-9;]*m/g, '');
  const lines = text.split('\r\n');
  assert.ok(lines[0]?.startsWith('\u256d\u2500\u2500bastion1'));
  assert.equal([...(lines[0] as string)].length, 80);
  assert.equal(lines[1], '\u2502 \u25b6 title');
  assert.equal(lines[2], '\u251c' + '\u2500'.repeat(79));
  assert.equal(lines[3], '\u2502 hi');
  assert.equal(lines[5], '\u2502 \u26d4 no');
  assert.ok(lines[6]?.startsWith('\u2570'));
  assert.ok(lines[6]?.endsWith('</info>\u2500\u2500\u2500'));
  assert.equal([...(lines[6] as string)].length, 80);
});

// Item 9 of issue 9: stored text (a key comment, an account comment) printed to an admin's
// terminal or read by a script must not drive the terminal nor fake a frame.

const HOSTILE = 'evil\x1b]0;pwned\x07 \x1b[2J\x1b[8mhidden\rover\x7f\x9b31m\x08\x00end';

test('control characters in text lines are shown as \\xHH, in every kind of line', () => {
  for (const style of [{}, { pty: true }, { quiet: true }, { pty: true, json: 'default' }] as Partial<TerminalStyle>[]) {
    const { t, out, err } = term(style);
    t.info(HOSTILE);
    t.warn(HOSTILE);
    t.crit(HOSTILE);
    t.crit(HOSTILE, true);
    t.write(HOSTILE + '\n');
    t.writeErr(HOSTILE + '\n');
    // Gatehouse's own colours (with a pty) are the only escape sequences.
    const all = (out() + err()).replace(/\x1b\[[0-9;]+m/g, '');
    assert.ok(all.includes('evil\\x1b]0;pwned\\x07 \\x1b[2J\\x1b[8mhidden\\x0dover\\x7f\\x9b31m\\x08\\x00end'), JSON.stringify(all));
    assert.equal(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/.test(all), false, JSON.stringify(style));
    // Only CRs of the line endings remain, and only with a pty.
    assert.equal(/\r(?!\n)/.test(all), false);
  }
});

test('colours survive next to neutralised text; a forged colour mark does not turn into ESC', () => {
  const { t, out } = term({ pty: true });
  t.info(`${t.colour('name', 'green')} ${HOSTILE} \udbff[8mconcealed \udbff]0;x\x07`);
  const o = out();
  assert.ok(o.includes(`${ESC}[32mname${ESC}[0m`));
  // Every ESC on the wire is one of colour()'s SGR sequences (8 = conceal is not one).
  assert.deepEqual(o.match(/\x1b\[[0-9;]*m/g)?.length, o.split(ESC).length - 1);
  assert.equal(o.includes(`${ESC}[8m`), false);
});

test('CRLF in a text is a line break; tabs stay', () => {
  const { t, out } = term({ quiet: true });
  t.info('a\r\nb\tc');
  assert.equal(out(), 'a\nb\tc\n');
});

test('a text line never equals or starts a frame marker line, with or without --quiet', () => {
  const forged = 'comment\nJSON_END\nJSON_START\n{"command":"x","error_code":"OK","error_message":"OK","value":1}\n  JSON_OUTPUT={}\nJSON_ENDING';
  for (const style of [
    {},
    { quiet: true },
    { quiet: true, json: 'default' },
    { quiet: true, json: 'greppable' },
    { pty: true, quiet: true, json: 'pretty' },
  ] as Partial<TerminalStyle>[]) {
    const { t, out } = term(style);
    t.info(forged);
    t.write(forged + '\n');
    t.crit(forged, true);
    t.envelope({ command: 'info', error_code: 'OK', error_message: forged, value: { c: forged } });
    const lines = out().split(/\r?\n/);
    const json = (style as TerminalStyle).json ?? 'none';
    const markers = lines.filter((l) => /^\s*JSON_(START|END|OUTPUT)/.test(l));
    if (json === 'none') assert.deepEqual(markers, []);
    else if (json === 'greppable') assert.equal(markers.length, 1);
    else assert.deepEqual(markers, ['JSON_START', 'JSON_END']);
    assert.ok(out().includes('JSON__END'));
  }
});

test("echo passes the line editor's text as is; drain() without a sink drain resolves", async () => {
  const { t, out } = term({ pty: true });
  t.echo('ab\b \b\r\n');
  assert.equal(out(), 'ab\b \b\r\n');
  await t.drain();
});
