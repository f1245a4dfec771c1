// The output side of a session channel: drain() waits while the client is behind, ends when it
// leaves; writes after it left are dropped; dispose() leaves no listener behind.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { channelSink } from '../../../src/ssh/channelSink.js';

/** A writable that holds what it is given until `release()`: a client that does not read. */
function slowStream(highWaterMark: number): Writable & { written: string[]; release(): void } {
  const pending: (() => void)[] = [];
  const written: string[] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk.toString());
      pending.push(cb);
    },
  });
  return Object.assign(w, {
    written,
    release: () => {
      for (const cb of pending.splice(0)) cb();
    },
  });
}

function fakeChannel(): ReturnType<typeof slowStream> & { stderr: ReturnType<typeof slowStream> } {
  return Object.assign(slowStream(8), { stderr: slowStream(8) });
}

test('drain() resolves at once below the high-water mark, waits above it until the client catches up', async () => {
  const ch = fakeChannel();
  const { sink } = channelSink(ch, []);
  await sink.drain?.();
  sink.stdout('0123456789');
  let drained = false;
  const waiting = sink.drain?.().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  ch.release();
  await waiting;
  assert.equal(drained, true);
});

test('when the client leaves (the connection closes), drain() ends, later writes are dropped, and the signal is aborted', async () => {
  const ch = fakeChannel();
  const connection = new EventEmitter();
  const { sink, gone } = channelSink(ch, [connection]);
  sink.stderr('0123456789');
  const waiting = sink.drain?.();
  connection.emit('close');
  await waiting;
  assert.equal(gone.aborted, true);
  sink.stdout('after');
  sink.stderr('after');
  assert.deepEqual(ch.written, []);
  assert.deepEqual(ch.stderr.written, ['0123456789']);
});

test('dispose() removes every listener and gives back the listener allowance', () => {
  const ch = fakeChannel();
  const session = new EventEmitter();
  const connection = new EventEmitter();
  const max = connection.getMaxListeners();
  const { dispose, gone } = channelSink(ch, [session, connection]);
  assert.equal(connection.getMaxListeners(), max + 1);
  dispose();
  dispose();
  assert.equal(connection.getMaxListeners(), max);
  for (const [e, ev] of [
    [ch, 'close'],
    [ch.stderr, 'finish'],
    [ch.stderr, 'close'],
    [session, 'close'],
    [connection, 'close'],
  ] as const) {
    assert.equal(e.listenerCount(ev), 0, ev);
  }
  connection.emit('close');
  assert.equal(gone.aborted, false);
});
