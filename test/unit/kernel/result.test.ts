// The Result convention: a success carries its value, a failure null (or what a refusal shows),
// and isOk narrows a Result to its success. The @ts-expect-error lines are checked by the build:
// if the union stopped telling the two apart, they would compile, and the build would fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOk, R, type Result } from '../../../src/kernel/result.js';

function half(n: number): Result<number> {
  if (n % 2 !== 0) return R('ERR_INVALID_PARAMETER', { msg: `${n} is odd` });
  return R('OK', { value: n / 2 });
}

test('a success carries its value; a failure carries null and its message', () => {
  assert.deepEqual(half(4), { code: 'OK', value: 2, msg: 'OK' });
  assert.deepEqual(half(3), { code: 'ERR_INVALID_PARAMETER', value: null, msg: '3 is odd' });
  assert.deepEqual(R('OK_NO_CHANGE'), { code: 'OK_NO_CHANGE', value: null, msg: 'OK_NO_CHANGE' });
});

test('a refusal may show what it refused', () => {
  const r = R('KO_DUPLICATE_KEY', { value: { key: 'ssh-ed25519 AAAA' }, msg: 'already there' });
  assert.equal(isOk(r), false);
  assert.deepEqual(r.value, { key: 'ssh-ed25519 AAAA' });
});

test('isOk narrows: after it, the value is the promised type, with no null check', () => {
  const r = half(10);
  // @ts-expect-error before narrowing, the value may be a failure's null
  const before: number = r.value;
  assert.equal(before, 5);
  if (!isOk(r)) assert.fail(r.msg);
  const after: number = r.value;
  assert.equal(after, 5);
  const f = half(1);
  if (isOk(f)) assert.fail('1 is odd');
  // @ts-expect-error a failure's value is null, never the success's type
  const none: number = f.value;
  assert.equal(none, null);
  assert.equal(isOk({ code: 'OK_EMPTY' }), true);
  assert.equal(isOk({ code: 'KO_EMPTY' }), false);
});
