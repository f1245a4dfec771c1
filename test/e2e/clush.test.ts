// clush over SSH to one real OpenSSH sshd listening on three loopback addresses: what only the
// wire shows. 362-clush.sh's live calls through the OpenSSH client (the command quoted twice, as
// from a shell), exit statuses and streams per host from a real sshd, --timeout ending a command
// sshd would keep running, the prompts under a pty, and a client that leaves mid-run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { sqliteOf } from '../../src/store/inspect.js';
import { framed, greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSshd, type SshdTarget } from '../helpers/targets.js';
import { waitFor } from '../helpers/wait.js';

const HOSTS = ['127.0.11.31', '127.0.11.32', '127.0.11.33'];
let srv: TestServer;
let sshd: SshdTarget;
let alice: { name: string; id: number; key: { privateFile: string; privateKey: string } };

before(async () => {
  srv = await startTestServer();
  const a = addEgressAccount(srv, 'alice');
  alice = a;
  sshd = await startSshd(HOSTS[0] as string, [a.egress.publicLine], { alsoListen: HOSTS.slice(1) });
  for (const h of HOSTS) grantPersonal(srv.gh.store, a.id, { ip: h, user: 'root', port: sshd.port });
});
after(async () => {
  await sshd.close();
  await srv.close();
});

/** The options of 362-clush.sh's live calls, as the words OpenSSH sends: the command quoted once more. */
const live = (list: readonly string[], command: string): string[] => [
  '--osh',
  'clush',
  '--no-confirm',
  '--no-pause-on-failure',
  '--no-stdin',
  '--user',
  'root',
  '--port',
  String(sshd.port),
  '--command',
  `"${command}"`,
  '--list',
  list.join(','),
];
const call = (args: readonly string[]) => sshCall(srv.port, alice.name, alice.key.privateFile, args);

test('362-clush.sh: one host through the OpenSSH client, the marker in stdout, then exit 3', async () => {
  const r = await call(['--json', ...live([HOSTS[0] as string], 'echo proxyjump-test-landed-on=remoteserver')]);
  assert.equal(r.code, 0, r.stderr + sshd.log());
  const env = framed(r.stdout);
  assert.equal(env.command, 'clush');
  assert.equal(env.error_code, 'OK');
  assert.equal(env.value[HOSTS[0] as string].sysret, 0);
  assert.ok(env.value[HOSTS[0] as string].stdout.some((l: string) => /proxyjump-test-landed-on=remoteserver/.test(l)));

  const failing = await call(['--json', ...live([HOSTS[0] as string], 'exit 3')]);
  assert.equal(failing.code, 0);
  assert.equal(framed(failing.stdout).error_code, 'OK');
  assert.equal(framed(failing.stdout).value[HOSTS[0] as string].sysret, 3);
});

test('three servers of one sshd at once: each its exit status, stdout and stderr apart', async () => {
  const r = await call(['--json-greppable', '--parallel', '3', ...live(HOSTS, 'echo out $SSH_CONNECTION; echo err >&2; exit 5')]);
  assert.equal(r.code, 0, r.stderr);
  const env = greppable(r.stdout);
  assert.deepEqual(Object.keys(env.value), HOSTS);
  for (const h of HOSTS) {
    const v = env.value[h];
    assert.equal(v.sysret, 5);
    assert.equal(v.error_code, 'OK');
    // sshd says which of its addresses the bastion reached: each host is its own connection.
    assert.equal(v.stdout.length, 1);
    assert.match(v.stdout[0], new RegExp(`^out 127\\.0\\.0\\.1 \\d+ ${h.replace(/\./g, '\\.')} ${sshd.port}$`));
    assert.deepEqual(v.stderr, ['err']);
  }
  // The text around the frame: a line per host and the progress on stderr.
  assert.match(r.stderr, /^clush: 3\/3 hosts done, 3 failed$/m);
  // Each host's sessions row: where the client came in (the bastion's address of its connection).
  const rows = sqliteOf(srv.gh.store).prepare("SELECT target_ip, via_ip, via_port, exit_status FROM sessions WHERE account = 'alice' ORDER BY started_at DESC LIMIT 3").all() as {
    target_ip: string;
    via_ip: string;
    via_port: number;
    exit_status: number;
  }[];
  assert.deepEqual(
    rows.map((x) => [x.via_ip, x.via_port, x.exit_status]),
    [
      ['127.0.0.1', srv.port, 5],
      ['127.0.0.1', srv.port, 5],
      ['127.0.0.1', srv.port, 5],
    ],
  );
  assert.deepEqual(rows.map((x) => x.target_ip).sort(), [...HOSTS].sort());
});

