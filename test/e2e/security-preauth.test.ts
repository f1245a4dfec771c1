// Pre-authentication limits as an attacker meets them over real TCP and SSH: idle connections
// beyond the global cap (maxStartups) and beyond the per-source cap are closed at once, a
// well-behaved client gets in once the idle ones are gone, and a flood of failed logins from one
// address gets that address refused for a while, with one log line, while another address is
// not affected. Attackers connect from their own loopback addresses (127.0.0.3x), bound with
// localAddress; 127.0.0.1, the well-behaved client, is exempt from penalties by default.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { greppable, ssh2Exec } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
const { Client } = ssh2;

interface Raw {
  readonly sock: net.Socket;
  /** The first bytes the server sent ('' if it closed without a word). */
  readonly first: Promise<string>;
  /** Everything the server sent, once the connection is closed. */
  readonly closed: Promise<string>;
}

/** A TCP connection from `from` that sends nothing. */
function idle(port: number, from: string): Raw {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
  let received = '';
  sock.on('error', () => {});
  const first = new Promise<string>((resolve) => {
    sock.once('data', (d: Buffer) => resolve(d.toString('latin1')));
    sock.once('close', () => resolve(''));
  });
  sock.on('data', (d: Buffer) => (received += d.toString('latin1')));
  const closed = new Promise<string>((resolve) => sock.once('close', () => resolve(received)));
  return { sock, first, closed };
}

/** Opens `n` idle connections from `from` and waits until the server greeted each of them. */
async function holdIdle(port: number, from: string, n: number): Promise<Raw[]> {
  const held = Array.from({ length: n }, () => idle(port, from));
  for (const h of held) assert.match(await h.first, /^SSH-2\.0-Gatehouse_/);
  return held;
}

/** One login attempt with an ssh2 client from `from`: 'ready', or the error it ended with. */
function login(port: number, from: string, username: string, privateKey: string): Promise<'ready' | string> {
  return new Promise((resolve) => {
    const c = new Client();
    let done = false;
    const finish = (v: string): void => {
      if (done) return;
      done = true;
      c.end();
      resolve(v);
    };
    c.on('ready', () => finish('ready'));
    c.on('error', (e) => finish(e.message));
    c.on('close', () => finish('closed'));
    c.connect({ host: '127.0.0.1', port, localAddress: from, username, privateKey, readyTimeout: 15000 });
  });
}

describe('global cap on unauthenticated connections (maxStartups)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { maxStartups: '5', perSourceMaxStartups: 0, loginGraceTimeSeconds: 4 } });
  });
  after(async () => {
    await srv.close();
  });

  test('idle connections beyond the cap are closed at once; a real client gets in once the idle ones time out', async () => {
    const held = await holdIdle(srv.port, '127.0.0.31', 5);
    const extra = Array.from({ length: 10 }, () => idle(srv.port, '127.0.0.31'));
    for (const e of extra) assert.equal(await e.closed, 'Exceeded MaxStartups\r\n');
    // While the idle ones hold every place, even a good client is refused.
    assert.notEqual(await login(srv.port, '127.0.0.1', 'admin', srv.admin.key.privateKey), 'ready');
    // The login grace time (4 s) drops the idle ones; then the good client logs in and works.
    for (const h of held) await h.closed;
    const r = await ssh2Exec(srv.port, 'admin', srv.admin.key.privateKey, '--osh info --json-greppable --quiet');
    assert.equal(greppable(r.stdout).error_code, 'OK');
    // One line when the cap started refusing (11 refusals: 10 idle, 1 login), none per connection.
    const lines = logLines(srv.logs, 'unauthenticated connections limit reached, refusing new connections');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['peer'], '127.0.0.31');
    assert.equal(lines[0]?.['maxStartups'], '5:100:5');
    // Five connections that ran out their grace time (10 s each) got their source a penalty.
    await waitFor('the grace penalty', () => logLines(srv.logs, 'penalty started', { peer: '127.0.0.31', reason: 'grace-exceeded' }).length === 1);
    const refused = idle(srv.port, '127.0.0.31');
    assert.equal(await refused.closed, 'Not allowed at this time\r\n');
  });
});

