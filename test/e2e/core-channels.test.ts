// Channel requests: pty-req, env (LANG, LC_*), window-change, signal, exec and shell are served;
// everything else is refused (subsystems, X11, port forwarding, other env names). Every channel
// ends with exit-status and then close.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ssh2, { type ClientChannel, type ExecOptions } from 'ssh2';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
const { Client } = ssh2;
type Conn = InstanceType<typeof Client>;

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

function connect(): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port: srv.port, username: 'admin', privateKey: srv.admin.key.privateKey });
  });
}

interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
  order: string[];
}

/** Reads a channel to its end, recording whether exit-status came before close. */
function finish(ch: ClientChannel): Promise<Finished> {
  return new Promise((resolve) => {
    const f: Finished = { stdout: '', stderr: '', code: null, order: [] };
    ch.on('data', (d: Buffer) => (f.stdout += d.toString()));
    ch.stderr.on('data', (d: Buffer) => (f.stderr += d.toString()));
    ch.on('exit', (code: number | null) => {
      f.code = code;
      f.order.push('exit');
    });
    ch.on('close', () => {
      f.order.push('close');
      resolve(f);
    });
  });
}

/** Runs an exec and reads it to its end; listeners are attached in the callback, before any data. */
function run(c: Conn, cmd: string, opts: ExecOptions = {}, during?: (ch: ClientChannel) => void): Promise<Finished> {
  return new Promise((resolve, reject) =>
    c.exec(cmd, opts, (err, ch) => {
      if (err) return reject(err);
      const done = finish(ch);
      during?.(ch);
      resolve(done);
    }),
  );
}

/**
 * ssh2's client sends env requests without asking for a reply, so a refusal is invisible. This
 * makes one connection ask for replies to its env requests and records them, through the
 * client's channel bookkeeping (CHANNEL_SUCCESS/FAILURE shift the channel's callback queue).
 */
function recordEnvReplies(c: Conn): Map<string, boolean> {
  const replies = new Map<string, boolean>();
  interface Internals {
    _protocol: { env(id: number, key: string, val: string, wantReply: boolean): void };
    _chanMgr: { get(id: number): { _callbacks: ((failed: boolean) => void)[] } };
  }
  const inner = c as unknown as Internals;
  const original = inner._protocol.env.bind(inner._protocol);
  inner._protocol.env = (id, key, val) => {
    inner._chanMgr.get(id)._callbacks.push((failed) => replies.set(key, !failed));
    original(id, key, val, true);
  };
  return replies;
}

test('exec: exit-status then close, on success and on refusal', async () => {
  const c = await connect();
  try {
    const ok = await run(c, '--osh info --json-greppable');
    assert.equal(ok.code, 0);
    assert.deepEqual(ok.order, ['exit', 'close']);
    const refused = await run(c, '--osh noSuchPlugin');
    assert.equal(refused.code, 104);
    assert.deepEqual(refused.order, ['exit', 'close']);
  } finally {
    c.end();
  }
});

test('several sessions on one connection, one after the other and at once', async () => {
  const c = await connect();
  try {
    const all = await Promise.all([1, 2, 3, 4].map(() => run(c, '--osh info --json-greppable --quiet')));
    for (const f of all) assert.equal(greppable(f.stdout).value.account, 'admin');
  } finally {
    c.end();
  }
});

test('sessions are limited per connection at once, not in total (ControlMaster-style reuse)', async () => {
  const c = await connect();
  try {
    // One after the other, well past the concurrent limit: every one is served.
    for (let i = 0; i < 15; i++) assert.equal((await run(c, '--osh info --quiet')).code, 0, `session ${i + 1}`);
    // At once: the eleventh is refused while ten are open (each waits on stdin until we end it).
    const open: ClientChannel[] = [];
    const done: Promise<Finished>[] = [];
    for (let i = 0; i < 10; i++) {
      const started = await new Promise<{ finished: Promise<Finished> }>((resolve, reject) =>
        c.exec('--osh accountCreate --account waiting --uid-auto', (err, ch) => {
          if (err) return reject(err);
          open.push(ch);
          resolve({ finished: finish(ch) });
        }),
      );
      done.push(started.finished);
    }
    await assert.rejects(run(c, '--osh info'), /Channel open failure/);
    for (const ch of open) ch.end();
    for (const f of await Promise.all(done)) assert.equal(f.code, 100);
    assert.equal((await run(c, '--osh info --quiet')).code, 0, 'served again once they closed');
  } finally {
    c.end();
  }
});

