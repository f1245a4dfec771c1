// The pre-authentication limiter with a hand-driven clock and dice: caps, random early drop,
// penalties accumulating up to their maximum, the bounded penalty table, and one report per event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../../src/config/parse.js';
import {
  createPreauthLimiter,
  EPISODE_QUIET_MS,
  parseMaxStartups,
  preauthPolicy,
  type PreauthEvent,
  type PreauthPolicy,
  type PreauthTicket,
} from '../../../src/ssh/preauthLimits.js';

function policy(raw: Record<string, unknown> = {}): PreauthPolicy {
  return preauthPolicy(validateConfig({ perSourcePenaltyExemptList: [], ...raw }).config);
}

function harness(dice: () => number = () => 0.99) {
  let t = 1_000_000;
  const events: PreauthEvent[] = [];
  const limiter = createPreauthLimiter({ now: () => t, random: dice, report: (e) => events.push(e) });
  return {
    limiter,
    events,
    advance: (ms: number) => (t += ms),
    kinds: () => events.map((e) => e.kind),
  };
}

function admitted(r: ReturnType<ReturnType<typeof harness>['limiter']['admit']>): PreauthTicket {
  if (!r.ok) throw new Error(`refused: ${r.why}`);
  return r.ticket;
}

test('parseMaxStartups: OpenSSH start:rate:full or a plain cap, clamped', () => {
  assert.deepEqual(parseMaxStartups('10:30:100'), { start: 10, rate: 30, full: 100 });
  assert.deepEqual(parseMaxStartups('20'), { start: 20, rate: 100, full: 20 });
  assert.deepEqual(parseMaxStartups('200:30:100'), { start: 100, rate: 30, full: 100 });
  assert.deepEqual(parseMaxStartups('10:250:100'), { start: 10, rate: 100, full: 100 });
  assert.deepEqual(parseMaxStartups('0'), { start: 1, rate: 100, full: 1 });
});

test('defaults: The Bastion sshd MaxStartups ceiling, a per-source cap below its start, loopback exempt from penalties', () => {
  const p = preauthPolicy(validateConfig({}).config);
  assert.deepEqual(p.maxStartups, { start: 100, rate: 30, full: 500 });
  assert.equal(p.perSourceMaxStartups, 30);
  assert.ok(p.perSourceMaxStartups < p.maxStartups.start, 'one source alone never reaches the shared early drop');
  assert.equal(p.exempt('127.0.0.1'), true);
  assert.equal(p.exempt('::1'), true);
  assert.equal(p.exempt('127.0.0.2'), false);
  assert.equal(p.exempt('192.0.2.1'), false);
});

test('a plain global cap refuses beyond it, logs once, and frees a place when a connection logs in or closes', () => {
  const h = harness();
  const p = policy({ maxStartups: '3', perSourceMaxStartups: 0 });
  const tickets = [1, 2, 3].map((i) => admitted(h.limiter.admit(`192.0.2.${i}`, p)));
  for (let i = 0; i < 5; i++) assert.deepEqual(h.limiter.admit('192.0.2.9', p), { ok: false, why: 'startups' });
  assert.deepEqual(h.kinds(), ['startups-refusing']);
  assert.equal((h.events[0] as { peer: string }).peer, '192.0.2.9');
  tickets[0]?.authenticated();
  admitted(h.limiter.admit('192.0.2.9', p));
  tickets[1]?.closed('noauth');
  admitted(h.limiter.admit('192.0.2.10', p));
  assert.equal(h.limiter.stats().unauthenticated, 3);
  // After a quiet period the episode ends with one summary of what was refused.
  h.advance(EPISODE_QUIET_MS);
  h.limiter.sweep();
  assert.deepEqual(h.events.at(-1), { kind: 'startups-stopped', refused: 5 });
  assert.equal(h.events.length, 2);
});

test('random early drop: none below start, rate% at start, certain at full', () => {
  const p = policy({ maxStartups: '2:50:4', perSourceMaxStartups: 0 });
  // Dice just under 50%: admitted below start, refused at start.
  const low = harness(() => 0.49);
  admitted(low.limiter.admit('192.0.2.1', p));
  admitted(low.limiter.admit('192.0.2.2', p));
  assert.equal(low.limiter.admit('192.0.2.3', p).ok, false);
  // Dice just over 50%: admitted at start (2) and at 3 (75% needed), then full refuses whatever the dice.
  const high = harness(() => 0.8);
  for (let i = 1; i <= 4; i++) admitted(high.limiter.admit(`192.0.2.${i}`, p));
  const never = harness(() => 0.999);
  for (let i = 1; i <= 3; i++) admitted(never.limiter.admit(`192.0.2.${i}`, p));
  assert.equal(never.limiter.admit('192.0.2.3', p).ok, true);
  assert.deepEqual(never.limiter.admit('192.0.2.5', p), { ok: false, why: 'startups' });
});

test('per-source cap: one address is capped, others are not', () => {
  const h = harness();
  const p = policy({ perSourceMaxStartups: 2 });
  const a = [admitted(h.limiter.admit('192.0.2.1', p)), admitted(h.limiter.admit('192.0.2.1', p))];
  assert.deepEqual(h.limiter.admit('192.0.2.1', p), { ok: false, why: 'per-source' });
  assert.deepEqual(h.limiter.admit('192.0.2.1', p), { ok: false, why: 'per-source' });
  admitted(h.limiter.admit('192.0.2.2', p));
  a[0]?.authenticated();
  admitted(h.limiter.admit('192.0.2.1', p));
  assert.deepEqual(h.kinds(), ['per-source-refusing']);
  h.advance(EPISODE_QUIET_MS);
  h.limiter.sweep();
  assert.deepEqual(h.events.at(-1), { kind: 'per-source-stopped', peer: '192.0.2.1', refused: 2 });
});

