// Issue 9, items 2 and 3: memory exhaustion and event-loop freezes by any account, attacked over
// the real OpenSSH client. The server runs in this process, so its memory is this process's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { bash, greppable, sshCall, sshCommandLine } from '../helpers/clients.js';
import { osh } from '../helpers/groups.js';
import { OPENSSH_BATCH_OPTIONS } from '../helpers/openssh.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
import { sqliteOf } from '../../src/store/inspect.js';

const MiB = 1024 * 1024;
/** What the server may grow by while it is attacked (it grew by the attack's size before). */
const RSS_BOUND = 64 * MiB;

let srv: TestServer;
let alice: TestAccount;

before(async () => {
  srv = await startTestServer();
  alice = srv.addAccount('alice');
});

after(async () => {
  await srv.close();
});

let seeded = 0;
/** A finished session of alice's with a recording of `events` events (stdout, or stderr when `code` says 'e'). */
function seedSession(events: number, at: (i: number) => number, data: (i: number) => string, code: (i: number) => 'o' | 'e' = () => 'o'): string {
  const id = `5ec${String(++seeded).padStart(9, '0')}`;
  const rel = path.join('recordings', `${id}.cast`);
  const file = path.join(srv.gh.dataDir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 })}\n`);
  for (let i = 0; i < events; i++) fs.writeSync(fd, `${JSON.stringify([at(i), code(i), data(i)])}\n`);
  fs.closeSync(fd);
  const now = Date.now();
  srv.gh.store.sessions.start({
    id,
    accountId: alice.id,
    account: alice.name,
    connId: 'seeded',
    peerIp: '127.0.0.1',
    peerPort: 40000,
    viaIp: null,
    viaPort: null,
    targetUser: 'root',
    targetHost: 'srv1',
    targetIp: '127.0.0.1',
    targetPort: 22,
    allowed: true,
    pty: true,
    command: null,
    startedAt: now - 60_000,
    recording: rel,
  });
  srv.gh.store.sessions.end(id, { endedAt: now, exitStatus: 0, exitSignal: null, comment: null, bytesUp: 0, bytesDown: 0 });
  return id;
}

/** The highest RSS growth of this process (the server) while `work` runs. */
async function rssGrowthDuring<T>(work: Promise<T>): Promise<{ result: T; growth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const result = await work;
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

/** `--osh info` from another account's connection while the attack runs: it must still answer. */
async function infoAnswers(): Promise<number> {
  const started = Date.now();
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'info'], { timeoutMs: 30_000 });
  assert.equal(greppable(r.stdout).error_code, 'OK');
  return Date.now() - started;
}

/** 300 MiB made on the fly (not read from disk), after `first`, into an OpenSSH client with a pty. */
function flood(first: string, args: string): string {
  const ssh = sshCommandLine(srv.port, alice.name, alice.key.privateFile, ['-tt']);
  return `{ printf '${first}'; head -c ${300 * MiB} /dev/zero | tr '\\0' y; } | ${ssh} -- ${args}; echo "ssh-exit=\${PIPESTATUS[1]}"`;
}

test('300 MiB streamed into a pty call that reads one line: refused at the line limit, memory bounded, others served', async () => {
  const logsBefore = srv.logs.length;
  const attack = bash(flood('', '--json-greppable --osh selfAddIngressKey'), { timeoutMs: 60_000 });
  const [{ result, growth }] = await Promise.all([rssGrowthDuring(attack), infoAnswers()]);
  assert.match(result.stdout, /ssh-exit=100/);
  const env = greppable(result.stdout);
  assert.equal(env.command, 'selfAddIngressKey');
  assert.equal(env.error_code, 'KO_INPUT_TOO_LONG');
  assert.ok(growth < RSS_BOUND, `the server grew by ${Math.round(growth / MiB)} MiB`);
  const refused = logLines(srv.logs.slice(logsBefore), 'stdin refused: longer than the limit', { plugin: 'selfAddIngressKey', what: 'line', limit: 8192 });
  assert.equal(refused.length, 1);
  assert.match(String(refused[0]?.['peer']), /^127\.0\.0\.1:\d+$/);
});

test('300 MiB streamed after the ENTER a pty replay waits for: never read, memory bounded, the replay ends normally', async () => {
  // About three seconds of replay, during which the client keeps pushing.
  const id = seedSession(
    30,
    (i) => i / 10,
    (i) => `frame ${i}\r\n`,
  );
  const attack = bash(flood('\\n', `--quiet --osh selfPlaySession --id ${id}`), { timeoutMs: 60_000 });
  const [{ result, growth }] = await Promise.all([rssGrowthDuring(attack), infoAnswers()]);
  assert.match(result.stdout, /ssh-exit=0/, result.stdout.slice(-500));
  assert.ok(result.stdout.includes('frame 29\r\n'), result.stdout.slice(-500));
  assert.ok(growth < RSS_BOUND, `the server grew by ${Math.round(growth / MiB)} MiB`);
});

test('a 1 MiB line over a pty: refused cleanly at the limit, and other calls keep their pace', async () => {
  const ssh = sshCommandLine(srv.port, alice.name, alice.key.privateFile, ['-tt']);
  // Made in the pipeline: the server stops reading early, and the writer must not care.
  const send = `{ head -c ${MiB} /dev/zero | tr '\\0' a; printf '\\n'; } | ${ssh} -- --json-greppable --osh selfAddIngressKey; echo "ssh-exit=\${PIPESTATUS[1]}"`;
  const [r, infoMs] = await Promise.all([bash(send, { timeoutMs: 60_000 }), infoAnswers()]);
  assert.match(r.stdout, /ssh-exit=100/);
  assert.equal(greppable(r.stdout).error_code, 'KO_INPUT_TOO_LONG');
  // Generous: before, the line's quadratic echo held every call for about 19 s.
  assert.ok(infoMs < 10_000, `info took ${infoMs} ms`);
});

test('a 1 MiB line read whole (stdinMaxLineBytes raised): linear, echoed, the call answers and so do others', async () => {
  srv.writeConfig({ bastionName: 'testbastion', stdinMaxLineBytes: 4 * MiB });
  try {
    srv.addAccount('victim');
    const line = 'b'.repeat(MiB);
    const ssh = sshCommandLine(srv.port, 'admin', srv.admin.key.privateFile, ['-tt']);
    const send = `{ head -c ${MiB} /dev/zero | tr '\\0' b; printf '\\n'; } | ${ssh} -- --json-greppable --osh accountDelete --account victim; echo "ssh-exit=\${PIPESTATUS[1]}"`;
    const [r, infoMs] = await Promise.all([bash(send, { timeoutMs: 60_000 }), infoAnswers()]);
    assert.match(r.stdout, /ssh-exit=100/);
    assert.equal(greppable(r.stdout).error_code, 'ERR_OPERATOR_IS_DRUNK');
    assert.ok(r.stdout.includes(line), 'the line is echoed back');
    assert.ok(infoMs < 10_000, `info took ${infoMs} ms`);
    assert.ok(srv.gh.store.accounts.byName('victim'), 'nothing was deleted');
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});

test('a server list past stdinMaxBytes on groupSetServers: KO_INPUT_TOO_LONG, nothing changed, memory bounded', async () => {
  const made = await osh(srv, srv.admin, ['--osh', 'groupCreate', '--group', 'bulk', '--owner', 'alice', '--algo', 'ed25519']);
  assert.equal(made.env.error_code, 'OK', made.stdout);
  srv.writeConfig({ bastionName: 'testbastion', stdinMaxBytes: 4 * MiB });
  try {
    const logsBefore = srv.logs.length;
    const ssh = sshCommandLine(srv.port, alice.name, alice.key.privateFile);
    // 300 MiB of "127.0.0.1" lines, made on the fly.
    const send = `yes 127.0.0.1 | head -c ${300 * MiB} | ${ssh} -- --json-greppable --osh groupSetServers --group bulk; echo "ssh-exit=\${PIPESTATUS[2]}"`;
    const { result, growth } = await rssGrowthDuring(bash(send, { timeoutMs: 60_000 }));
    assert.match(result.stdout, /ssh-exit=100/);
    const env = greppable(result.stdout);
    assert.equal(env.command, 'groupSetServers');
    assert.equal(env.error_code, 'KO_INPUT_TOO_LONG');
    assert.ok(growth < RSS_BOUND, `the server grew by ${Math.round(growth / MiB)} MiB`);
    assert.equal(logLines(srv.logs.slice(logsBefore), 'stdin refused: longer than the limit', { plugin: 'groupSetServers', what: 'input', limit: 4 * MiB }).length, 1);
    const list = await osh(srv, alice, ['--osh', 'groupListServers', '--group', 'bulk']);
    assert.equal(list.env.error_code, 'OK_EMPTY', list.stdout);
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});

/** selfPlaySession over OpenSSH (no pty), killed once `ready` says so; resolves with what it printed. */
function replayThenLeave(id: string, ready: (stdout: string) => boolean, stopReading = false): Promise<string> {
  const child = spawn(
    'ssh',
    [...OPENSSH_BATCH_OPTIONS, '-i', alice.key.privateFile, '-p', String(srv.port), `${alice.name}@127.0.0.1`, '--', '--osh', 'selfPlaySession', '--id', id],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the replay never got going:\n${out}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!ready(out)) return;
      clearTimeout(timer);
      if (stopReading) {
        // The client stops reading: the server's writes fill the SSH window and the pipe.
        child.stdout.pause();
        child.stdout.removeAllListeners('data');
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve(out);
        }, 3000);
      } else {
        child.kill('SIGKILL');
        resolve(out);
      }
    });
    child.on('error', reject);
  });
}

test('a client that leaves mid-replay: the replay stops there, the call ends with KO_CLIENT_GONE', async () => {
  // 2000 events 10 ms apart: 20 s of replay.
  const id = seedSession(
    2000,
    (i) => i / 100,
    (i) => `line ${i}\n`,
  );
  const logsBefore = srv.logs.length;
  await replayThenLeave(id, (o) => o.includes('line 20\n'));
  await waitFor('the call line of the replay', () => logLines(srv.logs.slice(logsBefore), 'call', { plugin: 'selfPlaySession' }).length === 1, 15_000);
  const call = logLines(srv.logs.slice(logsBefore), 'call', { plugin: 'selfPlaySession' })[0];
  assert.equal(call?.['code'], 'KO_CLIENT_GONE');
  const stopped = logLines(srv.logs.slice(logsBefore), 'session replay stopped: the client has gone', { session: id });
  assert.equal(stopped.length, 1);
  assert.ok(Number(stopped[0]?.['events']) < 2000, `replayed ${stopped[0]?.['events']} events of 2000`);
  const row = sqliteOf(srv.gh.store).prepare("SELECT error_code, duration_ms FROM audit WHERE plugin = 'selfPlaySession' ORDER BY rowid DESC LIMIT 1").get() as {
    error_code: string;
    duration_ms: number;
  };
  assert.equal(row.error_code, 'KO_CLIENT_GONE');
  assert.ok(row.duration_ms < 20_000);
});

test('a client that stops reading a large fast replay: the server waits for it instead of buffering, and stops when it leaves', async () => {
  // 96 MiB of stdout and stderr (a session without a pty) with no pauses: without backpressure
  // all of it would be queued for the client.
  const events = 3072;
  const chunk = 'x'.repeat(32 * 1024 - 1) + '\n';
  const id = seedSession(
    events,
    () => 0,
    () => chunk,
    (i) => (i % 2 === 0 ? 'o' : 'e'),
  );
  const logsBefore = srv.logs.length;
  const { growth } = await rssGrowthDuring(replayThenLeave(id, (o) => o.length > 0 && o.includes('x'), true));
  assert.ok(growth < RSS_BOUND, `the server grew by ${Math.round(growth / MiB)} MiB`);
  await waitFor('the replay to stop', () => logLines(srv.logs.slice(logsBefore), 'session replay stopped: the client has gone', { session: id }).length === 1, 15_000);
  const stopped = logLines(srv.logs.slice(logsBefore), 'session replay stopped: the client has gone', { session: id })[0];
  assert.ok(Number(stopped?.['events']) < events, `replayed ${stopped?.['events']} events of ${events}`);
});

test('a client that ignores the SSH window and floods a paused channel: disconnected at the bound, memory bounded, others served', async () => {
  // A slow replay (one event a second) keeps the call running while it never reads stdin.
  const id = seedSession(
    60,
    (i) => i,
    (i) => `frame ${i}\r\n`,
  );
  const logsBefore = srv.logs.length;
  const { Client } = ssh2;
  const c = new Client();
  const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
  c.on('error', () => {});
  let sent = 0;
  c.on('ready', () => {
    c.exec(`--quiet --osh selfPlaySession --id ${id}`, (err, ch) => {
      if (err) return c.end();
      ch.on('data', () => {});
      ch.stderr.on('data', () => {});
      // What a hostile client does: pretend the server's window never runs out.
      const outgoing = (ch as unknown as { outgoing: { window: number } }).outgoing;
      // Not a divisor of the 2 MiB window: ssh2 drops data only when the window is exactly 0,
      // and a window overshot by a partial packet goes negative, which it does not check.
      const chunk = Buffer.alloc(30_000, 0x41);
      const pump = (): void => {
        if (sent >= 64 * MiB || !ch.writable) return;
        outgoing.window = Number.MAX_SAFE_INTEGER;
        ch.write(chunk);
        sent += chunk.length;
        setImmediate(pump);
      };
      pump();
    });
  });
  c.connect({ host: '127.0.0.1', port: srv.port, username: alice.name, privateKey: alice.key.privateKey, readyTimeout: 10_000 });
  // Without the bound the server never ends the connection: give up after 30 s and say so.
  const deadline = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000).unref());
  const { result: ended, growth } = await rssGrowthDuring(Promise.race([closed.then(() => true), deadline]));
  c.destroy();
  assert.ok(ended, 'the server kept the connection of a client flooding past the window');
  await waitFor('the overrun log line', () => logLines(srv.logs.slice(logsBefore), 'client sent past the channel window, disconnecting').length === 1, 15_000);
  assert.ok(sent < 64 * MiB, `the connection was ended before the whole flood was sent (${sent} bytes)`);
  assert.ok(growth < RSS_BOUND, `server memory grew by ${Math.round(growth / MiB)} MiB`);
  const info = await osh(srv, alice, ['--osh', 'info']);
  assert.equal(info.exit, 0);
});
