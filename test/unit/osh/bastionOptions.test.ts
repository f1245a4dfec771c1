// splitBastionOptions: what belongs to the bastion, what to the plugin or the remote command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitBastionOptions } from '../../../src/osh/bastionOptions.js';
import { normalizeLongDashes } from '../../../src/osh/getopt.js';

test('--osh NAME and the plugin words that follow', () => {
  const r = splitBastionOptions(['--osh', 'accountCreate', '--account', 'bob', '--uid', '9001']);
  assert.equal(r.error, null);
  assert.equal(r.options.osh, 'accountCreate');
  assert.deepEqual(r.rest, ['--account', 'bob', '--uid', '9001']);
  assert.equal(r.afterDashes, null);
});

test('-osh NAME, as Getopt::Long accepts single-dash long names', () => {
  assert.equal(splitBastionOptions(['-osh', 'info']).options.osh, 'info');
  assert.equal(splitBastionOptions(['-json-greppable', '-osh', 'info']).options.json, 'greppable');
  assert.equal(splitBastionOptions(['--osh=info']).options.osh, 'info');
});

test("bastion options anywhere in the request are the bastion's, before or after --osh", () => {
  const r = splitBastionOptions(['--json', '--osh', 'info', '--quiet']);
  assert.equal(r.options.osh, 'info');
  assert.equal(r.options.json, 'default');
  assert.equal(r.options.quiet, true);
  assert.deepEqual(r.rest, []);
});

test('the JSON modes: pretty wins over greppable wins over plain', () => {
  assert.equal(splitBastionOptions([]).options.json, 'none');
  assert.equal(splitBastionOptions(['--json']).options.json, 'default');
  assert.equal(splitBastionOptions(['--json-greppable']).options.json, 'greppable');
  assert.equal(splitBastionOptions(['--json-pretty']).options.json, 'pretty');
  assert.equal(splitBastionOptions(['--json', '--json-greppable', '--json-pretty']).options.json, 'pretty');
  assert.equal(splitBastionOptions(['--json', '--json-greppable']).options.json, 'greppable');
});

test('short aliases: -q -i -t -T -p -u -l -h', () => {
  const o = splitBastionOptions(['-q', '-i', '-t', '-T', '-p', '2200', '-u', 'root', '-h', 'srv1']).options;
  assert.equal(o.quiet, true);
  assert.equal(o.interactive, true);
  assert.equal(o.tty, true);
  assert.equal(o.noTty, true);
  assert.equal(o.port, '2200');
  assert.equal(o.user, 'root');
  assert.equal(o.host, 'srv1');
  assert.equal(splitBastionOptions(['-l', 'admin']).options.user, 'admin');
});

test('values stay strings: no number parsing, no camel-case or dotted keys', () => {
  const r = splitBastionOptions(['--port', '007', '--timeout', '10', '--osh', 'x', '--group-id', '1', '--a.b', 'c']);
  assert.equal(r.options.port, '007');
  assert.equal(r.options.timeout, '10');
  assert.deepEqual(r.rest, ['--group-id', '1', '--a.b', 'c']);
});

test('booleans are not negated by a --no- prefix', () => {
  const r = splitBastionOptions(['--osh', 'x', '--no-json']);
  assert.equal(r.options.json, 'none');
  assert.deepEqual(r.rest, ['--no-json']);
});

test('unknown options and short groups go to the plugin untouched', () => {
  const r = splitBastionOptions(['--osh', 'selfListKeys', '--fancy', '-xyz', '--comment=hello there']);
  assert.deepEqual(r.rest, ['--fancy', '-xyz', '--comment=hello there']);
});

test('[user@]host and the words after a standalone -- (the remote command)', () => {
  const r = splitBastionOptions(['-p', '2222', 'root@srv1', '--', 'uname', '-a', '--json']);
  assert.equal(r.options.port, '2222');
  assert.deepEqual(r.rest, ['root@srv1']);
  assert.deepEqual(r.afterDashes, ['uname', '-a', '--json']);
  assert.equal(r.options.json, 'none', 'options after -- belong to the remote command');
});

test('--osh without a value, at the end or before another option', () => {
  assert.equal(splitBastionOptions(['--osh']).options.osh, '');
  assert.equal(splitBastionOptions(['--json', '--osh']).options.osh, '');
});

test('--help and --long-help', () => {
  assert.equal(splitBastionOptions(['--help']).options.help, true);
  assert.equal(splitBastionOptions(['--long-help']).options.longHelp, true);
  const r = splitBastionOptions(['--osh', 'info', '--help']);
  assert.equal(r.options.help, true);
  assert.equal(r.options.osh, 'info');
});

test('normalizeLongDashes only rewrites names it knows, keeps =values and short options', () => {
  const known = new Set(['osh', 'json']);
  assert.deepEqual(normalizeLongDashes(['-osh', '-json=1', '-q', '-other', '--osh', '-', '-7'], known), ['--osh', '--json=1', '-q', '-other', '--osh', '-', '-7']);
});

test("dashed words that only look like bastion options are the plugin's, in order", () => {
  const r = splitBastionOptions(['--osh', 'accountModify', '--account', 'a', '--max-inactive-days', '-1', '--osh-only', '--json-x', '-qq', '--quiet']);
  assert.equal(r.options.osh, 'accountModify');
  assert.equal(r.options.quiet, true);
  assert.deepEqual(r.rest, ['--account', 'a', '--max-inactive-days', '-1', '--osh-only', '--json-x', '-qq']);
});