test('--timeout ends a command sshd would keep running: KO_TIMEOUT, 117, the session closed', async () => {
  const r = await call(['--json-greppable', '--timeout', '1', ...live([HOSTS[1] as string], 'sleep 60')]);
  assert.equal(r.code, 0, r.stderr);
  const v = greppable(r.stdout).value[HOSTS[1] as string];
  assert.equal(v.error_code, 'KO_TIMEOUT');
  assert.equal(v.sysret, 117);
  const row = sqliteOf(srv.gh.store).prepare("SELECT comment, ended_at FROM sessions WHERE account = 'alice' ORDER BY started_at DESC LIMIT 1").get() as {
    comment: string;
    ended_at: number | null;
  };
  assert.equal(row.comment, 'timeout');
  assert.notEqual(row.ended_at, null);
});

/** An ssh2 client with a pty, driven by what it reads: `expect` waits for a text, `send` types. */
async function ptySession(command: string) {
  const c = new ssh2.Client();
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) if (w.re.test(out)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  };
  await new Promise<void>((resolve, reject) => {
    c.on('ready', () => resolve());
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port: srv.port, username: alice.name, privateKey: alice.key.privateKey, readyTimeout: 10000 });
  });
  const ch = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
    c.exec(command, { pty: { term: 'xterm', cols: 120, rows: 40 } }, (err, channel) => (err ? reject(err) : resolve(channel))),
  );
  ch.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  const exit = new Promise<number | null>((resolve) => {
    let code: number | null = null;
    ch.on('exit', (n: number | null) => (code = n));
    ch.on('close', () => {
      c.end();
      resolve(code);
    });
  });
  return {
    output: () => out,
    expect: (re: RegExp) =>
      new Promise<void>((resolve) => {
        waiters.push({ re, resolve });
        check();
      }),
    send: (text: string) => void ch.write(text),
    exit,
    drop: () => c.end(),
  };
}

describe('under a pty', () => {
  test('the confirmation, then a pause after a failure: ENTER goes on, ^C stops there', async () => {
    const words = ['--json-greppable', '--osh', 'clush', '--parallel', '1', '--user', 'root', '--port', String(sshd.port), '--list', HOSTS.join(','), '--command', '"exit 2"'];
    const s = await ptySession(words.join(' '));
    await s.expect(/Press ENTER to proceed, or CTRL\+C to cancel\./);
    s.send('\r');
    await s.expect(/Last command failed \(return code: 2\), press ENTER to continue or CTRL\+C to stop here/);
    s.send('\r');
    await s.expect(/clush: 2\/3 hosts done/);
    s.send('\x03');
    const code = await s.exit;
    assert.equal(code, 100, s.output());
    const env = greppable(s.output());
    assert.equal(env.error_code, 'KO_CANCELLED');
    assert.deepEqual(Object.keys(env.value), HOSTS.slice(0, 2));
    // A pty: every line ends with CRLF.
    assert.match(s.output(), /Press ENTER to proceed, or CTRL\+C to cancel\.\r\n/);
  });
});

test('the client leaves mid-run: the hosts in flight are closed (client_gone), the call is audited so', async () => {
  const rows = () =>
    sqliteOf(srv.gh.store).prepare("SELECT id, comment, ended_at FROM sessions WHERE account = 'alice' AND command = 'sleep 60' AND allowed = 1").all() as {
      id: string;
      comment: string | null;
      ended_at: number | null;
    }[];
  const before = rows().length;
  const s = await ptySession([...live(HOSTS.slice(0, 2), 'sleep 60'), '--parallel', '2'].join(' '));
  // Both connected and running their command (not cancelled while connecting).
  const running = (id: string): boolean => srv.logs.some((l) => l.msg === 'egress session started' && l.session === id);
  await waitFor(
    'both hosts running',
    () =>
      rows().length >= before + 2 &&
      rows()
        .slice(before)
        .every((r) => running(r.id)),
  );
  s.drop();
  await waitFor('both sessions ended', () => rows().every((r) => r.ended_at !== null));
  assert.deepEqual(
    rows()
      .slice(before)
      .map((r) => r.comment),
    ['client_gone', 'client_gone'],
  );
  await waitFor('the call audited', () => srv.gh.store.audit.recent(1)[0]?.plugin === 'clush' && srv.gh.store.audit.recent(1)[0]?.error_code === 'KO_CLIENT_GONE');
});
