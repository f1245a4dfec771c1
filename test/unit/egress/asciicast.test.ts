// The asciicast v2 readers: refusal of damaged files, and replay pacing by --speed. (The writer,
// the recorder thread, is tested in test/unit/services/recorder.test.ts.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CastFormatError, parseCast } from '../../../src/egress/asciicast.js';
import { replayCast } from '../../../src/egress/replay.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cast-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => path.join(dir, `sub${++n}`, 'x.cast');

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
