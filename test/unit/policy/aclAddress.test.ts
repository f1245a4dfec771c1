// Access-list addresses: IPv4/IPv6 addresses and CIDR blocks validated and normalised as The
// Bastion's is_valid_ip does, and the range blobs the store indexes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateStarts, contains, parseAddress, type AclAddress } from '../../../src/policy/aclAddress.js';

const ok = (text: string, allowSubnets = true): AclAddress => {
  const r = parseAddress(text, { allowSubnets });
  assert.equal(r.code, 'OK', `${text}: ${r.msg}`);
  return r.value as AclAddress;
};
const ko = (text: string, allowSubnets = true): string => {
  const r = parseAddress(text, { allowSubnets });
  assert.equal(r.code, 'KO_INVALID_IP', `${text} should be refused`);
  return r.msg;
};

test('IPv4 addresses and blocks are normalised; /32 is a single address', () => {
  assert.equal(ok('192.0.2.1').ip, '192.0.2.1');
  assert.equal(ok('192.000.002.001').ip, '192.0.2.1', 'leading zeros are decimal, not octal');
  assert.equal(ok('010.0.0.8').ip, '10.0.0.8');
  assert.equal(ok('1.2.3.4/32').ip, '1.2.3.4');
  assert.equal(ok('1.2.3.4/32').single, true);
  const b = ok('10.20.0.0/17');
  assert.equal(b.ip, '10.20.0.0/17');
  assert.equal(b.single, false);
  assert.equal(b.start.toString('hex'), '0a140000');
  assert.equal(b.end.toString('hex'), '0a147fff');
  const all = ok('0.0.0.0/0');
  assert.equal(all.start.toString('hex'), '00000000');
  assert.equal(all.end.toString('hex'), 'ffffffff');
});

test('IPv4: host bits under the prefix, bad octets and prefixes are refused', () => {
  assert.match(ko('77.66.55.0/23'), /prefix length/);
  assert.match(ko('10.0.0.1/8'), /prefix length/);
  ko('256.1.1.1');
  ko('1.2.3');
  ko('1.2.3.4/33');
  ko('1.2.3.4.5');
  ko('example.org');
  assert.match(ko('10.0.0.0/8', false), /subnets are not allowed/);
  assert.equal(ok('10.0.0.1/32', false).ip, '10.0.0.1');
});

test('IPv6 addresses and blocks: compressed lowercase form, brackets accepted, zones refused', () => {
  assert.equal(ok('2001:DB8:0:0:0:0:0:1').ip, '2001:db8::1');
  assert.equal(ok('[2001:db8::1]').ip, '2001:db8::1');
  assert.equal(ok('2001:db8::/32').ip, '2001:db8::/32');
  assert.equal(ok('2001:db8::1/128').ip, '2001:db8::1');
  assert.equal(ok('::1').family, 6);
  assert.equal(ok('::/0').end.toString('hex'), 'f'.repeat(32));
  assert.match(ko('2001:db8::1/64'), /prefix length/);
  ko('fe80::1%eth0');
  ko('2001:db8::/129');
  ko('2001:db8:::1');
});

test('containment: network and broadcast edges, /0 and /128, families never mix', () => {
  const net = ok('192.0.2.0/24');
  assert.ok(contains(net, ok('192.0.2.0')), 'network address');
  assert.ok(contains(net, ok('192.0.2.255')), 'broadcast address');
  assert.ok(!contains(net, ok('192.0.3.0')));
  assert.ok(!contains(net, ok('192.0.1.255')));
  assert.ok(contains(net, ok('192.0.2.128/25')));
  assert.ok(!contains(ok('192.0.2.128/25'), net));
  assert.ok(contains(ok('0.0.0.0/0'), ok('255.255.255.255')));
  assert.ok(!contains(ok('0.0.0.0/0'), ok('::1')), 'an IPv4 block never contains an IPv6 address');
  assert.ok(contains(ok('::/0'), ok('2001:db8::1')));
  assert.ok(contains(ok('2001:db8::1'), ok('2001:db8::1/128')));
  assert.ok(!contains(ok('2001:db8::1'), ok('2001:db8::2')));
});

test('candidate starts: one per distinct network start from /0 to the block itself', () => {
  const starts = candidateStarts(ok('10.1.2.3')).map((b) => b.toString('hex'));
  assert.equal(new Set(starts).size, starts.length);
  assert.ok(starts.includes('00000000'));
  assert.ok(starts.includes('0a000000'));
  assert.ok(starts.includes('0a010200'));
  assert.ok(starts.includes('0a010203'));
  assert.ok(starts.length <= 33);
  assert.ok(candidateStarts(ok('2001:db8::1')).length <= 129);
});
