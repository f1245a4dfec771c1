// The bridged channel seen from an in-process ssh2 client: window changes and signals reach the
// target (and resizes are recorded), a session without a pty records stdout and stderr as
// separate events and replays them each on its stream, and idleKillTimeout closes idle sessions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ssh2, { type ClientChannel } from 'ssh2';
import { parseCast } from '../../src/egress/asciicast.js';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';
const { Client } = ssh2;

const HOST = '127.0.0.41';
let srv: TestServer;
let target: Ssh2Target;
let carol: { name: string; key: { privateFile: string; privateKey: string } };
let dave: { name: string; key: { privateFile: string } };

before(async () => {
  srv = await startTestServer();
  const c = addEgressAccount(srv, 'carol');
  const d = addEgressAccount(srv, 'dave', { settings: { idle_ignore: 'yes' } });
  carol = c;
  dave = d;
  target = await startSsh2Target(HOST, [c.egress.publicLine, d.egress.publicLine]);
  grantPersonal(srv.gh.store, c.id, { ip: HOST });
  grantPersonal(srv.gh.store, d.id, { ip: HOST });
});
after(async () => {
  await target.close();
  await srv.close();
});

interface Session {
  channel: ClientChannel;
  out: () => string;
  done: Promise<{ code: number | null; signal: string | null }>;
  end(): void;
}

/** An ssh2 client session through the bastion, with or without a pty. */
function open(command: string, pty: boolean): Promise<Session> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject);
    c.on('ready', () => {
      c.exec(command, pty ? { pty: { term: 'vt220', cols: 100, rows: 30 } } : {}, (err, ch) => {
        if (err) return reject(err);
        let out = '';
        ch.on('data', (d: Buffer) => (out += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const done = new Promise<{ code: number | null; signal: string | null }>((res) => {
          ch.on('close', (code: number | null, signal?: string) => {
            c.end();
            res({ code: typeof code === 'number' ? code : null, signal: signal ?? null });
          });
        });
        resolve({ channel: ch, out: () => out, done, end: () => c.end() });
      });
    });
    c.connect({ host: '127.0.0.1', port: srv.port, username: carol.name, privateKey: carol.key.privateKey, readyTimeout: 10_000 });
  });
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function lastRow() {
  const audit = srv.gh.store.audit.recent(50).find((a) => a.kind === 'egress');
  const row = audit ? srv.gh.store.sessions.byId(audit.call_id) : undefined;
  assert.ok(row);
  return row;
}

test('the target gets the pty as the client asked (term, size), then each window change; resizes are recorded', async () => {
  const s = await open(`-q ${HOST} -p ${target.port} -- echo ready; exec sleep 30`, true);
  await until(() => s.out().includes('ready'), 'the remote command to start');
  assert.deepEqual(target.lastPty, { term: 'vt220', cols: 100, rows: 30 });
  s.channel.setWindow(40, 132, 0, 0);
  await until(() => target.windowChanges.some((w) => w.cols === 132 && w.rows === 40), 'the window change on the target');
  s.channel.signal('TERM');
  const end = await s.done;
  assert.equal(end.signal, 'SIGTERM');
  assert.deepEqual(target.signals, ['TERM']);
  const row = lastRow();
  assert.equal(row.exit_signal, 'TERM');
  const cast = parseCast(fs.readFileSync(path.join(srv.gh.dataDir, row.recording ?? ''), 'utf8'));
  assert.equal(cast.header.width, 100);
  assert.equal(cast.header.height, 30);
  assert.ok(
    cast.events.some((e) => e.code === 'r' && e.data === '132x40'),
    JSON.stringify(cast.events),
  );
});

