// bastion.conf: The Bastion's format, validation with per-key fallbacks, live reload, and the
// adminAccounts editor used by setup-admin.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { addAdminAccount } from '../../../src/config/edit.js';
import { ConfigSyntaxError, parseConfigText, readConfigObject, stripComments, validateConfig } from '../../../src/config/parse.js';
import { fileConfig, fixedConfig } from '../../../src/config/source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmpFile = (text?: string): string => {
  const f = path.join(dir, `bastion${++n}.conf`);
  if (text !== undefined) fs.writeFileSync(f, text);
  return f;
};

interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}
function memoryLog(): { log: { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void }; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (obj: object, msg = '') =>
      void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { log: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

test("The Bastion's shipped layout parses: # comment lines, indented ones, #@ doc lines", () => {
  const text = [
    '###############',
    '## Main config',
    '#@ .. note::',
    '{',
    '# bastionName (string)',
    '   # an indented comment',
    '"bastionName": "mybastion",',
    '"adminAccounts": ["alice"],',
    '"accountMaxInactiveDays": 30',
    '}',
  ].join('\n');
  const { config, warnings } = parseConfigText(text);
  assert.deepEqual(warnings, []);
  assert.equal(config.bastionName, 'mybastion');
  assert.deepEqual(config.adminAccounts, ['alice']);
  assert.equal(config.accountMaxInactiveDays, 30);
});

test('a # inside a line or a string is data, not a comment', () => {
  const { config } = parseConfigText('{ "bastionCommand": "ssh ACCOUNT@HOSTNAME -t -- # x" }');
  assert.equal(config.bastionCommand, 'ssh ACCOUNT@HOSTNAME -t -- # x');
});

test('// line comments outside strings and /** */ blocks, as json_load removes them', () => {
  const text = '{\n"bastionName": "b1", // the name\n/** a block\nover lines */\n"bastionCommand": "ssh http://x \\"//\\" ACCOUNT@HOSTNAME"\n}\n';
  const { config } = parseConfigText(text);
  assert.equal(config.bastionName, 'b1');
  assert.equal(config.bastionCommand, 'ssh http://x "//" ACCOUNT@HOSTNAME');
});

test('stripComments keeps every offset and line', () => {
  const text = '# c\n{"a": 1} // x\n/** y\n z */ {}\n';
  const out = stripComments(text);
  assert.equal(out.length, text.length);
  assert.equal(out.split('\n').length, text.split('\n').length);
  assert.equal(out.indexOf('{"a": 1}'), text.indexOf('{"a": 1}'));
});

test('outer braces may be left out; a byte-order mark is ignored', () => {
  assert.equal(parseConfigText('"bastionName": "nobraces"\n').config.bastionName, 'nobraces');
  assert.equal(parseConfigText('\uFEFF{"bastionName": "bom"}').config.bastionName, 'bom');
});

test('an empty or comment-only file is the defaults', () => {
  const { config, warnings } = parseConfigText('# nothing\n\n');
  assert.deepEqual(warnings, []);
  assert.equal(config.bastionName, 'fix-my-config-please-missing-bastion-name');
  assert.deepEqual(config.listen, ['127.0.0.1:2222']);
  assert.equal(config.dataDir, './data');
  assert.equal(config.hostKeysDir, './hostkeys');
});

test('syntax errors and a non-object top level are ConfigSyntaxError', () => {
  assert.throws(() => readConfigObject('{ "a": 1, }'), ConfigSyntaxError);
  assert.throws(() => readConfigObject('{ "a": '), /not valid JSON/);
  assert.throws(() => readConfigObject('[1, 2]'), ConfigSyntaxError);
  assert.throws(() => readConfigObject('"just a string"'), ConfigSyntaxError);
  assert.throws(() => readConfigObject('{}\n{}'), ConfigSyntaxError);
});

test('an invalid value falls back to its default with a warning; unknown keys are reported', () => {
  const { config, warnings } = validateConfig({
    bastionName: 'bad name!',
    accountMaxInactiveDays: -1,
    maxAuthTries: 'six',
    fanciness: 'loud',
    adminAccounts: 'alice',
    ingressKeysFrom: ['10.0.0.0/8', 'not an ip'],
    interactiveModeAllowed: 'maybe',
    somethingElse: 1,
  });
  assert.equal(config.bastionName, 'fix-my-config-please-missing-bastion-name');
  assert.equal(config.accountMaxInactiveDays, 0);
  assert.equal(config.maxAuthTries, 6);
  assert.equal(config.fanciness, 'full');
  assert.deepEqual(config.adminAccounts, []);
  assert.deepEqual(config.ingressKeysFrom, []);
  assert.equal(config.interactiveModeAllowed, false);
  for (const k of ['bastionName', 'accountMaxInactiveDays', 'maxAuthTries', 'fanciness', 'adminAccounts', 'ingressKeysFrom', 'interactiveModeAllowed', 'somethingElse']) {
    assert.ok(
      warnings.some((w) => w.includes(`'${k}'`)),
      `no warning for ${k}: ${warnings.join('; ')}`,
    );
  }
});

test("The Bastion's boolean casting and numeric strings", () => {
  const c = validateConfig({ interactiveModeAllowed: 1, readOnlySlaveMode: 'no', moshAllowed: '1', accountMaxInactiveDays: '15' }).config;
  assert.equal(c.interactiveModeAllowed, true);
  assert.equal(c.readOnlySlaveMode, false);
  assert.equal(c.moshAllowed, true);
  assert.equal(c.accountMaxInactiveDays, 15);
});

test('deprecated names still work; the new name wins when both are there', () => {
  assert.deepEqual(validateConfig({ adminLogins: ['old'] }).config.adminAccounts, ['old']);
  assert.deepEqual(validateConfig({ adminLogins: ['old'], adminAccounts: ['new'] }).config.adminAccounts, ['new']);
  assert.deepEqual(validateConfig({ ipWhiteList: ['10.0.0.0/8'] }).config.ingressKeysFrom, ['10.0.0.0/8']);
  assert.equal(validateConfig({ cacheName: 'legacy' }).config.bastionName, 'legacy');
});

test('the configuration is frozen', () => {
  const c = fixedConfig({ adminAccounts: ['a'] }).current();
  assert.throws(() => ((c as unknown as Record<string, unknown>)['bastionName'] = 'x'));
  assert.throws(() => (c.adminAccounts as string[]).push('b'));
});

test('fileConfig: edits apply on the next read, without a restart', () => {
  const file = tmpFile('{"bastionName": "one"}');
  const { log } = memoryLog();
  const src = fileConfig(file, log);
  assert.equal(src.current().bastionName, 'one');
  fs.writeFileSync(file, '# now with a comment\n{"bastionName": "second"}');
  assert.equal(src.current().bastionName, 'second');
  const tmp = `${file}.new`;
  fs.writeFileSync(tmp, '{"bastionName": "third"}');
  fs.renameSync(tmp, file);
  assert.equal(src.current().bastionName, 'third');
});

test('fileConfig: a broken file keeps the last good configuration and logs why, once', () => {
  const file = tmpFile('{"bastionName": "good", "adminAccounts": ["alice"]}');
  const { log, lines } = memoryLog();
  const src = fileConfig(file, log);
  fs.writeFileSync(file, '{"bastionName": "broken",, }');
  assert.equal(src.current().bastionName, 'good');
  assert.deepEqual(src.current().adminAccounts, ['alice']);
  const errors = lines.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.msg ?? '', /keeping the last good one/);
  assert.match(String(errors[0]?.obj['err']), /not valid JSON/);
  assert.equal(errors[0]?.obj['config'], file);
  fs.writeFileSync(file, '{"bastionName": "fixed"}');
  assert.equal(src.current().bastionName, 'fixed');
});

test('fileConfig: a file that disappears keeps the last good configuration', () => {
  const file = tmpFile('{"bastionName": "kept"}');
  const { log, lines } = memoryLog();
  const src = fileConfig(file, log);
  fs.rmSync(file);
  assert.equal(src.current().bastionName, 'kept');
  assert.ok(lines.some((l) => l.level === 'error' && /missing/.test(l.msg)));
});

test('fileConfig: no file at all is the defaults; command-line overrides win over the file', () => {
  const { log } = memoryLog();
  const absent = fileConfig(path.join(dir, 'absent.conf'), log, { dataDir: '/x' });
  assert.equal(absent.current().bastionName, 'fix-my-config-please-missing-bastion-name');
  assert.equal(absent.current().dataDir, '/x');
  const file = tmpFile('{"dataDir": "/from-file", "listen": ["127.0.0.1:1"]}');
  const src = fileConfig(file, log, { listen: ['127.0.0.1:2'] });
  assert.deepEqual(src.current().listen, ['127.0.0.1:2']);
  assert.equal(src.current().dataDir, '/from-file');
});

test('fileConfig: invalid values are logged as warnings, the rest applies', () => {
  const file = tmpFile('{"bastionName": "ok", "maxAuthTries": 0}');
  const { log, lines } = memoryLog();
  const src = fileConfig(file, log);
  assert.equal(src.current().bastionName, 'ok');
  assert.equal(src.current().maxAuthTries, 6);
  assert.ok(lines.some((l) => l.level === 'warn' && /maxAuthTries/.test(l.msg)));
});

test('addAdminAccount creates a missing file that parses and says what it is', () => {
  const file = tmpFile();
  assert.equal(addAdminAccount(file, 'alice'), 'added');
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /^# /);
  assert.deepEqual(parseConfigText(text).config.adminAccounts, ['alice']);
  assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  assert.equal(addAdminAccount(file, 'alice'), 'present');
});

test('addAdminAccount edits in place: comments, layout and other keys stay', () => {
  const original = [
    '# header comment',
    '{',
    '# "adminAccounts": ["example-in-a-comment"],',
    '"bastionName": "keepme", // trailing comment',
    '"adminAccounts": [',
    '    "alice"',
    '],',
    '# superOwnerAccounts below',
    '"superOwnerAccounts": []',
    '}',
    '# footer',
    '',
  ].join('\n');
  const file = tmpFile(original);
  fs.chmodSync(file, 0o600);
  assert.equal(addAdminAccount(file, 'bob'), 'added');
  const text = fs.readFileSync(file, 'utf8');
  for (const kept of ['# header comment', '# "adminAccounts": ["example-in-a-comment"],', '// trailing comment', '# superOwnerAccounts below', '# footer']) {
    assert.ok(text.includes(kept), `lost: ${kept}\n${text}`);
  }
  const c = parseConfigText(text).config;
  assert.deepEqual(c.adminAccounts, ['alice', 'bob']);
  assert.equal(c.bastionName, 'keepme');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the mode of an existing file is kept');
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.includes('.tmp-')),
    [],
  );
});

