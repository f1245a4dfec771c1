// The guard against a peer that ignores the SSH receive window: below the bound a paused stream
// buffers as usual; one push past it is refused, reported once, and nothing more is buffered.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { boundChannelInput } from '../../../src/kernel/channelInputBound.js';

test('a paused stream buffers up to the bound; past it the push is refused and reported once', () => {
  const s = new Readable({ read() {}, highWaterMark: 1024 });
  s.pause();
  let overruns = 0;
  boundChannelInput(s, () => overruns++, 10_000);
  for (let i = 0; i < 9; i++) s.push(Buffer.alloc(1000));
  assert.equal(s.readableLength, 9000);
  assert.equal(overruns, 0);
  assert.equal(s.push(Buffer.alloc(2000)), false);
  assert.equal(overruns, 1);
  for (let i = 0; i < 100; i++) s.push(Buffer.alloc(1000));
  assert.equal(overruns, 1, 'reported once');
  assert.equal(s.readableLength, 9000, 'nothing buffered after the overrun');
});

test('a stream that is read stays under the bound whatever flows through it', async () => {
  const s = new Readable({ read() {} });
  let overruns = 0;
  boundChannelInput(s, () => overruns++, 10_000);
  let got = 0;
  s.on('data', (d: Buffer) => (got += d.length));
  for (let i = 0; i < 200; i++) {
    s.push(Buffer.alloc(1000));
    await new Promise((r) => setImmediate(r));
  }
  s.push(null);
  await new Promise((r) => s.once('end', r));
  assert.equal(got, 200_000);
  assert.equal(overruns, 0);
});