describe('per-source cap (perSourceMaxStartups)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { perSourceMaxStartups: 3, maxStartups: '100' } });
  });
  after(async () => {
    await srv.close();
  });

  test('one address holds at most 3 unauthenticated connections; other addresses are served', async () => {
    const held = await holdIdle(srv.port, '127.0.0.32', 3);
    const extra = Array.from({ length: 10 }, () => idle(srv.port, '127.0.0.32'));
    for (const e of extra) assert.equal(await e.closed, 'Exceeded PerSourceMaxStartups\r\n');
    const other = await holdIdle(srv.port, '127.0.0.33', 3);
    assert.equal(await login(srv.port, '127.0.0.1', 'admin', srv.admin.key.privateKey), 'ready');
    const lines = logLines(srv.logs, 'per-source unauthenticated connections limit reached, refusing new connections');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['peer'], '127.0.0.32');
    assert.equal(lines[0]?.['perSourceMaxStartups'], 3);
    // A connection that logs in stops counting: the address gets its places back as idle ones go.
    for (const h of [...held, ...other]) h.sock.destroy();
    let greeted = 0;
    for (let i = 0; i < 200 && greeted < 3; i++) {
      const r = idle(srv.port, '127.0.0.32');
      if ((await r.first).startsWith('SSH-2.0-')) greeted++;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(greeted, 3);
  });
});

describe('per-source penalty for failed authentications', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { perSourcePenaltyExemptList: [], perSourcePenaltyNoAuthSeconds: 0 } });
  });
  after(async () => {
    await srv.close();
  });

  test('a flood of failed logins from one address gets it refused at accept, logged once; another address logs in', async () => {
    const wrong = srv.newKey();
    let failed = 0;
    // Failed logins until the address is refused before any SSH is spoken (a generous bound).
    for (let i = 0; i < 50; i++) {
      const r = await login(srv.port, '127.0.0.34', 'admin', wrong.privateKey);
      if (!/authentication methods failed/.test(r)) break;
      failed++;
    }
    // 5 s per failed connection, enforced past 15 s: the fourth failure starts the penalty.
    assert.ok(failed >= 4 && failed < 50, `failed logins before the penalty: ${failed}`);
    const started = logLines(srv.logs, 'penalty started', { peer: '127.0.0.34' });
    assert.equal(started.length, 1);
    assert.equal(started[0]?.['reason'], 'authfail');
    assert.ok(Number(started[0]?.['seconds']) > 15);
    const mark = srv.logs.length;
    // The penalised address is refused, even with the right key, and nothing is logged per refusal.
    for (let i = 0; i < 20; i++) {
      const r = idle(srv.port, '127.0.0.34');
      assert.equal(await r.closed, 'Not allowed at this time\r\n');
    }
    assert.notEqual(await login(srv.port, '127.0.0.34', 'admin', srv.admin.key.privateKey), 'ready');
    assert.deepEqual(
      srv.logs.slice(mark).filter((l) => JSON.stringify(l).includes('127.0.0.34')),
      [],
    );
    // Another address is not affected: it logs in, and its own failure is an ordinary refusal.
    assert.equal(await login(srv.port, '127.0.0.35', 'admin', srv.admin.key.privateKey), 'ready');
    assert.match(await login(srv.port, '127.0.0.35', 'admin', wrong.privateKey), /authentication methods failed/);
    assert.equal(logLines(srv.logs, 'penalty started').length, 1);
  });
});

describe("the limits are the process's, not one listen address's", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ config: { perSourcePenaltyExemptList: [], perSourcePenaltyNoAuthSeconds: 0 }, listen: ['127.0.0.1:0', '127.0.0.1:0'] });
  });
  after(async () => {
    await srv.close();
  });

  test('an address penalised through one listener is refused by the other too', async () => {
    const [first, second] = srv.gh.addresses.map((a) => a.port);
    assert.ok(first && second && first !== second, 'two listeners');
    const wrong = srv.newKey();
    for (let i = 0; i < 50; i++) {
      if (!/authentication methods failed/.test(await login(first, '127.0.0.36', 'admin', wrong.privateKey))) break;
    }
    assert.equal(logLines(srv.logs, 'penalty started', { peer: '127.0.0.36' }).length, 1);
    assert.equal(await idle(second, '127.0.0.36').closed, 'Not allowed at this time\r\n');
    assert.equal(await login(second, '127.0.0.37', 'admin', srv.admin.key.privateKey), 'ready');
  });
});
