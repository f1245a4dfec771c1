// parsePluginOptions: a plugin's words checked against its declaration before the handler runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OptionDecls } from '../../../src/osh/define.js';
import { redactSecrets, redactWords } from '../../../src/dispatch/auditArgs.js';
import { definePlugin, type AnyPlugin } from '../../../src/osh/define.js';
import { parsePluginOptions } from '../../../src/osh/pluginOptions.js';
import { loadPlugins } from '../../../src/osh/registry.js';
import { pluginHelp } from '../../../src/osh/helpText.js';
import { renderPluginPage } from '../../../src/docs/pluginPage.js';
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

const WORDED: OptionDecls = {
  group: {
    type: 'string',
    required: true,
    emptyIsMissing: true,
    missingMessage: "Missing mandatory parameter 'account' or 'group'",
    pattern: { regex: /^(?!key)[\s\S]*$/, accepts: "a name that doesn't start with 'key'" },
    invalidMessage: "The group name can't start with 'key' (reserved prefix)",
    description: 'shares its missing message with --account',
  },
  account: { type: 'string', required: true, emptyIsMissing: true, missingMessage: "Missing mandatory parameter 'account' or 'group'", description: 'd' },
  size: { type: 'integer', min: 1, max: 9, invalidCode: 'KO_INVALID_PARAMETER', invalidMessage: 'Bad size', description: 'range with its own words' },
  mode: { type: 'string', choices: ['a', 'b'], invalidMessage: 'Unknown mode', description: 'choices with their own words' },
  note: { type: 'string', emptyIsMissing: true, description: 'optional, empty is absent' },
  level: { type: 'string', emptyIsMissing: true, default: 'low', description: 'empty gets the default' },
  plain: { type: 'string', required: true, description: 'empty is a value' },
};

function worded(words: string[]): ReturnType<typeof parsePluginOptions> {
  return parsePluginOptions(WORDED, ['--plain', 'p', ...words]);
}

test('missingMessage: the plugin words the refusal, and several options may share it', () => {
  for (const words of [['--account', 'bob'], ['--group', 'web'], []]) {
    const r = worded(words);
    assert.equal(r.code, 'ERR_MISSING_PARAMETER', words.join(' '));
    assert.equal(r.msg, "Missing mandatory parameter 'account' or 'group'");
    assert.equal(r.value, null);
  }
  // Without one, the generated message.
  const r = parsePluginOptions(WORDED, ['--group', 'web', '--account', 'bob']);
  assert.equal(r.code, 'ERR_MISSING_PARAMETER');
  assert.equal(r.msg, 'Missing mandatory parameter --plain');
});

test("emptyIsMissing: an empty value is absent (The Bastion's `if (!$x)`), otherwise an empty value is a value", () => {
  assert.equal(worded(['--group', '', '--account', 'bob']).msg, "Missing mandatory parameter 'account' or 'group'");
  assert.equal(worded(['--group=', '--account', 'bob']).code, 'ERR_MISSING_PARAMETER');
  const v = worded(['--group', 'web', '--account', 'bob', '--note', '', '--level', '']);
  assert.equal(v.code, 'OK', v.msg);
  assert.equal(v.value?.['note'], undefined);
  assert.equal(v.value?.['level'], 'low');
  assert.equal(v.value?.['plain'], 'p');
  assert.equal(parsePluginOptions(WORDED, ['--group', 'web', '--account', 'bob', '--plain', '']).value?.['plain'], '');
});

test('invalidMessage: the plugin words the refusal of choices, pattern and range, with the declared code', () => {
  const cases: [string[], string, string][] = [
    [['--group', 'keyweb', '--account', 'bob'], 'ERR_INVALID_PARAMETER', "The group name can't start with 'key' (reserved prefix)"],
    [['--group', 'web', '--account', 'bob', '--mode', 'c'], 'ERR_INVALID_PARAMETER', 'Unknown mode'],
    [['--group', 'web', '--account', 'bob', '--size', '10'], 'KO_INVALID_PARAMETER', 'Bad size'],
  ];
  for (const [words, code, msg] of cases) {
    const r = worded(words);
    assert.equal(r.code, code, words.join(' '));
    assert.equal(r.msg, msg);
    assert.equal(r.value, null);
  }
  assert.equal(worded(['--group', 'web', '--account', 'bob', '--size', '9', '--mode', 'b']).code, 'OK');
});

test('the refusal does not depend on the order of the declaration: unreadable, then missing, then invalid', () => {
  // --group is declared before --account: its bad value still comes after --account's absence.
  const missingFirst = worded(['--group', 'keyweb']);
  assert.equal(missingFirst.code, 'ERR_MISSING_PARAMETER');
  // A malformed integer is refused as Getopt::Long would, before anything is looked at.
  const unreadable = parsePluginOptions(WORDED, ['--size', 'x']);
  assert.equal(unreadable.code, 'ERR_BAD_OPTIONS');
  assert.match(unreadable.msg, /--size \(number expected\)/);
  // Between two invalid values, the first declared.
  assert.equal(worded(['--group', 'web', '--account', 'bob', '--size', '0', '--mode', 'c']).msg, 'Bad size');
});

test('every plugin words only the refusals it can get: missingMessage with required, invalidMessage with a value check', async () => {
  for (const p of (await loadPlugins()).values()) {
    for (const [name, d] of Object.entries(p.options)) {
      if (d.type === 'boolean') continue;
      if (d.missingMessage !== undefined) assert.equal(d.required, true, `${p.name} --${name}: missingMessage without required`);
      const checked = d.type === 'integer' ? d.min !== undefined || d.max !== undefined : d.choices !== undefined || d.pattern !== undefined;
      if (d.invalidMessage !== undefined) assert.ok(checked, `${p.name} --${name}: invalidMessage without choices, pattern or range`);
    }
  }
});

