// from="…" lists: OpenSSH's pattern-list semantics against the client address, and which list
// applies (the key's own or ingressKeysFrom).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressMatchesFromList, canonicalIp, effectiveFromList } from '../../../src/policy/fromList.js';

test('canonicalIp: IPv4-mapped IPv6 becomes IPv4, zones dropped, IPv6 compressed', () => {
  assert.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(canonicalIp('127.0.0.1'), '127.0.0.1');
  assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(canonicalIp('not-an-ip'), 'not-an-ip');
});

test('exact addresses and CIDR blocks', () => {
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.1']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.2']), false);
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.0/8']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.2/32']), false);
  assert.equal(addressMatchesFromList('10.1.2.3', ['192.168.0.0/16', '10.0.0.0/8']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['0.0.0.0/0']), true);
});

test('IPv6 addresses and blocks; families never match each other', () => {
  assert.equal(addressMatchesFromList('::1', ['::1']), true);
  assert.equal(addressMatchesFromList('::1', ['::1/128']), true);
  assert.equal(addressMatchesFromList('2001:db8::5', ['2001:db8::/32']), true);
  assert.equal(addressMatchesFromList('2001:db9::5', ['2001:db8::/32']), false);
  assert.equal(addressMatchesFromList('127.0.0.1', ['::/0']), false);
  assert.equal(addressMatchesFromList('::1', ['0.0.0.0/0']), false);
});

test('an IPv4-mapped client address matches IPv4 entries, and mapped CIDR entries too', () => {
  assert.equal(addressMatchesFromList('::ffff:127.0.0.1', ['127.0.0.1']), true);
  assert.equal(addressMatchesFromList('::ffff:127.0.0.1', ['127.0.0.0/8']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['::ffff:127.0.0.0/104']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['::ffff:127.0.0.2/128']), false);
});

test('wildcards * and ? match the textual address', () => {
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.*']), true);
  assert.equal(addressMatchesFromList('127.0.0.15', ['127.0.0.?']), false);
  assert.equal(addressMatchesFromList('127.0.0.5', ['127.0.0.?']), true);
  assert.equal(addressMatchesFromList('127.0.0.1', ['*']), true);
  // A dot is a dot, not "any character".
  assert.equal(addressMatchesFromList('127a0.0.1', ['127.0.0.*']), false);
});

test('a negated entry that matches refuses, whatever else matches; order does not matter', () => {
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.0/8', '!127.0.0.1']), false);
  assert.equal(addressMatchesFromList('127.0.0.1', ['!127.0.0.1', '127.0.0.0/8']), false);
  assert.equal(addressMatchesFromList('127.0.0.2', ['127.0.0.0/8', '!127.0.0.1']), true);
  // Only negations: nothing positive matched, so refused (as OpenSSH does).
  assert.equal(addressMatchesFromList('127.0.0.2', ['!127.0.0.1']), false);
});

test('empty lists, host names and malformed entries never match', () => {
  assert.equal(addressMatchesFromList('127.0.0.1', []), false);
  assert.equal(addressMatchesFromList('127.0.0.1', ['localhost']), false);
  assert.equal(addressMatchesFromList('127.0.0.1', ['127.0.0.1/33', '127.0.0.1/x', '']), false);
  assert.equal(addressMatchesFromList('garbage', ['127.0.0.0/8']), false);
});

test('effectiveFromList: which list applies', () => {
  const own = ['127.0.0.2/32'];
  const global = ['10.0.0.0/8'];
  assert.deepEqual(effectiveFromList([], { ingressKeysFrom: [], ingressKeysFromAllowOverride: false }), []);
  assert.deepEqual(effectiveFromList(own, { ingressKeysFrom: [], ingressKeysFromAllowOverride: false }), own);
  assert.deepEqual(effectiveFromList(own, { ingressKeysFrom: global, ingressKeysFromAllowOverride: false }), global);
  assert.deepEqual(effectiveFromList(own, { ingressKeysFrom: global, ingressKeysFromAllowOverride: true }), own);
  assert.deepEqual(effectiveFromList([], { ingressKeysFrom: global, ingressKeysFromAllowOverride: true }), global);
});
