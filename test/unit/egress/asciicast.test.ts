// The asciicast v2 writer and readers: header, timed events, multi-byte characters cut across
// chunks, the stderr and resize codes, refusal of damaged files, and replay pacing by --speed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CastFormatError, CastWriter, parseCast } from '../../../src/egress/asciicast.js';
import { replayCast } from '../../../src/egress/replay.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cast-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(dir, `sub${++n}`, 'x.cast');

test('a recording: header line, then [time, code, data] events in time order', async () => {
  const f = file();
  const w = new CastWriter(f, { version: 2, width: 100, height: 30, timestamp: 1_700_000_000, env: { TERM: 'xterm' } });
  w.output(Buffer.from('hello\r\n'));
  w.errorOutput(Buffer.from('oops\n'));
  w.resize(120, 40);
  await w.close();
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  const { header, events } = parseCast(fs.readFileSync(f, 'utf8'));
  assert.deepEqual(header, { version: 2, width: 100, height: 30, timestamp: 1_700_000_000, env: { TERM: 'xterm' } });
  assert.deepEqual(
    events.map((e) => [e.code, e.data]),
    [
      ['o', 'hello\r\n'],
      ['e', 'oops\n'],
      ['r', '120x40'],
    ],
  );
  for (const e of events) assert.ok(e.time >= 0 && e.time < 5);
});

test('a UTF-8 character cut between two chunks is written whole, once', async () => {
  const f = file();
  const w = new CastWriter(f, { version: 2, width: 80, height: 24, timestamp: 1 });
  const bytes = Buffer.from('café ☕');
  w.output(bytes.subarray(0, 4)); // 'caf' + the first byte of 'é'
  w.output(bytes.subarray(4, 8)); // the rest of 'é', ' ', the first two bytes of the cup
  w.output(bytes.subarray(8));
  await w.close();
  const { events } = parseCast(fs.readFileSync(f, 'utf8'));
  assert.equal(events.map((e) => e.data).join(''), 'café ☕');
});

test('an existing recording is never overwritten', async () => {
  const f = file();
  await new CastWriter(f, { version: 2, width: 80, height: 24, timestamp: 1 }).close();
  const w = new CastWriter(f, { version: 2, width: 80, height: 24, timestamp: 2 });
  assert.match(String(await w.ready()), /EEXIST/);
  await w.close();
  assert.ok(w.error);
  // A directory that can't be made (a file is in the way) is reported the same way, not thrown.
  const blocked = new CastWriter(path.join(f, 'below', 'y.cast'), { version: 2, width: 80, height: 24, timestamp: 2 });
  assert.ok(await blocked.ready());
  await blocked.close();
  assert.equal(parseCast(fs.readFileSync(f, 'utf8')).header.timestamp, 1);
});

test('damaged recordings are refused with a reason', () => {
  assert.throws(() => parseCast(''), CastFormatError);
  assert.throws(() => parseCast('{"version": 1, "width": 80, "height": 24}\n'), /asciicast v2/);
  assert.throws(() => parseCast('{"version": 2, "width": 80, "height": 24, "timestamp": 1}\n[1, "o"]\n'), /triple/);
  assert.throws(() => parseCast('{"version": 2, "width": 80, "height": 24, "timestamp": 1}\n[2, "o", "a"]\n[1, "o", "b"]\n'), /time/);
  assert.throws(() => parseCast('{"version": 2, "width": 80, "height": 24, "timestamp": 1}\n[1, "x", "a"]\n'), /code/);
  assert.throws(() => parseCast('{"version": 2, "width": 80, "height": 24, "timestamp": 1}\nnot json\n'), /not JSON/);
});

test('replay: events to their stream, waits scaled by the speed, resize events skipped', async () => {
  const f = file();
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, ['{"version": 2, "width": 80, "height": 24, "timestamp": 1}', '[0.5, "o", "a"]', '[1.5, "e", "b"]', '[1.5, "r", "90x30"]', '[3.5, "o", "c"]', ''].join('\n'));
  const out: string[] = [];
  const waits: number[] = [];
  const r = await replayCast(
    f,
    2,
    { out: (d) => out.push(`o:${d}`), err: (d) => out.push(`e:${d}`), drain: async () => {} },
    new AbortController().signal,
    async (ms) => void waits.push(ms),
  );
  assert.deepEqual(out, ['o:a', 'e:b', 'o:c']);
  assert.deepEqual(waits, [250, 500, 1000]);
  assert.equal(r.events, 4);
  fs.appendFileSync(f, '[1, "o", "back in time"]\n');
  await assert.rejects(
    replayCast(f, 1, { out: () => {}, err: () => {}, drain: async () => {} }, new AbortController().signal, async () => {}),
    CastFormatError,
  );
});
