// The recording fast path: event lines built from the bytes (the same text JSON.stringify writes,
// UTF-8 characters cut anywhere, invalid bytes as U+FFFD as a streaming decoder gives them), and
// the recorder thread's files and batches (header, timed events, mode 0600, order of streams and
// resizes kept, few events for bulk output, chunks copied when handed over, backpressure while the
// thread is behind, refusal to overwrite, a directory that can't be made).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { after, test } from 'node:test';
import { parseCast } from '../../../src/egress/asciicast.js';
import { CastEncoder, Utf8Stream } from '../../../src/services/castEncoding.js';
import { createRecorderPool, type RecorderPool } from '../../../src/services/recorder.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-recorder-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// A small deterministic generator (xorshift32), so a failure can be replayed.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** `bytes` copied to `offset` bytes into a fresh buffer: the encoder must not assume alignment. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const b = new Uint8Array(bytes.length + offset);
  b.set(bytes, offset);
  return b.subarray(offset);
}

test('an event line is byte for byte what JSON.stringify writes, whatever the characters', () => {
  const rand = rng(7);
  const enc = new CastEncoder(8); // tiny, so the buffer grows in the middle of lines
  const special = ['\u0000', '\u0001', '\b', '\t', '\n', '\u000b', '\f', '\r', '\u001b', '\u001f', '"', '\\', '/', '\u007f', 'é', '\u2028', '☕', '𝄞'];
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const len = Math.floor(rand() * 60);
    for (let k = 0; k < len; k++) {
      const r = rand();
      if (r < 0.3) s += special[Math.floor(rand() * special.length)];
      else if (r < 0.8) s += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
      else s += String.fromCodePoint(Math.floor(rand() * 0xd7ff));
    }
    const t = Math.round(rand() * 1e6) / 1e6;
    const line = Buffer.from(enc.event(t, 'o', at(Buffer.from(s), i % 4))).toString('utf8');
    assert.equal(line, JSON.stringify([t, 'o', s]) + '\n');
  }
  assert.equal(Buffer.from(enc.event(1.5, 'r', '120x40')).toString(), '[1.5,"r","120x40"]\n');
});

test('a byte stream cut anywhere decodes as a streaming UTF-8 decoder does, invalid bytes included', () => {
  const rand = rng(11);
  const pieces = [
    Buffer.from('café ☕ 𝄞 "q" \\ \t\r\n\u001b[0m'),
    Buffer.from([0xe2, 0x82]), // a cut euro sign
    Buffer.from([0xf0, 0x9f, 0x98]), // a cut emoji
    Buffer.from([0xed, 0xa0, 0x80]), // a surrogate, invalid in UTF-8
    Buffer.from([0xc0, 0xaf]), // an overlong form
    Buffer.from([0xff, 0xfe, 0x80, 0xbf]),
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
    Buffer.from('plain text'),
  ];
  for (let i = 0; i < 3000; i++) {
    const parts: Buffer[] = [];
    for (let k = 0, n = 1 + Math.floor(rand() * 10); k < n; k++) {
      if (rand() < 0.3) parts.push(Buffer.from(Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * 256))));
      else parts.push(pieces[Math.floor(rand() * pieces.length)] ?? Buffer.alloc(0));
    }
    const all = Buffer.concat(parts);
    const chunks: Uint8Array[] = [];
    for (let p = 0; p < all.length; ) {
      const l = 1 + Math.floor(rand() * 7);
      chunks.push(at(all.subarray(p, p + l), Math.floor(rand() * 4)));
      p += l;
    }
    const enc = new CastEncoder(16);
    const stream = new Utf8Stream();
    const decoder = new StringDecoder('utf8');
    let ours = '';
    let theirs = '';
    for (const c of chunks) {
      ours += (JSON.parse(Buffer.from(enc.event(0, 'o', stream.write(c))).toString('utf8')) as [number, string, string])[2];
      theirs += decoder.write(Buffer.from(c));
    }
    ours += (JSON.parse(Buffer.from(enc.event(0, 'o', stream.end())).toString('utf8')) as [number, string, string])[2];
    theirs += decoder.end();
    assert.equal(ours, theirs, all.toString('hex'));
    assert.equal(ours, all.toString('utf8'));
  }
});

const header = { version: 2 as const, width: 80, height: 24, timestamp: 1 };

/** Runs a test with its own recorder thread, stopped whatever happens. */
async function withPool(fn: (pool: RecorderPool) => Promise<void>): Promise<void> {
  const pool = createRecorderPool();
  try {
    await fn(pool);
  } finally {
    await pool.stop();
  }
}

