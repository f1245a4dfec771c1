// Account names: The Bastion's is_account_valid rules for local accounts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAccountName } from '../../../src/policy/accountName.js';

const code = (name: string | undefined): string => checkAccountName(name).code;

test("names The Bastion's own tests create are valid, returned as given", () => {
  for (const name of ['te3456789012345678stu_Ser.1-', 'te23456789012345678sT-user2_', 'te23456789012345678St-user3.', 'admin', 'ab', 'a.b-c_d9']) {
    const r = checkAccountName(name);
    assert.equal(r.code, 'OK', `${name}: ${r.msg}`);
    assert.equal(r.value, name);
  }
});

test('length: 2 to 28 characters', () => {
  assert.equal(code('a'), 'KO_TOO_SMALL');
  assert.equal(code('a'.repeat(28)), 'OK');
  assert.equal(code('a'.repeat(29)), 'KO_TOO_LONG');
});

test('missing name', () => {
  assert.equal(code(undefined), 'ERR_MISSING_PARAMETER');
  assert.equal(code(''), 'ERR_MISSING_PARAMETER');
});

test('realm names (with a slash) are not local accounts', () => {
  assert.equal(code('realm/user'), 'KO_REALM_FORBIDDEN');
});

test('a leading dash or dot is refused', () => {
  assert.equal(code('-bob'), 'KO_FORBIDDEN_PREFIX');
  assert.equal(code('.bob'), 'KO_FORBIDDEN_PREFIX');
});

test('reserved suffixes, any case', () => {
  for (const s of ['-tty', '-aclkeeper', '-gatekeeper', '-owner', '-TTY', '-Owner']) assert.equal(code(`bob${s}`), 'KO_FORBIDDEN_SUFFIX', s);
  assert.equal(code('bob-ttyx'), 'OK');
  assert.equal(code('bobtty'), 'OK');
});

test('the group prefix "key" (any case) and the realm prefix "realm_" are reserved', () => {
  assert.equal(code('keybob'), 'KO_FORBIDDEN_PREFIX');
  assert.equal(code('KEYbob'), 'KO_FORBIDDEN_PREFIX');
  assert.equal(code('realm_x'), 'KO_FORBIDDEN_PREFIX');
  assert.equal(code('bobkey'), 'OK');
  assert.equal(code('Realm_x'), 'OK', 'the realm prefix is case-sensitive, as in The Bastion');
});

test('reserved names', () => {
  for (const n of ['root', 'proxyhttp', 'keykeeper', 'passkeeper', 'logkeeper', 'realm', 'realm_realm']) {
    assert.match(code(n), /^KO_FORBIDDEN_(NAME|PREFIX)$/, n);
  }
  assert.equal(code('root'), 'KO_FORBIDDEN_NAME');
  assert.equal(code('realm'), 'KO_FORBIDDEN_NAME');
  assert.equal(code('Root'), 'OK');
});

test('characters outside [a-zA-Z0-9._-] are refused', () => {
  for (const n of ['bob smith', 'bob@x', 'bób', 'bob;id', 'bob\x1b[31m', 'bob$', 'a+b']) assert.equal(code(n), 'KO_FORBIDDEN_CHARS', JSON.stringify(n));
});
