// The one resolver (src/services/resolver.ts) against a real name server on loopback: the
// deadline, the bound on lookups in progress (released only when the lookup really ends), the
// IPv4 preference and the family filter, dnsSupportLevel 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lookupName, lookupsInFlight, type ResolverSettings } from '../../../src/services/resolver.js';
import { startFakeDns, type FakeDns } from '../../helpers/fakeDns.js';

let dns: FakeDns;
let s: ResolverSettings;

before(async () => {
  dns = await startFakeDns({ 'known.example': '127.0.0.7' });
  s = { timeoutMs: 300, maxInFlight: 4, servers: [`127.0.0.1:${dns.port}`], dnsEnabled: true };
});
after(() => dns.close());

test('a known name: its IPv4 address', async () => {
  assert.deepEqual(await lookupName('known.example', s), { ok: true, ip: '127.0.0.7' });
  assert.equal(lookupsInFlight(), 0);
});

test('IPv4 not allowed: the A answer is never asked for, the name does not resolve', async () => {
  const r = await lookupName('known.example', s, { v4: false, v6: true });
  assert.equal(r.ok, false);
  assert.equal(r.ok ? null : r.why, 'not-found');
});

test('a name server that never answers: a timeout at the deadline, the slot freed', async () => {
  const r = await lookupName('silent.example', s);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? null : r.why, 'timeout');
  assert.match(r.ok ? '' : r.msg, /no answer within 0\.3 seconds/);
  assert.equal(lookupsInFlight(), 0);
});

test('past maxInFlight lookups in progress, one more is refused at once and never asked', async () => {
  const one = { ...s, maxInFlight: 1, timeoutMs: 1000 };
  const first = lookupName('slow1.example', one);
  assert.equal(lookupsInFlight(), 1);
  const second = await lookupName('slow2.example', one);
  assert.equal(second.ok ? null : second.why, 'busy');
  assert.equal(dns.queries.get('slow2.example'), undefined);
  assert.equal((await first).ok, false);
  assert.equal(lookupsInFlight(), 0);
  assert.equal((await lookupName('known.example', one)).ok, true, 'a slot again once the first ended');
});

test('dnsSupportLevel 0: refused without a query', async () => {
  const before = dns.total();
  const r = await lookupName('known.example', { ...s, dnsEnabled: false });
  assert.equal(r.ok ? null : r.why, 'disabled');
  assert.equal(dns.total(), before);
});

test('a dnsServers address that passed the schema but does not parse: not resolved, no fault', async () => {
  const r = await lookupName('known.example', { ...s, servers: ['999.1.1.1'] });
  assert.equal(r.ok ? null : r.why, 'not-found');
  assert.equal(lookupsInFlight(), 0);
});