test('the recorder thread keeps the order of stdout, stderr and resizes, in few events for bulk output', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'a', 'order.cast');
    const rec = pool.open(f, header);
    assert.equal(await rec.ready(), null);
    // 1 MiB and a bit in SSH-packet-sized chunks, with a character cut between two of them.
    const block = Buffer.from('0123456789abcdef\n'.repeat(2048)); // 34 KiB
    let sent = '';
    for (let i = 0; i < 31; i++) {
      rec.output(block);
      sent += block.toString();
    }
    const cup = Buffer.from('☕');
    rec.output(cup.subarray(0, 1));
    rec.output(cup.subarray(1));
    sent += '☕';
    rec.errorOutput(Buffer.from('warning\n'));
    rec.resize(132, 40);
    rec.output(Buffer.from('after\n'));
    await rec.close();
    const { events } = parseCast(fs.readFileSync(f, 'utf8'));
    const codes = events.map((e) => e.code).join('');
    assert.match(codes, /^o+ero$/, codes);
    assert.equal(
      events
        .filter((e) => e.code === 'o')
        .slice(0, -1)
        .map((e) => e.data)
        .join(''),
      sent,
    );
    assert.equal(events.find((e) => e.code === 'e')?.data, 'warning\n');
    assert.equal(events.find((e) => e.code === 'r')?.data, '132x40');
    assert.equal(events.at(-1)?.data, 'after\n');
    // 1 MiB in 256 KiB batches: a handful of events, not one per chunk.
    assert.ok(events.filter((e) => e.code === 'o').length <= 8, codes);
    for (let i = 1; i < events.length; i++) assert.ok((events[i]?.time ?? 0) >= (events[i - 1]?.time ?? 0));
  }));

test('a chunk is copied when handed over: changing the buffer afterwards changes nothing recorded', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'b', 'copy.cast');
    const rec = pool.open(f, header);
    const buf = Buffer.from('first\n');
    rec.output(buf);
    buf.write('XXXXX\n');
    rec.output(Buffer.from('second\n'));
    await rec.close();
    assert.equal(
      parseCast(fs.readFileSync(f, 'utf8'))
        .events.map((e) => e.data)
        .join(''),
      'first\nsecond\n',
    );
  }));

test('a recording that falls behind asks the session to wait, and says when it can go on', () =>
  withPool(async (pool) => {
    const rec = pool.open(path.join(dir, 'c', 'slow.cast'), header);
    await rec.ready();
    // Nothing is acknowledged while this loop runs: past the in-flight budget output() says stop.
    const chunk = Buffer.alloc(32 * 1024, 0x61);
    let accepted = 0;
    while (rec.output(chunk)) accepted++;
    assert.ok(accepted >= 100 && accepted < 200, String(accepted));
    await new Promise<void>((resolve) => rec.onDrain(resolve));
    await rec.close();
  }));

test('the recorder thread never overwrites a recording, and says why it could not open one', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'd', 'once.cast');
    const first = pool.open(f, header);
    assert.equal(await first.ready(), null);
    await first.close();
    const again = pool.open(f, header);
    assert.match(String(await again.ready()), /EEXIST/);
    await again.close();
    assert.equal(parseCast(fs.readFileSync(f, 'utf8')).events.length, 0);
  }));

test('a recording: header line, then [time, code, data] events in time order, the file 0600', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'e', 'x.cast');
    const w = pool.open(f, { version: 2, width: 100, height: 30, timestamp: 1_700_000_000, env: { TERM: 'xterm' } });
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
  }));

test('a UTF-8 character cut between two chunks is written whole, once', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'f', 'x.cast');
    const w = pool.open(f, header);
    const bytes = Buffer.from('café ☕');
    w.output(bytes.subarray(0, 4)); // 'caf' + the first byte of 'é'
    w.output(bytes.subarray(4, 8)); // the rest of 'é', ' ', the first two bytes of the cup
    w.output(bytes.subarray(8));
    await w.close();
    const { events } = parseCast(fs.readFileSync(f, 'utf8'));
    assert.equal(events.map((e) => e.data).join(''), 'café ☕');
  }));

test('a recording that could not be opened stays failed; a directory that cannot be made is reported, not thrown', () =>
  withPool(async (pool) => {
    const f = path.join(dir, 'g', 'x.cast');
    await pool.open(f, { ...header, timestamp: 1 }).close();
    const w = pool.open(f, { ...header, timestamp: 2 });
    assert.match(String(await w.ready()), /EEXIST/);
    await w.close();
    assert.match(String(await w.ready()), /EEXIST/, 'still failed after close');
    // A file is in the way of the directory.
    const blocked = pool.open(path.join(f, 'below', 'y.cast'), { ...header, timestamp: 2 });
    assert.ok(await blocked.ready());
    await blocked.close();
    assert.equal(parseCast(fs.readFileSync(f, 'utf8')).header.timestamp, 1);
  }));
