// Small pieces of the egress path: the remote command as osh.pl takes it, the multi-sink pump's
// backpressure, the key plan, and how sessions are shown.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { remoteCommand } from '../../../src/egress/call.js';
import { planKeys } from '../../../src/egress/keys.js';
import { pump, streamSink } from '../../../src/egress/pump.js';
import { machineDisplay } from '../../../src/egress/resolve.js';
import { sessionItem, shortDuration, whenToMs } from '../../../src/egress/sessionView.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { keyringFromKey } from '../../../src/services/keyring.js';
import type { SessionRow } from '../../../src/store/sessions.js';

test('the remote command: everything after the first " -- " as typed, or the words left after the host', () => {
  assert.equal(remoteCommand('root@h -- echo \'a  b\' "c"', [], ['echo', 'a  b', 'c']), 'echo \'a  b\' "c"');
  assert.equal(remoteCommand('-p 22 h -- ls -- -la', [], ['ls', '--', '-la']), 'ls -- -la');
  assert.equal(remoteCommand('h uname -a', ['uname', '-a'], null), 'uname -a');
  assert.equal(remoteCommand('h', [], null), null);
  assert.equal(remoteCommand('h --', [], []), null);
});

test('machineDisplay brackets IPv6 and names the user', () => {
  assert.equal(machineDisplay('10.0.0.1', 22, 'root'), 'root@10.0.0.1:22');
  assert.equal(machineDisplay('::1', 2222), '[::1]:2222');
});

test('pump: the source pauses while any sink is full and resumes when all have drained', async () => {
  const src = new PassThrough();
  let slowCb: (() => void) | null = null;
  const slow = new Writable({
    highWaterMark: 4,
    write(_chunk, _enc, cb) {
      slowCb = cb;
    },
  });
  const got: string[] = [];
  const fast = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk.toString());
      cb();
    },
  });
  const h = pump(src, [streamSink(slow), streamSink(fast)]);
  src.write('123456');
  await new Promise((r) => setImmediate(r));
  assert.equal(src.isPaused(), true, 'paused: the slow sink is over its mark');
  assert.deepEqual(got, ['123456']);
  (slowCb as (() => void) | null)?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(src.isPaused(), false, 'resumed after the drain');
  assert.equal(h.bytes, 6);
  h.release();
});

test('the key plan: every access listed, each key tried once, in order; forced keys said so', () => {
  const keyring = keyringFromKey(Buffer.alloc(32, 7));
  const pair = generateCheckedKeyPair('ed25519');
  const k = { fingerprint: 'SHA256:one', family: 'ED25519', size: 256, createdAt: 0, privateSealed: keyring.seal(Buffer.from(pair.private)) };
  const broken = { ...k, fingerprint: 'SHA256:broken', privateSealed: Buffer.from('nope') };
  const plan = planKeys(
    [
      { type: 'personal', group: null, forceKey: null, keys: [k, broken] },
      { type: 'group-member', group: 'web', forceKey: 'SHA256:one', keys: [k] },
      { type: 'group-guest', group: 'db', forceKey: 'SHA256:zzz', keys: [] },
    ],
    keyring,
  );
  assert.deepEqual(
    plan.keys.map((x) => x.fingerprint),
    ['SHA256:one'],
  );
  assert.deepEqual(plan.broken, ['SHA256:broken']);
  assert.equal(plan.lines[0], '  - personal access with ED25519-256 key SHA256:one [1970/01/01]');
  assert.match(plan.lines[2] ?? '', /group-member of web with .* \(KEY FORCED IN ACL\)$/);
  assert.match(plan.lines[3] ?? '', /group-guest of db but found no key matching the forced fingerprint/);
});

test("sessions as The Bastion's selfListSessions shows them", () => {
  const row: SessionRow = {
    id: 'abc',
    account_id: 1,
    account: 'alice',
    conn_id: 'c',
    peer_ip: '192.0.2.1',
    peer_port: 40000,
    via_ip: '127.0.0.1',
    via_port: 2222,
    target_user: 'root',
    target_host: 'srv1',
    target_ip: '10.0.0.5',
    target_port: 22,
    allowed: 1,
    pty: 1,
    command: null,
    started_at: 1_000_500,
    ended_at: 1_002_000,
    exit_status: 3,
    exit_signal: null,
    comment: null,
    bytes_up: 1,
    bytes_down: 2,
    recording: 'r',
  };
  const item = sessionItem(row);
  assert.equal(item.returned, 768);
  assert.deepEqual(item.to, { ip: '10.0.0.5', port: '22', host: 'srv1' });
  assert.equal(item.timestamp_started, 1000.5);
  assert.equal(sessionItem({ ...row, exit_signal: 'TERM', exit_status: null }).returned, 65280);
  assert.equal(sessionItem({ ...row, allowed: 0 }).returned, null);
  assert.equal(shortDuration(1500), '01.5');
  assert.equal(shortDuration(3_723_400), '01:02:03.4');
  assert.equal(shortDuration(90_061_000), '1d+01:01:01.0');
  assert.equal(whenToMs('1700000000'), 1_700_000_000_000);
  assert.equal(whenToMs('2024-01-02'), new Date(2024, 0, 2).getTime());
  assert.equal(whenToMs('2024/01/02@03:04:05'), new Date(2024, 0, 2, 3, 4, 5).getTime());
  assert.equal(whenToMs('yesterday'), null);
});
