// The live registry's ordering rules: an account's sessions are ended and their end recorded
// before its connections close; a connection closes only once its calls are over (or the grace
// ran out); a drain refuses new calls and reports when none is left.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLiveSessions, type EndReason } from '../../../src/services/liveSessions.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('endAccount: sessions told first, connections closed after their end is recorded and their calls are over', async () => {
  const live = createLiveSessions();
  const events: string[] = [];
  const conn = live.registerConnection({ connId: 'c1', accountId: 7, accountName: 'alice', close: (r) => events.push(`close ${r}`) });
  const other = live.registerConnection({ connId: 'c2', accountId: 8, accountName: 'bob', close: (r) => events.push(`bob ${r}`) });
  const callOver = conn.beginCall();
  let unregister = (): void => {};
  unregister = live.register(7, (reason: EndReason) => {
    events.push(`end ${reason}`);
    // The session records its end a little later.
    setTimeout(() => {
      events.push('recorded');
      unregister();
    }, 20);
  });
  assert.equal(live.hasSessions(7), true);
  const ended = await live.endAccount(7, 'account_frozen');
  assert.deepEqual(ended, { sessions: 1, connections: 1 });
  assert.deepEqual(events, ['end account_frozen', 'recorded']);
  assert.equal(conn.open, false, 'a closing connection takes no new call');
  assert.equal(other.open, true, "another account's connection is untouched");
  await tick();
  assert.deepEqual(events, ['end account_frozen', 'recorded'], 'not closed while its call is in flight');
  callOver();
  assert.deepEqual(events, ['end account_frozen', 'recorded', 'close account_frozen']);
  // Closed once only, even when asked again.
  await live.endAccount(7, 'account_deleted');
  await tick();
  assert.equal(events.filter((e) => e.startsWith('close')).length, 1);
  conn.unregister();
  assert.deepEqual(live.accounts(), [8]);
  assert.equal(live.accountName(8), 'bob');
});

test('drain: no new call, whenIdle resolves when the last call is over, false on time out or when cut', async () => {
  const live = createLiveSessions();
  const conn = live.registerConnection({ connId: 'c', accountId: 1, accountName: 'a', close: () => {} });
  assert.equal(await live.whenIdle(10), true, 'idle at once');
  const over = conn.beginCall();
  live.drain();
  assert.equal(conn.open, false);
  assert.equal(live.callsInFlight(), 1);
  assert.equal(await live.whenIdle(20), false, 'timed out');
  const cut = new AbortController();
  const cutShort = live.whenIdle(60_000, cut.signal);
  cut.abort();
  assert.equal(await cutShort, false, 'cut short');
  const waiting = live.whenIdle(60_000);
  over();
  over();
  assert.equal(await waiting, true);
  assert.equal(live.callsInFlight(), 0);
});

test('endAll ends every session and waits for every connection to close', async () => {
  const live = createLiveSessions();
  const closed: string[] = [];
  for (const id of [1, 2]) live.registerConnection({ connId: `c${id}`, accountId: id, accountName: `a${id}`, close: (r) => closed.push(`${id} ${r}`) });
  const reasons: string[] = [];
  const un = live.register(2, (r) => {
    reasons.push(r);
    un();
  });
  const n = await live.endAll('bastion_shutdown');
  assert.deepEqual(n, { sessions: 1, connections: 2 });
  assert.deepEqual(reasons, ['bastion_shutdown']);
  assert.deepEqual(closed.sort(), ['1 bastion_shutdown', '2 bastion_shutdown']);
});
