// The user/port/protocol checks every ACL plugin makes (The Bastion's Plugin::ACL::check), and
// the small validators around them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFingerprint, checkPasswordHash, checkTtl, checkTuple, storedComment, wildcardMatcher } from '../../../src/policy/aclEntry.js';

const base = { user: undefined, userAny: false, port: undefined, portAny: false };

test('user and port: a value, or the explicit any; both given or neither is refused', () => {
  assert.deepEqual(checkTuple({ ...base, user: 'root', port: '22' }).value, { user: 'root', port: 22, protocol: null });
  assert.deepEqual(checkTuple({ ...base, userAny: true, portAny: true }).value, { user: null, port: null, protocol: null });
  assert.deepEqual(checkTuple({ ...base, user: '*', port: '*' }).value, { user: null, port: null, protocol: null }, "'*' means any, as --user-any");
  assert.equal(checkTuple({ ...base, user: 'a', userAny: true, port: '22' }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.equal(checkTuple({ ...base, user: 'a', port: '22', portAny: true }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.equal(checkTuple({ ...base, port: '22' }).code, 'ERR_MISSING_PARAMETER');
  assert.equal(checkTuple({ ...base, user: 'a' }).code, 'ERR_MISSING_PARAMETER');
  assert.equal(checkTuple({ ...base, user: 'a', port: '0' }).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkTuple({ ...base, user: 'a', port: '65536' }).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkTuple({ ...base, user: 'inva{}lid', port: '22' }).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkTuple({ ...base, user: 'ar@base', port: '22' }).value?.user, 'ar@base');
  assert.equal(checkTuple({ ...base, user: 'web-?', port: '22' }).value?.user, 'web-?', 'patterns are allowed');
});

test('protocols: --protocol or the legacy flags, never with --user', () => {
  assert.deepEqual(checkTuple({ ...base, protocol: 'sftp', port: '22' }).value, { user: null, port: 22, protocol: 'sftp' });
  assert.equal(checkTuple({ ...base, scpup: true, port: '22' }).value?.protocol, 'scpupload');
  assert.equal(checkTuple({ ...base, scpdown: true, portAny: true }).value?.protocol, 'scpdownload');
  assert.equal(checkTuple({ ...base, protocol: 'telnet', port: '22' }).code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkTuple({ ...base, protocol: 'sftp', user: 'root', port: '22' }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.equal(checkTuple({ ...base, protocol: 'sftp', sftp: true, port: '22' }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.equal(checkTuple({ ...base, scpup: true, scpdown: true, port: '22' }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.equal(checkTuple({ ...base, sftp: true, scpup: true, port: '22' }).code, 'ERR_INCOMPATIBLE_PARAMETERS');
});

test('fingerprints, password hashes, TTLs and comments', () => {
  assert.equal(checkFingerprint('SHA256:+LBmQLrAmn3UkJM0PJzuxPPumtd4ek4jSSfJGuv4Kkc').code, 'OK');
  assert.equal(checkFingerprint('AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99').value, 'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99');
  assert.equal(checkFingerprint('SHA256:short').code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkPasswordHash('$1$2$3456').code, 'OK');
  assert.equal(checkPasswordHash('$6$salt$abc./def').code, 'OK');
  assert.equal(checkPasswordHash('plain').code, 'ERR_INVALID_PARAMETER');
  assert.equal(checkTtl(undefined).value, null);
  assert.equal(checkTtl('0w8s0d').value, 8);
  assert.equal(checkTtl('1d12h').value, 36 * 3600);
  assert.equal(checkTtl('soon').code, 'KO_INVALID_PARAMETER');
  assert.equal(storedComment('a "quoted" <b> #1'), 'a _quoted_ _b_ _1');
  assert.equal(storedComment(''), null);
});

test('--include/--exclude patterns: * and ?, and "contains" without wildcards', () => {
  const m = wildcardMatcher(['127.0.0.1']);
  assert.ok(m?.('127.0.0.1') && m('127.0.0.10'));
  assert.ok(!m?.('127.0.0.2'));
  const q = wildcardMatcher(['127.?.0.11']);
  assert.ok(q?.('127.0.0.11') && !q('127.0.0.110'));
  assert.equal(wildcardMatcher([]), null);
  const dot = wildcardMatcher(['a.b']);
  assert.ok(dot?.('xa.by') && !dot('axb'), 'a dot is a dot, not any character');
});
