// Batches of lookups through the one resolver (a listing's --reverse-dns, a server list's names),
// against a real name server on loopback: a few at a time, one deadline for the whole batch, a
// stop at the first timeout or full resolver, nothing at all when disabled, PTR answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { batchWidth, lookupName, lookupNames, lookupsInFlight, reverseLookups, reverseResolverSettings, type ResolverSettings } from '../../../src/services/resolver.js';
import { ptrName, startFakeDns, type FakeDns } from '../../helpers/fakeDns.js';

let dns: FakeDns;
let s: ResolverSettings;

before(async () => {
  dns = await startFakeDns({ 'known.example': '127.0.0.7', [ptrName('127.0.0.7')]: 'known.example' });
  s = { timeoutMs: 400, maxInFlight: 4, servers: [`127.0.0.1:${dns.port}`], dnsEnabled: true };
});
after(() => dns.close());

const hanging = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}.${Math.floor(i / 250)}.${i % 250}`);

test('reverse lookups: a PTR answer gives the name; a batch of answered addresses is not cut short', async () => {
  const b = await reverseLookups(['127.0.0.7'], s);
  assert.deepEqual(b.answers.get('127.0.0.7'), { ok: true, name: 'known.example' });
  assert.equal(b.stopped, null);
  assert.equal(lookupsInFlight(), 0);
});

test('2,000 addresses nobody answers: at most batchWidth queries, one deadline for all, the rest never asked', async () => {
  const ips = hanging(2000, '10.1');
  const before = dns.total();
  const b = await reverseLookups(ips, s);
  assert.equal(b.stopped, 'timeout');
  assert.ok(b.asked <= batchWidth(s), `asked ${b.asked}`);
  assert.ok(dns.total() - before <= batchWidth(s), 'the name server saw no more than the batch width');
  assert.equal(b.answers.size, b.asked, 'addresses not reached have no answer');
  assert.equal(lookupsInFlight(), 0, 'every slot freed');
});

test('a batch takes half the process-wide bound, at least one slot', () => {
  assert.equal(batchWidth({ ...s, maxInFlight: 1 }), 1);
  assert.equal(batchWidth({ ...s, maxInFlight: 3 }), 1);
  assert.equal(batchWidth({ ...s, maxInFlight: 8 }), 4);
});

test("names: each gets an answer; those past the stop fail as timed out, naming the whole request's time", async () => {
  const names = ['known.example', ...hanging(50, 'hang').map((n) => `${n}.example`)];
  const b = await lookupNames(names, s);
  assert.equal(b.stopped, 'timeout');
  assert.deepEqual(b.answers.get('known.example'), { ok: true, ip: '127.0.0.7' });
  assert.equal(b.answers.size, names.length);
  const last = b.answers.get(names[names.length - 1] as string);
  assert.ok(last && !last.ok && last.why === 'timeout');
  assert.match(last.msg, /no answer within the 0\.4 seconds the names of one request may take/);
});

test('a full resolver stops a batch at once: the rest fail as busy, unasked', async () => {
  const one = { ...s, maxInFlight: 1, timeoutMs: 1500 };
  const holder = lookupName('holder.example', one);
  const before = dns.total();
  const b = await lookupNames(['a.example', 'b.example'], one);
  assert.equal(b.stopped, 'busy');
  for (const r of b.answers.values()) assert.ok(!r.ok && r.why === 'busy');
  const rev = await reverseLookups(['10.9.9.9'], one);
  assert.equal(rev.stopped, 'busy');
  await holder;
  assert.equal(dns.total() - before, dns.queries.get('holder.example') ?? 0, 'only the holder asked');
});

test('disabled: no query; reverse lookups are off below dnsSupportLevel 2, names only at 0', async () => {
  const before = dns.total();
  const off = await lookupNames(['known.example'], { ...s, dnsEnabled: false });
  assert.equal(off.answers.get('known.example')?.ok, false);
  assert.equal((await reverseLookups(['127.0.0.7'], { ...s, dnsEnabled: false })).answers.size, 0);
  assert.equal(dns.total(), before);
  const base = { dnsResolveTimeoutSeconds: 5, dnsMaxConcurrentLookups: 3, dnsServers: [] };
  assert.deepEqual(
    [0, 1, 2].map((dnsSupportLevel) => reverseResolverSettings({ ...base, dnsSupportLevel }).dnsEnabled),
    [false, false, true],
  );
});
