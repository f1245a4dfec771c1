// The captured channel clush runs each host on: stdout and stderr kept apart up to their limit and
// the call's budget (the rest read and dropped, marked truncated), lines split as Perl's split
// /\n/ does, stdin at its end from the first read, no pty, the bastion's messages on stderr.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedOutput, captureChannel, perlSplitLines } from '../../../src/egress/capture.js';

test("perlSplitLines: Perl's split /\\n/ (empty fields at the end dropped, inside kept)", () => {
  assert.deepEqual(perlSplitLines(''), []);
  assert.deepEqual(perlSplitLines('\n'), []);
  assert.deepEqual(perlSplitLines('a'), ['a']);
  assert.deepEqual(perlSplitLines('a\n'), ['a']);
  assert.deepEqual(perlSplitLines('a\n\nb\n\n\n'), ['a', '', 'b']);
  assert.deepEqual(perlSplitLines('\na'), ['', 'a']);
  assert.deepEqual(perlSplitLines('a\r\nb'), ['a\r', 'b']);
});

test('BoundedOutput keeps up to its limit, counts everything, marks the cut', () => {
  const budget = { remaining: 1000 };
  const o = new BoundedOutput(10, budget);
  o.add(Buffer.from('12345\n'));
  assert.equal(o.truncated, false);
  o.add(Buffer.from('67890\nabc'));
  assert.equal(o.truncated, true);
  assert.equal(o.received, 15);
  assert.deepEqual(o.lines(), ['12345', '6789']);
  assert.equal(budget.remaining, 990);
  o.add(Buffer.from('more'));
  assert.equal(o.received, 19);
  assert.deepEqual(o.lines(), ['12345', '6789']);
});

test("the call's budget is shared: once spent, every stream is cut", () => {
  const budget = { remaining: 8 };
  const a = new BoundedOutput(100, budget);
  const b = new BoundedOutput(100, budget);
  a.add(Buffer.from('aaaaaa'));
  b.add(Buffer.from('bbbbbb'));
  assert.deepEqual(a.lines(), ['aaaaaa']);
  assert.deepEqual(b.lines(), ['bb']);
  assert.equal(a.truncated, false);
  assert.equal(b.truncated, true);
  assert.equal(budget.remaining, 0);
});

test('a copy is kept: the chunk given may be reused by its owner', () => {
  const o = new BoundedOutput(100, { remaining: 100 });
  const chunk = Buffer.from('abc');
  o.add(chunk);
  chunk.fill(0x7a);
  assert.deepEqual(o.lines(), ['abc']);
});

test('captureChannel: stdin ends at once, writes are stdout, stderr apart, no pty, messages on stderr', async () => {
  const c = captureChannel({ maxBytes: 1024, budget: { remaining: 4096 }, local: { ip: '127.0.0.1', port: 22 } });
  assert.equal(c.ingress.pty(), null);
  assert.deepEqual(c.ingress.local, { ip: '127.0.0.1', port: 22 });
  const read: Buffer[] = [];
  c.ingress.channel.on('data', (d: Buffer) => read.push(d));
  await new Promise<void>((r) => c.ingress.channel.once('end', () => r()));
  assert.equal(read.length, 0);
  c.ingress.channel.write('out\n');
  c.ingress.stderr.write('err\n');
  c.messages.stderr('\nAccess denied for alice to deploy@192.0.2.1:22\n');
  c.messages.stdout('a warning\n');
  assert.deepEqual(c.stdout.lines(), ['out']);
  assert.deepEqual(c.stderr.lines(), ['err', 'Access denied for alice to deploy@192.0.2.1:22', 'a warning']);
  // Writing after the input ended is still taken: the channel stays open for output.
  c.ingress.channel.write('later');
  assert.deepEqual(c.stdout.lines(), ['out', 'later']);
});