test('without a pty, stdout and stderr are recorded as separate events and replayed each on its stream', async () => {
  const r = await sshCall(srv.port, carol.name, carol.key.privateFile, ['-q', HOST, '-p', String(target.port), '--', 'echo one; echo two >&2; sleep 0.2; echo three']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\nthree\n');
  assert.equal(r.stderr, 'two\n');
  const row = lastRow();
  assert.equal(row.pty, 0);
  const cast = parseCast(fs.readFileSync(path.join(srv.gh.dataDir, row.recording ?? ''), 'utf8'));
  const of = (code: string): string =>
    cast.events
      .filter((e) => e.code === code)
      .map((e) => e.data)
      .join('');
  assert.equal(of('o'), 'one\nthree\n');
  assert.equal(of('e'), 'two\n');
  // The pause before "three" is in the timings.
  const times = cast.events.map((e) => e.time);
  assert.ok((times.at(-1) ?? 0) - (times[0] ?? 0) >= 0.15, JSON.stringify(cast.events));

  const p = await sshCall(srv.port, carol.name, carol.key.privateFile, ['--quiet', '--osh', 'selfPlaySession', '--id', row.id]);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(p.stdout.endsWith('the Total Recall begins.\none\nthree\n'), p.stdout);
  assert.equal(p.stderr, 'two\n');
});

test('idleKillTimeout closes a silent session (exit 117), unless the account is idle_ignore', async () => {
  srv.writeConfig({ bastionName: 'testbastion', idleKillTimeout: 1 });
  try {
    const started = Date.now();
    const r = await sshCall(srv.port, carol.name, carol.key.privateFile, ['--json-greppable', HOST, '-p', String(target.port), '--', 'sleep 20'], { timeoutMs: 15_000 });
    assert.equal(r.code, 117, r.stdout + r.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.match(r.stderr, /will be killed after 1 seconds of inactivity/);
    assert.match(r.stdout, /idle for more than 1 seconds/);
    assert.equal(lastRow().comment, 'idle_timeout');

    const kept = await sshCall(srv.port, dave.name, dave.key.privateFile, ['-q', HOST, '-p', String(target.port), '--', 'sleep 2; echo still-here']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(kept.stdout, 'still-here\n');
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});

test('a session row says how much went each way', async () => {
  const r = await sshCall(srv.port, carol.name, carol.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions', '--limit', '1', '--detailed']);
  assert.equal(r.code, 0);
  const item = greppable(r.stdout).value[0];
  assert.equal(typeof item.bytes_up, 'number');
  assert.equal(typeof item.bytes_down, 'number');
  assert.match(r.stdout, /type ssh from 127\.0\.0\.1:\d+\(127\.0\.0\.1\) via carol@127\.0\.0\.1:\d+ to carol@127\.0\.0\.41:\d+\(127\.0\.0\.41\) returned/);
});

test('a user who leaves mid-session ends the target side too, and the row says so', async () => {
  const before = target.logins.length;
  const s = await open(`-q ${HOST} -p ${target.port} -- echo ready; exec sleep 30`, false);
  await until(() => s.out().includes('ready'), 'the remote command to start');
  assert.equal(target.logins.length, before + 1);
  s.end();
  await until(() => {
    const audit = srv.gh.store.audit.recent(5).find((a) => a.kind === 'egress');
    const row = audit ? srv.gh.store.sessions.byId(audit.call_id) : undefined;
    return row?.comment === 'client_gone' && row.ended_at !== null;
  }, 'the session to be closed as client_gone');
  // The bastion is still fine.
  const r = await sshCall(srv.port, carol.name, carol.key.privateFile, ['-q', HOST, '-p', String(target.port), '--', 'echo alive']);
  assert.equal(r.stdout, 'alive\n');
});

test("auditors and admins see another account's sessions with --account; others may not", async () => {
  const mine = await sshCall(srv.port, carol.name, carol.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions']);
  const ids = greppable(mine.stdout).value.map((s: { id: string }) => s.id);
  assert.ok(ids.length > 0);
  const admin = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions', '--account', 'carol']);
  assert.equal(admin.code, 0, admin.stderr);
  assert.deepEqual(
    greppable(admin.stdout).value.map((s: { id: string }) => s.id),
    ids,
  );
  const play = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, [
    '--json-greppable',
    '--osh',
    'selfPlaySession',
    '--account',
    'carol',
    '--id',
    ids[0],
    '--speed',
    '100',
  ]);
  assert.equal(greppable(play.stdout).error_code, 'OK');
  // Without --account, carol's session is nobody else's business.
  const notMine = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'selfPlaySession', '--id', ids[0]]);
  assert.equal(greppable(notMine.stdout).error_code, 'ERR_NOT_FOUND');
  const refused = await sshCall(srv.port, dave.name, dave.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions', '--account', 'carol']);
  assert.equal(refused.code, 100);
  assert.equal(greppable(refused.stdout).error_code, 'ERR_ACCESS_DENIED');
});
