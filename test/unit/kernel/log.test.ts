// The logger bounds every string a line can hold: fields, nested values, child bindings (at any
// depth), the message and errors.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { clipLogString, createLogger } from '../../../src/kernel/log.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(l);
      cb();
    },
  });
  return { lines, stream };
}

test('clipLogString: escapes controls and bidi overrides, clips with the original size', () => {
  assert.equal(clipLogString('ok'), 'ok');
  assert.equal(clipLogString('a\u001b[31mb\r\n\u007f\u009b\u202e'), 'a\\x1b[31mb\\x0d\\x0a\\x7f\\x9b\\u202e');
  assert.equal(clipLogString('x'.repeat(300)), `${'x'.repeat(256)}…[300 bytes]`);
  // Escapes count towards the bound.
  assert.equal(clipLogString('\u0007'.repeat(100), 10), '\\x07\\x07\\x…[100 bytes]');
  assert.equal(clipLogString('é'.repeat(300)), `${'é'.repeat(256)}…[600 bytes]`);
});

test('every string of every line is bounded: fields, arrays, bindings of children and grandchildren, message, errors', () => {
  const { lines, stream } = capture();
  const log = createLogger('info', stream);
  const big = `\u001b]0;x\u0007${'y'.repeat(50_000)}`;
  const child = log.child({ peer: big }).child({ account: big });
  child.info({ account: big, list: Array.from({ length: 1000 }, () => big), deep: { a: { b: { c: { d: { e: big } } } } } }, `msg ${big}`);
  child.error({ err: new Error(big) }, 'failed');
  assert.equal(lines.length, 2);
  for (const l of lines) {
    assert.ok(l.length < 16_000, `${l.length}`);
    assert.equal(/\\u001b|\\u0007/.test(l), false);
    const o = JSON.parse(l) as Record<string, unknown>;
    assert.match(String(o['peer']), /^\\x1b\]0;x\\x07y+…\[50006 bytes\]$/);
    assert.match(String(o['account']), /…\[50006 bytes\]$/);
  }
  const first = JSON.parse(lines[0] ?? '{}') as { list: unknown[]; msg: string; deep: unknown };
  assert.equal(first.list.length, 33);
  assert.equal(first.list.at(-1), '…[968 more]');
  assert.match(first.msg, /^msg \\x1b/);
  assert.deepEqual(first.deep, { a: { b: { c: '[nested too deep]' } } });
  const second = JSON.parse(lines[1] ?? '{}') as { err: { message: string; stack: string; type: string } };
  assert.equal(second.err.type, 'Error');
  assert.match(second.err.message, /…\[50006 bytes\]$/);
  assert.ok(second.err.stack.length < 2100);
});
