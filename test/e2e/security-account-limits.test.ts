// One account can't hold the bastion's file descriptors or memory for everyone: its authenticated
// connections and its running calls are bounded over all its clients (maxConnectionsPerAccount,
// maxCallsPerAccount), while other accounts are served as usual.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2, { type ClientChannel, type Client as SshClient } from 'ssh2';
import { ssh2Exec } from '../helpers/clients.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
const { Client } = ssh2;

let srv: TestServer;
let alice: TestAccount;
let bob: TestAccount;
before(async () => {
  srv = await startTestServer({ config: { maxConnectionsPerAccount: 3, maxCallsPerAccount: 2, stdinTimeoutSeconds: 120 } });
  alice = srv.addAccount('alice');
  bob = srv.addAccount('bob');
});
after(async () => {
  await srv.close();
});

/** A logged-in connection, and a promise that settles when the server closes it. */
function login(who: TestAccount): Promise<{ c: SshClient; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    const closed = new Promise<void>((r) => c.on('close', () => r()));
    c.on('error', () => {});
    c.on('ready', () => resolve({ c, closed }));
    closed.then(
      () => reject(new Error('closed before ready')),
      () => {},
    );
    c.connect({ host: '127.0.0.1', port: srv.port, username: who.name, privateKey: who.key.privateKey, readyTimeout: 10_000 });
  });
}

/** Starts a call on the connection; resolves with its channel, or with the refusal. */
function startCall(c: SshClient, command: string): Promise<ClientChannel | Error> {
  return new Promise((resolve) => c.exec(command, (err, ch) => resolve(err ?? ch)));
}

const closedWithin = (closed: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

test('past maxConnectionsPerAccount, a new connection of that account is closed once logged in; other accounts are served', async () => {
  const held = await Promise.all([login(alice), login(alice), login(alice)]);
  const logsBefore = srv.logs.length;
  const extra = await login(alice);
  assert.equal(await closedWithin(extra.closed, 10_000), true, 'the fourth connection is closed by the server');
  await waitFor(
    'the limit line',
    () => logLines(srv.logs.slice(logsBefore), 'connections per account limit reached, refusing new connections', { account: 'alice' }).length === 1,
    5000,
  );
  const other = await ssh2Exec(srv.port, bob.name, bob.key.privateKey, '--osh info');
  assert.equal(other.code, 0, 'bob is served');
  held[0]?.c.end();
  await held[0]?.closed;
  // The server sees the close a moment later: a new connection of alice's is served then.
  let served = false;
  for (let i = 0; i < 20 && !served; i++) {
    served = (await ssh2Exec(srv.port, alice.name, alice.key.privateKey, '--osh info').catch(() => ({ code: null }))).code === 0;
    if (!served) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(served, 'a place is free again once one connection closed');
  for (const h of held.slice(1)) h.c.end();
});

test('past maxCallsPerAccount, a session of that account is refused while its calls run; others are served, and a call ending frees a place', async () => {
  const a = await login(alice);
  const b = await login(alice);
  // Two calls waiting for a key on stdin: running, holding their place.
  const first = await startCall(a.c, '--osh selfAddIngressKey');
  const second = await startCall(b.c, '--osh selfAddIngressKey');
  assert.ok(!(first instanceof Error) && !(second instanceof Error), 'two calls run');
  const logsBefore = srv.logs.length;
  const third = await startCall(a.c, '--osh info');
  assert.ok(third instanceof Error, 'the third call is refused');
  await waitFor('the limit line', () => logLines(srv.logs.slice(logsBefore), 'account call limit reached, session refused', { account: 'alice' }).length === 1, 5000);
  const other = await ssh2Exec(srv.port, bob.name, bob.key.privateKey, '--osh info');
  assert.equal(other.code, 0, 'bob is served');
  const ended = new Promise<void>((r) => first.on('close', () => r()));
  first.on('data', () => {});
  first.stderr.on('data', () => {});
  first.end();
  await ended;
  const fourth = await startCall(a.c, '--osh info');
  assert.ok(!(fourth instanceof Error), 'a call is accepted once one has ended');
  second.end();
  a.c.end();
  b.c.end();
});
