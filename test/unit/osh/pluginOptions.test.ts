// parsePluginOptions: a plugin's words checked against its declaration before the handler runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OptionDecls } from '../../../src/osh/define.js';
import { redactSecrets, redactWords } from '../../../src/dispatch/auditArgs.js';
import { definePlugin, type AnyPlugin } from '../../../src/osh/define.js';
import { parsePluginOptions } from '../../../src/osh/pluginOptions.js';
import { loadPlugins } from '../../../src/osh/registry.js';
import { R } from '../../../src/kernel/result.js';

const DECLS: OptionDecls = {
  account: { type: 'string', required: true, description: 'the account', alias: ['a'] },
  comment: { type: 'string', description: 'a comment' },
  uid: { type: 'integer', min: 100, max: 99999, description: 'uid' },
  ttl: { type: 'integer', description: 'any integer' },
  algo: { type: 'string', choices: ['rsa', 'ecdsa', 'ed25519'], description: 'algorithm' },
  'public-key': { type: 'list', description: 'key lines', alias: ['k'] },
  'always-active': { type: 'boolean', description: 'flag' },
  'no-confirm': { type: 'boolean', description: 'a declared flag whose name starts with no-' },
};

function ok(words: string[]): Record<string, unknown> {
  const r = parsePluginOptions(DECLS, words);
  assert.equal(r.code, 'OK', r.msg);
  assert.ok(r.value);
  return r.value;
}

function ko(words: string[], code: string, msg?: RegExp): void {
  const r = parsePluginOptions(DECLS, words);
  assert.equal(r.code, code, `${JSON.stringify(words)} gave ${r.code}: ${r.msg}`);
  assert.equal(r.value, null);
  if (msg) assert.match(r.msg, msg);
}

test('every declared option gets a typed value, defaults for the absent ones', () => {
  const v = ok(['--account', 'bob']);
  assert.deepEqual(v, {
    account: 'bob',
    comment: undefined,
    uid: undefined,
    ttl: undefined,
    algo: undefined,
    'public-key': [],
    'always-active': false,
    'no-confirm': false,
  });
});

test('--name=value, --name value, booleans', () => {
  const v = ok(['--account=bob', '--comment', 'hello world', '--always-active', '--no-confirm']);
  assert.equal(v['account'], 'bob');
  assert.equal(v['comment'], 'hello world');
  assert.equal(v['always-active'], true);
  assert.equal(v['no-confirm'], true);
});

test('an unknown option is refused, including a --no- form of a declared boolean', () => {
  ko(['--account', 'bob', '--colour'], 'ERR_BAD_OPTIONS', /unknown option --colour/);
  ko(['--account', 'bob', '-z'], 'ERR_BAD_OPTIONS', /unknown option -z/);
  ko(['--account', 'bob', '--no-always-active'], 'ERR_BAD_OPTIONS', /unknown option/);
  ko(['--account', 'bob', '--comment.x', 'y'], 'ERR_BAD_OPTIONS', /unknown option --comment\.x/);
  ko(['--account', 'bob', '--comment-x', 'y'], 'ERR_BAD_OPTIONS', /unknown option --comment-x/);
  ko(['--account', 'bob', '--uid2', '5'], 'ERR_BAD_OPTIONS', /unknown option --uid2/);
  ko(['--account', 'bob', '--__proto__', '5'], 'ERR_BAD_OPTIONS', /unknown option/);
  ko(['--account', 'bob', '--colour=red'], 'ERR_BAD_OPTIONS', /unknown option --colour$/);
});

test('a boolean given a value is refused', () => {
  ko(['--account', 'bob', '--always-active=yes'], 'ERR_BAD_OPTIONS', /takes no value/);
});

test('a stray word is refused', () => {
  ko(['--account', 'bob', 'extra'], 'ERR_BAD_OPTIONS', /unexpected argument 'extra'/);
  ko(['--always-active', 'yes', '--account', 'bob'], 'ERR_BAD_OPTIONS', /unexpected argument 'yes'/);
});

test('a missing value is refused', () => {
  ko(['--account'], 'ERR_BAD_OPTIONS', /--account requires a value/);
  ko(['--account', 'bob', '--comment'], 'ERR_BAD_OPTIONS', /--comment requires a value/);
  ko(['--account', 'bob', '--public-key'], 'ERR_BAD_OPTIONS', /--public-key requires a value/);
});

test('a value may start with a dash: the next word is taken as is', () => {
  const v = ok(['--account', 'bob', '--comment', '-- not an option', '--public-key', '--x']);
  assert.equal(v['comment'], '-- not an option');
  assert.deepEqual(v['public-key'], ['--x']);
  assert.equal(ok(['--account', '-bob'])['account'], '-bob');
  assert.equal(ok(['--account', 'bob', '--comment', '--account'])['comment'], '--account');
});

