// fanOut: at most N jobs in flight, started in the list's order, hooks one at a time (a waiting
// hook holds every start), a hook's false or the signal starting no more, a hook's throw rethrown
// once the jobs in flight have ended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fanOut } from '../../../src/egress/fanout.js';

/** A job that ends when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('never more than N in flight, started in order, results by index', async () => {
  const gates = Array.from({ length: 7 }, gate);
  const started: number[] = [];
  let inFlight = 0;
  let most = 0;
  const run = fanOut([0, 1, 2, 3, 4, 5, 6], {
    parallel: 3,
    signal: new AbortController().signal,
    run: async (i) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await gates[i]?.promise;
      inFlight--;
      return i * 10;
    },
  });
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  gates[1]?.open();
  await tick();
  assert.deepEqual(started, [0, 1, 2, 3]);
  for (const g of gates) g.open();
  const r = await run;
  assert.equal(most, 3);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.results, [0, 10, 20, 30, 40, 50, 60]);
  assert.equal(r.stopped, false);
});

test('parallel 1: before, run, after per item, in order', async () => {
  const seen: string[] = [];
  const r = await fanOut(['a', 'b', 'c'], {
    parallel: 1,
    signal: new AbortController().signal,
    before: (x) => {
      seen.push(`before ${x}`);
      return true;
    },
    run: async (x) => {
      seen.push(`run ${x}`);
      return x;
    },
    after: (x) => {
      seen.push(`after ${x}`);
      return true;
    },
  });
  assert.deepEqual(seen, ['before a', 'run a', 'after a', 'before b', 'run b', 'after b', 'before c', 'run c', 'after c']);
  assert.deepEqual(r.results, ['a', 'b', 'c']);
});

test('a hook that waits holds every start and every other hook; its false starts no more', async () => {
  const answer = gate();
  const events: string[] = [];
  const run = fanOut([0, 1, 2, 3], {
    parallel: 2,
    signal: new AbortController().signal,
    run: async (i) => {
      events.push(`run ${i}`);
      if (i === 1) await tick();
      return i;
    },
    after: async (i) => {
      events.push(`after ${i}`);
      if (i === 0) {
        await answer.promise;
        return false;
      }
      return true;
    },
  });
  for (let n = 0; n < 5; n++) await tick();
  // Item 0 ended first and its hook is waiting: item 1 ended meanwhile, its hook waits its turn,
  // and item 2 has not started.
  assert.deepEqual(events, ['run 0', 'run 1', 'after 0']);
  answer.open();
  const r = await run;
  assert.deepEqual(events, ['run 0', 'run 1', 'after 0', 'after 1']);
  assert.deepEqual(r.results, [0, 1, undefined, undefined]);
  assert.equal(r.stopped, true);
});

test('before answering false starts no more; the signal too', async () => {
  const r = await fanOut([0, 1, 2], { parallel: 1, signal: new AbortController().signal, before: (i) => i < 1, run: async (i) => i });
  assert.deepEqual(r.results, [0, undefined, undefined]);
  assert.equal(r.stopped, true);

  const ac = new AbortController();
  const s = await fanOut([0, 1, 2], {
    parallel: 1,
    signal: ac.signal,
    run: async (i) => {
      ac.abort();
      return i;
    },
  });
  assert.deepEqual(s.results, [0, undefined, undefined]);
  assert.equal(s.stopped, true);
});

test("a hook's throw: the jobs in flight end, nothing more starts, then the error is thrown", async () => {
  const slow = gate();
  const ended: number[] = [];
  const run = fanOut([0, 1, 2, 3], {
    parallel: 2,
    signal: new AbortController().signal,
    run: async (i) => {
      if (i === 1) await slow.promise;
      ended.push(i);
      return i;
    },
    after: (i) => {
      if (i === 0) throw new Error('input refused');
      return true;
    },
  });
  await tick();
  slow.open();
  await assert.rejects(run, /input refused/);
  assert.deepEqual(ended, [0, 1]);
});

test('no items: nothing runs, nothing stopped', async () => {
  const r = await fanOut([], { parallel: 4, signal: new AbortController().signal, run: async () => 1 });
  assert.deepEqual(r.results, []);
  assert.equal(r.stopped, false);
});