const EXCLUSIVE: OptionDecls = {
  uid: { type: 'integer', conflicts: { 'uid-auto': "Can't use --uid and --uid-auto at the same time" }, description: 'a fixed id' },
  'uid-auto': { type: 'boolean', description: 'any free id' },
  key: { type: 'string', emptyIsMissing: true, conflicts: { 'no-key': 'No key with --no-key', tag: 'No key with --tag' }, description: 'a key' },
  'no-key': { type: 'boolean', description: 'no key' },
  tag: { type: 'list', description: 'tags' },
  command: {
    type: 'string',
    pattern: { regex: /^[a-z0-9]+$/i, accepts: 'letters and digits' },
    invalidMessage: (v) => `Specified command is invalid (${v})`,
    description: 'worded with the value',
  },
};

test('conflicts: two options given together are ERR_INCOMPATIBLE_PARAMETERS with the declared message', () => {
  const cases: [string[], string][] = [
    [['--uid', '5', '--uid-auto'], "Can't use --uid and --uid-auto at the same time"],
    [['--uid-auto', '--uid', '5'], "Can't use --uid and --uid-auto at the same time"],
    [['--key', 'k', '--no-key'], 'No key with --no-key'],
    [['--key', 'k', '--tag', 't'], 'No key with --tag'],
  ];
  for (const [words, msg] of cases) {
    const r = parsePluginOptions(EXCLUSIVE, words);
    assert.equal(r.code, 'ERR_INCOMPATIBLE_PARAMETERS', words.join(' '));
    assert.equal(r.msg, msg);
    assert.equal(r.value, null);
  }
  // Each alone passes; an empty value of an emptyIsMissing option is not given; an absent flag is not given.
  for (const words of [['--uid', '5'], ['--uid-auto'], ['--key', 'k'], ['--no-key', '--tag', 't', '--key', ''], []]) {
    assert.equal(parsePluginOptions(EXCLUSIVE, words).code, 'OK', words.join(' '));
  }
});

test('conflicts come after missing options and before invalid values', () => {
  const decls: OptionDecls = { ...EXCLUSIVE, need: { type: 'string', required: true, description: 'd' } };
  assert.equal(parsePluginOptions(decls, ['--uid', '5', '--uid-auto']).code, 'ERR_MISSING_PARAMETER');
  assert.equal(parsePluginOptions(decls, ['--need', 'x', '--uid', '5', '--uid-auto', '--command', '!']).code, 'ERR_INCOMPATIBLE_PARAMETERS');
});

test('invalidMessage may be a function of the refused value', () => {
  const r = parsePluginOptions(EXCLUSIVE, ['--command', 'rm -rf']);
  assert.equal(r.code, 'ERR_INVALID_PARAMETER');
  assert.equal(r.msg, 'Specified command is invalid (rm -rf)');
  assert.equal(parsePluginOptions(EXCLUSIVE, ['--command', 'accountInfo']).value?.['command'], 'accountInfo');
});

test('--help and the docs page show a conflict on both options, with required, choices, pattern and default', () => {
  const p = definePlugin({
    name: 'x',
    category: 'open',
    summary: 's',
    options: {
      ...EXCLUSIVE,
      group: { type: 'string', required: true, missingMessage: 'Missing group', description: 'the group' },
      mode: { type: 'string', choices: ['a', 'b'], default: 'a', description: 'the mode' },
      limit: { type: 'integer', min: 1, max: 9, default: 3, description: 'the limit' },
    },
    handler: () => R('OK'),
  }) as unknown as AnyPlugin;
  const help = pluginHelp(p);
  assert.match(help, /--uid INT {2,}a fixed id \(not with --uid-auto\)$/m);
  assert.match(help, /--uid-auto {2,}any free id \(not with --uid\)$/m);
  assert.match(help, /--key KEY {2,}a key \(not with --no-key, --tag\)$/m);
  assert.match(help, /--tag TAG {2,}tags \(may be repeated\) \(not with --key\)$/m);
  assert.match(help, /--command COMMAND {2,}worded with the value \(letters and digits\)$/m);
  assert.match(help, /--group GROUP {2,}the group \(required\)$/m);
  assert.match(help, /--mode a\|b {2,}the mode \(default a\)$/m);
  assert.match(help, /--limit INT {2,}the limit \(1 to 9\) \(default 3\)$/m);
  const page = renderPluginPage(p);
  assert.match(page, /\| `--uid` \| `INT` \(integer\); not with `--uid-auto` \| no \| a fixed id \|/);
  assert.match(page, /\| `--uid-auto` \| flag; not with `--uid` \| no \| any free id \|/);
  assert.match(page, /\| `--group` \| `GROUP` \(string\) \| yes \| the group \|/);
  assert.match(page, /\| `--mode` \| `MODE` \(string\); one of `a`, `b`; default `a` \| no \|/);
  assert.match(page, /\| `--limit` \| `INT` \(integer\); 1 to 9; default `3` \| no \|/);
});

test('every plugin conflict names an option of the same plugin, never one with a default', async () => {
  for (const p of (await loadPlugins()).values()) {
    for (const [name, d] of Object.entries(p.options)) {
      for (const other of Object.keys(d.conflicts ?? {})) {
        const o = p.options[other];
        assert.ok(o, `${p.name} --${name}: conflicts with an undeclared --${other}`);
        for (const [n, x] of [[name, d] as const, [other, o] as const]) {
          assert.ok(x.type === 'boolean' || x.type === 'list' || x.default === undefined, `${p.name} --${n}: a default is always given`);
        }
      }
    }
  }
});