test('an empty value is a value', () => {
  assert.equal(ok(['--account', 'bob', '--comment', ''])['comment'], '');
  assert.equal(ok(['--account', 'bob', '--comment='])['comment'], '');
});

test('a required option that is absent is ERR_MISSING_PARAMETER', () => {
  ko([], 'ERR_MISSING_PARAMETER', /--account/);
  ko(['--comment', 'x'], 'ERR_MISSING_PARAMETER', /--account/);
  const listRequired: OptionDecls = { host: { type: 'list', required: true, description: 'hosts' } };
  assert.equal(parsePluginOptions(listRequired, []).code, 'ERR_MISSING_PARAMETER');
  assert.deepEqual(parsePluginOptions(listRequired, ['--host', 'a']).value, { host: ['a'] });
});

test('list options repeat and keep every value in order, under any of their names', () => {
  const v = ok(['--account', 'bob', '--public-key', 'k1', '-k', 'k2', '--public-key=k3', '-public-key', 'k1']);
  assert.deepEqual(v['public-key'], ['k1', 'k2', 'k3', 'k1']);
});

test('a string option given twice is refused rather than silently picking one', () => {
  ko(['--account', 'bob', '--account', 'alice'], 'ERR_BAD_OPTIONS', /more than once/);
  ko(['--account', 'bob', '-a', 'alice'], 'ERR_BAD_OPTIONS', /more than once/);
});

test('integers: digits only, optional minus, within the declared range', () => {
  assert.equal(ok(['--account', 'b', '--uid', '9001'])['uid'], 9001);
  assert.equal(ok(['--account', 'b', '--ttl', '-5'])['ttl'], -5);
  assert.equal(ok(['--account', 'b', '--ttl', '007'])['ttl'], 7);
  ko(['--account', 'b', '--uid', '12abc'], 'ERR_BAD_OPTIONS', /number expected/);
  ko(['--account', 'b', '--uid', '1.5'], 'ERR_BAD_OPTIONS', /number expected/);
  ko(['--account', 'b', '--uid', '0x10'], 'ERR_BAD_OPTIONS', /number expected/);
  ko(['--account', 'b', '--uid', ''], 'ERR_BAD_OPTIONS', /number expected/);
  ko(['--account', 'b', '--ttl', '1234567890123456'], 'ERR_BAD_OPTIONS', /number expected/);
  ko(['--account', 'b', '--uid', '99'], 'ERR_INVALID_PARAMETER', /between 100 and 99999/);
  ko(['--account', 'b', '--uid', '100000'], 'ERR_INVALID_PARAMETER', /between 100 and 99999/);
});

test('choices: only the declared values', () => {
  assert.equal(ok(['--account', 'b', '--algo', 'ed25519'])['algo'], 'ed25519');
  ko(['--account', 'b', '--algo', 'dsa'], 'ERR_INVALID_PARAMETER', /rsa, ecdsa, ed25519/);
  ko(['--account', 'b', '--algo', 'ED25519'], 'ERR_INVALID_PARAMETER');
});

test('aliases: one-letter and long ones, with one or two dashes', () => {
  assert.equal(ok(['-a', 'bob'])['account'], 'bob');
  assert.equal(ok(['--a', 'bob'])['account'], 'bob');
  assert.equal(ok(['-a=bob'])['account'], 'bob');
});

test('single-dash long names, as Getopt::Long accepts them', () => {
  const v = ok(['-account', 'bob', '-always-active', '-comment', 'c', '-uid', '200']);
  assert.equal(v['account'], 'bob');
  assert.equal(v['always-active'], true);
  assert.equal(v['comment'], 'c');
  assert.equal(v['uid'], 200);
});

test('no camel-case twins, no dotted objects, no number parsing of strings', () => {
  const v = ok(['--account', '007', '--comment', '1e3']);
  assert.equal(v['account'], '007');
  assert.equal(v['comment'], '1e3');
  assert.equal(Object.keys(v).includes('publicKey'), false);
});

test('a plugin without options refuses any word', () => {
  assert.equal(parsePluginOptions({}, []).code, 'OK');
  assert.equal(parsePluginOptions({}, ['--x']).code, 'ERR_BAD_OPTIONS');
  assert.equal(parsePluginOptions({}, ['x']).code, 'ERR_BAD_OPTIONS');
});

