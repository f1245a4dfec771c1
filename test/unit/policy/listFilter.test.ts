// The wildcard matcher of --include/--exclude, ACL users and from= entries: the same answers as
// the anchored RegExp it replaced, and no exponential backtracking on patterns any account types.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameFilter, wildcardMatch } from '../../../src/policy/listFilter.js';

function viaRegExp(pattern: string, text: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : `\\${ch}`));
  return new RegExp(`^${body}$`, 's').test(text);
}

test('wildcardMatch agrees with the anchored RegExp on every small pattern and text', () => {
  const alphabet = ['a', 'b', '*', '?'];
  const patterns: string[] = [''];
  for (let len = 1; len <= 4; len++)
    for (let i = 0; i < alphabet.length ** len; i++) {
      let p = '';
      for (let j = 0, k = i; j < len; j++, k = Math.floor(k / alphabet.length)) p += alphabet[k % alphabet.length];
      patterns.push(p);
    }
  const texts = ['', 'a', 'b', 'ab', 'ba', 'aab', 'abab', 'bbba', 'a.b', 'web-old'];
  for (const p of patterns) for (const t of texts) assert.equal(wildcardMatch(p, t), viaRegExp(p, t), `${p} ~ ${t}`);
  assert.equal(wildcardMatch('web*', 'web-01'), true);
  assert.equal(wildcardMatch('*-old', 'web-old'), true);
  assert.equal(wildcardMatch('10.0.0.?', '10.0.0.7'), true);
  assert.equal(wildcardMatch('10.0.0.?', '10.0.0.17'), false);
});

test('attack: a pattern of 40 stars against a long name answers at once (the RegExp took minutes)', () => {
  const keep = nameFilter(['*'.repeat(40) + '!', '*a'.repeat(30) + '*b'], []);
  assert.equal(keep('abcdefghijklmnopqr'), false);
  assert.equal(keep('a'.repeat(200)), false);
  assert.equal(nameFilter(['*'.repeat(40) + 'r'], [])('abcdefghijklmnopqr'), true);
  assert.equal(nameFilter(['mno'], [])('abcdefghijklmnopqr'), true);
});