test('penalties accumulate per failed connection, start past the minimum, and refuse until they expire', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyAuthFailSeconds: 5, perSourcePenaltyMinSeconds: 15, perSourcePenaltyMaxSeconds: 30 });
  // 5 + 5 + 5 = 15 is not past the minimum: still admitted.
  for (let i = 0; i < 3; i++) admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, true);
  assert.deepEqual(h.kinds(), []);
  admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  assert.deepEqual(h.events, [{ kind: 'penalty-started', peer: '192.0.2.7', seconds: 20, reason: 'authfail' }]);
  for (let i = 0; i < 100; i++) assert.deepEqual(h.limiter.admit('192.0.2.7', p), { ok: false, why: 'penalty' });
  // Another source is not affected.
  admitted(h.limiter.admit('192.0.2.8', p));
  // Connections already open when the penalty started still add to it, up to the maximum.
  const open = [1, 2, 3, 4].map(() => admitted(h.limiter.admit('192.0.2.8', p)));
  for (const t of open) t.closed('authfail');
  assert.equal(h.events.length, 2);
  assert.deepEqual(h.events[1], { kind: 'penalty-started', peer: '192.0.2.8', seconds: 20, reason: 'authfail' });
  h.advance(19_000);
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, false);
  h.advance(1_000);
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, true);
  assert.deepEqual(h.events[2], { kind: 'penalty-ended', peer: '192.0.2.7', refused: 101 });
  assert.equal(h.kinds().filter((k) => k === 'penalty-started').length, 2);
});

test('a penalty never exceeds its maximum', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyAuthFailSeconds: 100, perSourcePenaltyMinSeconds: 1, perSourcePenaltyMaxSeconds: 30 });
  const open = [1, 2, 3].map(() => admitted(h.limiter.admit('192.0.2.7', p)));
  for (const t of open) t.closed('authfail');
  assert.deepEqual(h.events, [{ kind: 'penalty-started', peer: '192.0.2.7', seconds: 30, reason: 'authfail' }]);
  h.advance(30_000);
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, true);
});

test('no-auth and grace-exceeded ends are penalised with their own amounts; a login is never penalised', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyNoAuthSeconds: 1, perSourcePenaltyGraceExceededSeconds: 10, perSourcePenaltyMinSeconds: 15 });
  const t = admitted(h.limiter.admit('192.0.2.7', p));
  t.authenticated();
  t.closed('authfail');
  admitted(h.limiter.admit('192.0.2.7', p)).closed('grace-exceeded');
  admitted(h.limiter.admit('192.0.2.7', p)).closed('noauth');
  assert.deepEqual(h.kinds(), []);
  admitted(h.limiter.admit('192.0.2.7', p)).closed('grace-exceeded');
  assert.deepEqual(h.events, [{ kind: 'penalty-started', peer: '192.0.2.7', seconds: 21, reason: 'grace-exceeded' }]);
});

test('exempt sources are never penalised', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyExemptList: ['192.0.2.0/24'], perSourcePenaltyMinSeconds: 0 });
  for (let i = 0; i < 10; i++) admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, true);
  assert.deepEqual(h.kinds(), []);
});

test('a penalty that expired before new failures starts again from zero', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyAuthFailSeconds: 5, perSourcePenaltyMinSeconds: 12 });
  admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  h.advance(10_001);
  admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  admitted(h.limiter.admit('192.0.2.7', p)).closed('authfail');
  assert.equal(h.limiter.admit('192.0.2.7', p).ok, true);
  assert.deepEqual(h.kinds(), []);
});

test('the penalty table is bounded: the least recently penalised source is forgotten, and that is reported once', () => {
  const h = harness();
  const p = policy({ perSourcePenaltyMaxSources: 100, perSourcePenaltyMinSeconds: 0, perSourcePenaltyAuthFailSeconds: 60 });
  for (let i = 0; i < 1000; i++) admitted(h.limiter.admit(`10.0.${i >> 8}.${i & 255}`, p)).closed('authfail');
  assert.equal(h.limiter.stats().penalties, 100);
  assert.equal(h.limiter.stats().sources, 0);
  // The most recent are still penalised, the oldest forgotten.
  assert.equal(h.limiter.admit('10.0.3.231', p).ok, false);
  assert.equal(h.limiter.admit('10.0.0.0', p).ok, true);
  h.advance(1000);
  h.limiter.sweep();
  const full = h.events.filter((e) => e.kind === 'penalty-table-full');
  assert.deepEqual(full, [{ kind: 'penalty-table-full', dropped: 900, maxSources: 100 }]);
});

test('many sources hitting their cap are logged individually up to a bound, then together', () => {
  const h = harness();
  const p = policy({ perSourceMaxStartups: 1, maxStartups: '100000' });
  for (let i = 0; i < 3000; i++) {
    const ip = `10.1.${i >> 8}.${i & 255}`;
    admitted(h.limiter.admit(ip, p));
    h.limiter.admit(ip, p);
  }
  const lines = h.events.filter((e) => e.kind === 'per-source-refusing');
  assert.equal(lines.length, 1025);
  assert.deepEqual(lines.at(-1), { kind: 'per-source-refusing', peer: '*', unauthenticated: 1, limit: 1 });
});