test('OpenSSH ControlMaster: many calls over one multiplexed connection', async () => {
  const control = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ghmux-')), 'm');
  const mux = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${control}`, '-o', 'ControlPersist=30'];
  try {
    for (let i = 0; i < 12; i++) {
      const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--json-greppable', '--quiet'], { sshOptions: mux });
      assert.equal(r.code, 0, `call ${i + 1}: ${r.stderr}`);
      assert.equal(greppable(r.stdout).value.account, 'admin');
    }
    const conns = srv.logs
      .filter((l) => l['msg'] === 'call' && l['account'] === 'admin')
      .slice(-12)
      .map((l) => l['conn']);
    assert.equal(new Set(conns).size, 1, 'all twelve calls went over one connection');
  } finally {
    await sshCall(srv.port, 'admin', srv.admin.key.privateFile, [], { sshOptions: [...mux, '-O', 'exit'] });
    fs.rmSync(path.dirname(control), { recursive: true, force: true });
  }
});

test('pty-req: accepted, CRLF output, stderr merged; window-change and signal accepted mid-call', async () => {
  const c = await connect();
  try {
    const f = await run(c, '--osh noSuchPlugin --json', { pty: { term: 'xterm-256color', cols: 100, rows: 30, width: 0, height: 0 } }, (ch) => {
      ch.setWindow(40, 120, 0, 0);
      ch.signal('USR1');
    });
    assert.equal(f.code, 104);
    assert.equal(f.stderr, '');
    assert.match(f.stdout, /~ \[!\] Unknown command 'noSuchPlugin'\r\n/);
    assert.equal(/[^\r]\n/.test(f.stdout), false);
  } finally {
    c.end();
  }
});

test('env: LANG and LC_* accepted (and used), any other name refused', async () => {
  const c = await connect();
  try {
    const replies = recordEnvReplies(c);
    const f = await run(c, '--osh info', {
      pty: { term: 'xterm', cols: 80, rows: 24, width: 0, height: 0 },
      env: { LANG: 'en_US.UTF-8', LC_TIME: 'C', FOO: 'bar', LANGUAGE: 'en', PATH: '/tmp', LD_PRELOAD: '/x.so' },
    });
    assert.equal(f.code, 0);
    assert.deepEqual(Object.fromEntries(replies), { LANG: true, LC_TIME: true, FOO: false, LANGUAGE: false, PATH: false, LD_PRELOAD: false });
    assert.ok(f.stdout.includes('\u256d\u2500\u2500'), 'the UTF-8 LANG reached the call');
  } finally {
    c.end();
  }
});

test('env values that are too long are refused', async () => {
  const c = await connect();
  try {
    const replies = recordEnvReplies(c);
    const f = await run(c, '--osh info --quiet', { env: { LANG: 'x'.repeat(300) } });
    assert.equal(f.code, 0);
    assert.equal(replies.get('LANG'), false);
  } finally {
    c.end();
  }
});

test('shell without a command: the usage, KO_NO_HOST, exit 112 (ssh2 and OpenSSH)', async () => {
  const c = await connect();
  try {
    const f = await new Promise<Finished>((resolve, reject) =>
      c.shell(false, (err, ch) => {
        if (err) return reject(err);
        resolve(finish(ch));
        ch.end();
      }),
    );
    assert.equal(f.code, 112);
    assert.deepEqual(f.order, ['exit', 'close']);
    assert.match(f.stdout, /Usage: ssh admin@testbastion/);
    assert.match(f.stderr, /No osh command specified/);
  } finally {
    c.end();
  }
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, []);
  assert.equal(r.code, 112);
  assert.match(r.stdout, /Usage: ssh admin@/);
  assert.match(r.stderr, /No osh command specified and no host to connect to/);
});

test('subsystems (sftp) are refused', async () => {
  const c = await connect();
  try {
    await assert.rejects(new Promise((resolve, reject) => c.sftp((err, s) => (err ? reject(err) : resolve(s)))), /Unable to start subsystem: sftp/);
    await assert.rejects(new Promise((resolve, reject) => c.subsys('netconf', (err, s) => (err ? reject(err) : resolve(s)))), /Unable to start subsystem/);
    // The connection is still usable after a refusal.
    assert.equal((await run(c, '--osh info --quiet')).code, 0);
  } finally {
    c.end();
  }
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['sftp'], { sshOptions: ['-s'] });
  assert.equal(r.code, 255);
});

test('X11 forwarding is refused', async () => {
  const c = await connect();
  try {
    await assert.rejects(run(c, '--osh info', { x11: true }), /X11/);
  } finally {
    c.end();
  }
});

test('port forwarding is refused: local (direct-tcpip), remote (tcpip-forward) and unix sockets', async () => {
  const c = await connect();
  try {
    // The target address is never dialled: the server refuses the channel before looking at it.
    await assert.rejects(
      new Promise((resolve, reject) => c.forwardOut('127.0.0.1', 1234, '127.0.0.1', srv.port, (err, s) => (err ? reject(err) : resolve(s)))),
      /Channel open failure/,
    );
    await assert.rejects(new Promise((resolve, reject) => c.forwardIn('127.0.0.1', 0, (err, p) => (err ? reject(err) : resolve(p)))), /Unable to bind/);
    await assert.rejects(new Promise((resolve, reject) => c.openssh_forwardOutStreamLocal('/tmp/x.sock', (err, s) => (err ? reject(err) : resolve(s)))));
    assert.equal((await run(c, '--osh info --quiet')).code, 0);
  } finally {
    c.end();
  }
  // OpenSSH with -R and ExitOnForwardFailure: the refused forwarding makes the client give up.
  const forwarded = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--quiet'], {
    sshOptions: ['-o', 'ExitOnForwardFailure=yes', '-R', '127.0.0.1:0:127.0.0.1:9'],
  });
  assert.equal(forwarded.code, 255);
});
