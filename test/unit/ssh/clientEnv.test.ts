import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptClientEnv } from '../../../src/ssh/clientEnv.js';

const limits = { maxClientEnvVariables: 3, maxClientEnvValueBytes: 16 };

test('acceptClientEnv: LANG and LC_* only, never LC_BASTION*, bounded and printable', () => {
  const env = new Map<string, string>();
  const why = (name: string, value: string): string => {
    const r = acceptClientEnv(env, name, value, limits);
    return r.ok ? 'ok' : r.why;
  };
  assert.equal(why('LANG', 'C.UTF-8'), 'ok');
  assert.equal(why('LC_ALL', 'fr_FR.UTF-8'), 'ok');
  for (const n of ['PATH', 'LD_PRELOAD', 'TERM', 'lang', 'LC_', 'LC_A-B', `LC_${'A'.repeat(62)}`]) assert.equal(why(n, 'x'), 'name-not-accepted', n);
  for (const n of ['LC_BASTION', 'LC_BASTION_DETAILS', 'LC_bastion']) assert.equal(why(n, 'admin'), 'reserved-name', n);
  assert.equal(why('LC_CTYPE', 'x'.repeat(17)), 'value-too-long');
  assert.equal(why('LC_CTYPE', 'é'.repeat(9)), 'value-too-long');
  for (const v of ['a\x1b[2J', 'a\nb', 'a\u202eb', 'a\x00']) assert.equal(why('LC_CTYPE', v), 'not-printable', JSON.stringify(v));
  assert.equal(why('LC_CTYPE', 'héllo wörld'), 'ok');
  assert.equal(why('LC_TIME', 'C'), 'too-many');
  // Setting a variable again replaces it and takes no new place.
  assert.equal(why('LANG', 'C'), 'ok');
  assert.deepEqual(
    [...env],
    [
      ['LANG', 'C'],
      ['LC_ALL', 'fr_FR.UTF-8'],
      ['LC_CTYPE', 'héllo wörld'],
    ],
  );
});