test('secret options are redacted from the audited words, under every name and form', () => {
  const p = definePlugin({
    name: 'x',
    category: 'open',
    summary: 's',
    options: {
      password: { type: 'string', secret: true, alias: ['P'], description: 'secret' },
      account: { type: 'string', description: 'not secret' },
    },
    handler: () => R('OK'),
  }) as unknown as AnyPlugin;
  assert.deepEqual(redactSecrets(p, ['--account', 'a', '--password', 'hunter2', '-P', 'x', '--password=y', '-password', 'z']), [
    '--account',
    'a',
    '--password',
    '********',
    '-P',
    '********',
    '--password=********',
    '-password',
    '********',
  ]);
  assert.deepEqual(redactSecrets(p, ['--password']), ['--password']);
  assert.deepEqual(redactWords(['--a', '1'], new Set()), ['--a', '1']);
});

const CHECKED: OptionDecls = {
  mode: { type: 'string', choices: ['yes', 'no'], description: 'closed list' },
  name: { type: 'string', pattern: { regex: /^[a-z]+$/, accepts: 'lower-case letters' }, description: 'pattern' },
  level: { type: 'string', choices: ['low', 'high'], default: 'low', description: 'with a default' },
  count: { type: 'integer', min: 1, default: 3, description: 'integer default' },
  tag: { type: 'list', choices: ['a', 'b'], description: 'each value checked' },
  ko: { type: 'string', pattern: { regex: /^\d+$/, accepts: 'digits' }, invalidCode: 'KO_INVALID_PARAMETER', description: 'KO code' },
  token: { type: 'string', secret: true, pattern: { regex: /^[a-f0-9]+$/, accepts: 'hex digits' }, description: 'secret' },
};

function checked(words: string[]): ReturnType<typeof parsePluginOptions> {
  return parsePluginOptions(CHECKED, words);
}

test('choices, pattern and range refusals share one message shape and ERR_INVALID_PARAMETER', () => {
  const cases: [string[], string][] = [
    [['--mode', 'maybe'], "Value of --mode must be one of: yes, no, not 'maybe'"],
    [['--name', 'Bob'], "Value of --name must be lower-case letters, not 'Bob'"],
    [['--count', '0'], "Value of --count must be between 1 and inf, not '0'"],
    [['--tag', 'a', '--tag', 'c'], "Value of --tag must be one of: a, b, not 'c'"],
  ];
  for (const [words, msg] of cases) {
    const r = checked(words);
    assert.equal(r.code, 'ERR_INVALID_PARAMETER', words.join(' '));
    assert.equal(r.msg, msg);
    assert.equal(r.value, null);
  }
});

test('a declaration may keep KO_INVALID_PARAMETER, and a secret value is never echoed', () => {
  const r = checked(['--ko', 'x1']);
  assert.equal(r.code, 'KO_INVALID_PARAMETER');
  assert.equal(r.msg, "Value of --ko must be digits, not 'x1'");
  const s = checked(['--token', 'hunter2']);
  assert.equal(s.code, 'ERR_INVALID_PARAMETER');
  assert.equal(s.msg, 'Value of --token must be hex digits');
});

test('values that pass choices and pattern reach the handler unchanged; defaults fill absent options', () => {
  const r = checked(['--mode', 'yes', '--name', 'bob', '--tag', 'b', '--ko', '42']);
  assert.equal(r.code, 'OK', r.msg);
  assert.deepEqual(r.value, { mode: 'yes', name: 'bob', level: 'low', count: 3, tag: ['b'], ko: '42', token: undefined });
  const given = checked(['--level', 'high', '--count', '7']);
  assert.equal(given.value?.['level'], 'high');
  assert.equal(given.value?.['count'], 7);
  assert.equal(checked(['--level', 'mid']).code, 'ERR_INVALID_PARAMETER');
});

test('choices are case-sensitive and the pattern is tested on the whole value', () => {
  assert.equal(checked(['--mode', 'YES']).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checked(['--name', 'bob smith']).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checked(['--name', '']).code, 'ERR_INVALID_PARAMETER');
});

test('every plugin default passes its own checks, and every pattern is anchored', async () => {
  for (const p of (await loadPlugins()).values()) {
    for (const [name, d] of Object.entries(p.options)) {
      if ((d.type === 'string' || d.type === 'integer') && d.default !== undefined) {
        const r = parsePluginOptions({ [name]: d }, []);
        assert.equal(r.code, 'OK', `${p.name} --${name}: ${r.msg}`);
      }
      if ((d.type === 'string' || d.type === 'list') && d.pattern) {
        assert.match(d.pattern.regex.source, /^\^[\s\S]*\$$/, `${p.name} --${name}: anchor the pattern`);
      }
    }
  }
});
