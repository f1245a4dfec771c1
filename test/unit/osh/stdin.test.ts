// The stdin reader: lines and whole inputs read chunk by chunk in linear time, bounded, with the
// channel paused whenever no read is waiting (issue 9, items 2 and 3).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import { runCall } from '../../../src/dispatch/dispatch.js';
import { InputRefused, stdinReader, type StdinOptions } from '../../../src/osh/stdin.js';
import { createLogger } from '../../../src/kernel/log.js';
import { loadPlugins } from '../../../src/osh/registry.js';
import { dispatchBench } from '../../helpers/dispatchBench.js';

const MiB = 1024 * 1024;

function reader(source: Readable, o: Partial<StdinOptions> = {}): { r: ReturnType<typeof stdinReader>; echoed: string[] } {
  const echoed: string[] = [];
  const r = stdinReader(source, { timeoutMs: 5000, pty: false, echo: (t) => echoed.push(t), maxLineBytes: 64 * 1024, maxAllBytes: 16 * MiB, ...o });
  return { r, echoed };
}

/** A source that makes `chunk` again and again, on demand, and counts the bytes it was asked for. */
function endless(chunk: Buffer): { source: Readable; pulled: () => number } {
  let pulled = 0;
  const source = new Readable({
    read() {
      pulled += chunk.length;
      this.push(chunk);
    },
  });
  return { source, pulled: () => pulled };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

test('lines split over chunks and several lines in one chunk; CR dropped without a pty; the last line without LF', async () => {
  const { r } = reader(Readable.from([Buffer.from('fir'), Buffer.from('st\r\nsecond\nthi'), Buffer.from('rd')]));
  assert.equal(await r.readLine(), 'first');
  assert.equal(await r.readLine(), 'second');
  assert.equal(await r.readLine(), 'third');
  assert.equal(await r.readLine(), null);
});

test('a UTF-8 character split between chunks arrives whole', async () => {
  const e = Buffer.from('café\n');
  const { r } = reader(Readable.from([e.subarray(0, 4), e.subarray(4)]));
  assert.equal(await r.readLine(), 'café');
});

test('nothing within the time: null', async () => {
  const source = new Readable({ read() {} });
  const { r } = reader(source, { timeoutMs: 50 });
  assert.equal(await r.readLine(), null);
  assert.equal(await r.readAll(), null);
});

test('a line past the limit is refused at the limit, and the source is not read much further', async () => {
  const { source, pulled } = endless(Buffer.alloc(64 * 1024, 'a'));
  const { r } = reader(source, { maxLineBytes: 100 * 1024 });
  await assert.rejects(r.readLine(), (e: unknown) => e instanceof InputRefused && e.what === 'line' && e.limit === 100 * 1024);
  await tick();
  assert.ok(pulled() < 1 * MiB, `pulled ${pulled()}`);
  // A plugin's own maxBytes lowers the limit, never raises it.
  const more = reader(endless(Buffer.alloc(1024, 'b')).source, { maxLineBytes: 4096 });
  await assert.rejects(more.r.readLine({ maxBytes: 1 * MiB }), (e: unknown) => e instanceof InputRefused && e.limit === 4096);
  const less = reader(endless(Buffer.alloc(1024, 'b')).source, { maxLineBytes: 4096 });
  await assert.rejects(less.r.readLine({ maxBytes: 64 }), (e: unknown) => e instanceof InputRefused && e.limit === 64);
});

test('after a read, the source is paused: a client streaming without end is not read into memory', async () => {
  const { source, pulled } = endless(Buffer.from('y\n'.repeat(8192)));
  const { r } = reader(source);
  assert.equal(await r.readLine(), 'y');
  const after = pulled();
  for (let i = 0; i < 5; i++) await tick();
  assert.ok(source.isPaused());
  assert.ok(pulled() - after <= 64 * 1024, `read on to ${pulled()} bytes after the read had finished`);
  // The bytes that had arrived are not lost: the next read starts with them.
  assert.equal(await r.readLine(), 'y');
});

test('release(): listeners gone, source paused, later reads null', async () => {
  const { source } = endless(Buffer.from('line\n'));
  const { r } = reader(source);
  assert.equal(await r.readLine(), 'line');
  r.release();
  assert.equal(source.listenerCount('data'), 0);
  assert.ok(source.isPaused());
  assert.equal(await r.readLine(), null);
});

test('a long line is read in time linear in its length (8 MiB in 64 KiB chunks, pty echo once per chunk)', async () => {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const chunks = [...Array.from({ length: 128 }, () => chunk), Buffer.from('\r')];
  for (const pty of [false, true]) {
    const { r, echoed } = reader(Readable.from(chunks), { pty, maxLineBytes: 16 * MiB });
    const line = await r.readLine();
    assert.equal(line?.length, 8 * MiB);
    if (pty) assert.ok(echoed.length <= chunks.length + 1, `${echoed.length} echoes for ${chunks.length} chunks`);
    else assert.equal(echoed.length, 0);
  }
});

test('with a pty: echo, backspace over a multibyte character, controls dropped, CRLF is one line end, ^C cancels', async () => {
  const typed = ['ab\u00e9', '\x7f', 'c\x1b[A\x07d\tz\r\n', 'next\r', 'gone\x03', 'after\n'];
  const { r, echoed } = reader(Readable.from(typed.map((t) => Buffer.from(t))), { pty: true });
  assert.equal(await r.readLine(), 'abc[Ad\tz');
  assert.equal(echoed.join(''), 'ab\u00e9\b \bc[Ad\tz\r\n');
  assert.equal(await r.readLine(), 'next');
  assert.equal(await r.readLine(), null);
  assert.equal(await r.readLine(), 'after');
  for (const e of echoed) assert.equal(/[\x00-\x07\x0b-\x0c\x0e-\x1f\x7f\u0080-\u009f]/.test(e), false, JSON.stringify(e));
});

test('a pty line past the limit: the echo ends its line, then the read is refused', async () => {
  const { r, echoed } = reader(Readable.from([Buffer.alloc(5000, 'k')]), { pty: true, maxLineBytes: 4096 });
  await assert.rejects(r.readLine(), InputRefused);
  assert.equal(echoed.at(-1), '\r\n');
});

test('readAll: everything until the end; past its limit refused without reading on', async () => {
  const { r } = reader(Readable.from([Buffer.from('a\nb'), Buffer.from('\u00e9'.repeat(3))]));
  assert.equal(await r.readAll(), 'a\nb\u00e9\u00e9\u00e9');
  const { source, pulled } = endless(Buffer.alloc(64 * 1024, 'z'));
  const big = reader(source, { maxAllBytes: 2 * MiB });
  await assert.rejects(big.r.readAll(), (e: unknown) => e instanceof InputRefused && e.what === 'input' && e.limit === 2 * MiB);
  await tick();
  assert.ok(pulled() < 3 * MiB, `pulled ${pulled()}`);
});

test('readAll of 16 MiB in chunks completes (linear: no re-measuring of what was read)', async () => {
  const chunk = Buffer.alloc(32 * 1024, 'q');
  const { r } = reader(Readable.from(Array.from({ length: 512 }, () => chunk)));
  const all = await r.readAll();
  assert.equal(all?.length, 16 * MiB);
});

test('through the dispatcher: a pty key paste that never ends is one KO_INPUT_TOO_LONG envelope and one log line, and the stream is let go', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-stdin-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const bench = dispatchBench(path.join(tmp, 'db'), await loadPlugins());
  const { svc, account } = bench;
  let stdout = '';
  const logs: Record<string, unknown>[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write: (c: Buffer, _e, done) => {
        logs.push(
          ...c
            .toString()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
        done();
      },
    }),
  );
  const { source, pulled } = endless(Buffer.alloc(32 * 1024, 'A'));
  const outcome = await runCall(svc, {
    account,
    peer: { ip: '192.0.2.7', port: 40000 },
    connId: 'conn',
    command: '--json-greppable --osh selfAddIngressKey',
    kind: 'exec',
    pty: true,
    env: new Map(),
    stdin: source,
    gone: new AbortController().signal,
    sink: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stdout += t;
      },
    },
    log,
  });
  assert.deepEqual([outcome.exit, outcome.code, outcome.plugin], [100, 'KO_INPUT_TOO_LONG', 'selfAddIngressKey']);
  const envelopes = stdout.split('\r\n').filter((l) => l.startsWith('JSON_OUTPUT='));
  assert.equal(envelopes.length, 1);
  assert.equal(JSON.parse(envelopes[0]?.slice('JSON_OUTPUT='.length) ?? '').error_code, 'KO_INPUT_TOO_LONG');
  const refused = logs.filter((l) => l['msg'] === 'stdin refused: longer than the limit');
  assert.equal(refused.length, 1);
  assert.equal(refused[0]?.['limit'], 8192);
  assert.equal(source.listenerCount('data'), 0);
  assert.ok(source.isPaused());
  await tick();
  assert.ok(pulled() < 1 * MiB, `pulled ${pulled()}`);
  await bench.close();
});