test('addAdminAccount inserts the key when absent, in an empty or a filled object', () => {
  const filled = tmpFile('# c {not a brace}\n{\n  "bastionName": "x"\n}\n# end\n');
  addAdminAccount(filled, 'carol');
  const t1 = fs.readFileSync(filled, 'utf8');
  assert.ok(t1.startsWith('# c {not a brace}\n{'));
  assert.ok(t1.endsWith('# end\n'));
  assert.deepEqual(parseConfigText(t1).config.adminAccounts, ['carol']);
  assert.equal(parseConfigText(t1).config.bastionName, 'x');
  const empty = tmpFile('# only\n{\n}\n# end\n');
  addAdminAccount(empty, 'dave');
  const t2 = fs.readFileSync(empty, 'utf8');
  assert.ok(t2.includes('# only') && t2.includes('# end'));
  assert.deepEqual(parseConfigText(t2).config.adminAccounts, ['dave']);
});

test('addAdminAccount keeps the admins listed under the old adminLogins name', () => {
  const file = tmpFile('{\n"adminLogins": ["legacy"]\n}\n');
  addAdminAccount(file, 'new');
  assert.deepEqual(parseConfigText(fs.readFileSync(file, 'utf8')).config.adminAccounts, ['legacy', 'new']);
});

test('addAdminAccount refuses to touch a file that does not parse', () => {
  const file = tmpFile('{ broken');
  assert.throws(() => addAdminAccount(file, 'x'), ConfigSyntaxError);
  assert.equal(fs.readFileSync(file, 'utf8'), '{ broken');
});

test('reload (SIGHUP): reads the file at once and says so, names the keys that need a restart, keeps the last good one on a bad file', () => {
  const file = tmpFile('{"bastionName":"aaa","listen":["127.0.0.1:2222"]}');
  const { log, lines } = memoryLog();
  const src = fileConfig(file, log);
  fs.writeFileSync(file, '{"bastionName":"bbb","listen":["127.0.0.1:2223"]}');
  assert.equal(src.reload(), true);
  assert.equal(src.current().bastionName, 'bbb');
  assert.ok(lines.some((l) => l.level === 'info' && l.msg === 'configuration reloaded'));
  const stale = lines.find((l) => l.msg === 'configuration: these keys are read at start only, restart to apply them');
  assert.deepEqual(stale?.obj['keys'], ['listen']);

  fs.writeFileSync(file, '{ "bastionName": ');
  assert.equal(src.reload(), false);
  assert.equal(src.current().bastionName, 'bbb');
  assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'configuration file rejected, keeping the last good one'));
  assert.equal(fixedConfig({}).reload(), true);
});
