import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationToHuman, formatDateUtc, formatDay, formatDuration, parseTtl } from '../../../src/kernel/duration.js';
import { nameFilter, wildcardsMatcher } from '../../../src/policy/listFilter.js';
import { egressSshConfig } from '../../../src/policy/settings.js';

test('parseTtl: plain seconds and The Bastion duration strings', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['3600', 3600],
    ['8s', 8],
    ['1m', 60],
    ['2h30m', 9000],
    ['1d', 86400],
    ['1w2d', 9 * 86400],
    ['1y', 365 * 86400],
    ['4d12h15m', 4 * 86400 + 12 * 3600 + 15 * 60],
    ['10m5', 605],
    ['1D', 86400],
    ['2H', 7200],
  ];
  for (const [text, seconds] of ok) {
    const r = parseTtl(text);
    assert.equal(r.code, 'OK', text);
    assert.equal(r.value, seconds, text);
  }
  for (const bad of ['', 'abc', '1x', '-5', '1.5h', 'h1', '1 d', '9'.repeat(20)]) {
    const r = parseTtl(bad);
    assert.equal(r.code, 'KO_INVALID_PARAMETER', bad);
    assert.equal(r.value, null);
  }
});

test('formatDuration: HH:MM:SS under a day, Nd+HH:MM:SS above', () => {
  assert.equal(formatDuration(0), '00:00:00');
  assert.equal(formatDuration(11), '00:00:11');
  assert.equal(formatDuration(3661), '01:01:01');
  assert.equal(formatDuration(86400 + 2 * 3600 + 3 * 60 + 4), '1d+02:03:04');
  assert.equal(formatDuration(-5), '00:00:00');
});

test('dates as strftime prints them', () => {
  // 1795478231 = Mon 2026-11-23 23:57:11 UTC (a timestamp from The Bastion's recorded answers).
  assert.equal(formatDateUtc(1795478231), 'Mon 2026-11-23 23:57:11 UTC');
  assert.match(formatDay(1795478231), /^2026-11-2[34]$/);
  const h = durationToHuman(11, 1795478243, 'past');
  assert.equal(h.duration, '00:00:11');
  assert.equal(h.datetime_utc, 'Mon 2026-11-23 23:57:12 UTC');
  assert.equal(h.date, h.datetime_local);
  assert.equal(h.human, `00:00:11 (${h.datetime_local})`);
  assert.equal(durationToHuman(60, 1795478231).datetime_utc, 'Mon 2026-11-23 23:58:11 UTC');
});

test('wildcard patterns: * and ?, implicit contains, regex characters literal, exclude wins', () => {
  assert.equal(wildcardsMatcher([]), null);
  const match = wildcardsMatcher(['web-?', 'db']);
  assert.ok(match);
  assert.ok(match('web-1'));
  assert.ok(!match('web-10'));
  assert.ok(match('mydbserver'));
  assert.ok(!wildcardsMatcher(['a.b'])?.('axb'));
  assert.ok(wildcardsMatcher(['(x)'])?.('a(x)b'));
  const keep = nameFilter(['web*'], ['*old*']);
  assert.ok(keep('web-1'));
  assert.ok(!keep('web-old'));
  assert.ok(!keep('db-1'));
  assert.ok(nameFilter([], [])('anything'));
});

test('egress ssh config from the account settings', () => {
  assert.deepEqual(egressSshConfig(new Map()), { type: 'default' });
  assert.deepEqual(egressSshConfig(new Map([['egress_strict_host_key_checking', 'accept-new']])), {
    type: 'custom',
    items: { stricthostkeychecking: 'accept-new' },
  });
  assert.deepEqual(
    egressSshConfig(
      new Map([
        ['egress_strict_host_key_checking', 'bypass'],
        ['egress_session_multiplexing', 'no'],
      ]),
    ),
    {
      type: 'custom',
      items: { stricthostkeychecking: 'no', userknownhostsfile: '/dev/null', controlmaster: 'no', controlpath: 'none' },
    },
  );
});

test('attack: parseTtl refuses a long run of digits with a bad last character at once (the nested RegExp was exponential)', () => {
  assert.equal(parseTtl('1'.repeat(5000) + '!').code, 'KO_INVALID_PARAMETER');
  assert.equal(parseTtl('1d'.repeat(2000) + 'x').code, 'KO_INVALID_PARAMETER');
  for (const bad of ['', 'd', '1dd', '1d1hh', '-1', '1.5h', ' 1h', '1h ']) assert.equal(parseTtl(bad).code, 'KO_INVALID_PARAMETER', bad);
  assert.equal(parseTtl('1d2H3').value, 86400 + 7200 + 3);
});
