// Egress without a pty, through the real OpenSSH client: the remote command's stdout and stderr
// arrive apart and untouched, its exit status (or signal) is the call's, and every request that
// reached the access decision leaves a sessions row under the audit row's id.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';
import { sqliteOf } from '../../src/store/inspect.js';

const HOST = '127.0.0.21';
let srv: TestServer;
let target: Ssh2Target;
let alice: { name: string; key: { privateFile: string } };
let aliceId: number;

before(async () => {
  srv = await startTestServer();
  const a = addEgressAccount(srv, 'alice');
  alice = a;
  aliceId = a.id;
  target = await startSsh2Target(HOST, [a.egress.publicLine]);
  grantPersonal(srv.gh.store, aliceId, { ip: HOST, user: 'deploy', port: target.port });
});
after(async () => {
  await target.close();
  await srv.close();
});

const run = (args: string[], stdin?: string) => sshCall(srv.port, alice.name, alice.key.privateFile, args, stdin === undefined ? {} : { stdin });

test('a command runs on the target: stdout and stderr stay apart, exit 0', async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', 'echo out; echo err >&2']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /^err$/m);
  assert.equal(target.logins.at(-1)?.user, 'deploy');
});

test("the remote exit status is the call's", async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', 'exit 3']);
  assert.equal(r.code, 3, r.stderr);
});

test('a command killed by a signal ends like a direct ssh would (exit-signal: the client exits 255)', async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', 'kill -TERM $$']);
  assert.equal(r.code, 255, r.stderr);
  const row = sqliteOf(srv.gh.store).prepare("SELECT exit_signal FROM sessions WHERE account = 'alice' ORDER BY started_at DESC LIMIT 1").get() as { exit_signal: string };
  assert.equal(row.exit_signal, 'TERM');
});

test('the command is passed as typed after --, quotes included', async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', "printf '%s|' 'a b' c"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'a b|c|');
});

test('stdin reaches the command and its end is the end of the input', async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', 'wc -c'], 'x'.repeat(100_000));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '100000');
});

test('without an access the connection is refused: 107 KO_ACCESS_DENIED, and a denied sessions row', async () => {
  const r = await run(['--json-greppable', `root@${HOST}`, '-p', String(target.port), '--', 'true']);
  assert.equal(r.code, 107);
  const env = greppable(r.stdout);
  assert.equal(env.command, null);
  assert.equal(env.error_code, 'KO_ACCESS_DENIED');
  assert.match(r.stderr, new RegExp(`Access denied for alice to root@${HOST.replace(/\./g, '\\.')}:${target.port}`));
  const audit = srv.gh.store.audit.recent(1)[0];
  assert.equal(audit?.kind, 'egress');
  const row = audit ? srv.gh.store.sessions.byId(audit.call_id) : undefined;
  assert.equal(row?.allowed, 0);
  assert.equal(row?.target_user, 'root');
});

test('the default remote user is the account name, and the refusal says so', async () => {
  const r = await run([HOST, '-p', String(target.port)]);
  assert.equal(r.code, 107);
  assert.match(r.stderr, /tried with remote user 'alice'/);
});

test('a sessions row for every allowed session: id = audit call id, target, exit, bytes both ways', async () => {
  const r = await run(['-q', `deploy@${HOST}`, '-p', String(target.port), '--', 'cat'], 'hello');
  assert.equal(r.code, 0);
  const audit = srv.gh.store.audit.recent(1)[0];
  assert.ok(audit);
  assert.equal(audit.kind, 'egress');
  assert.equal(audit.error_code, 'OK');
  const row = srv.gh.store.sessions.byId(audit.call_id);
  assert.ok(row);
  assert.equal(row.allowed, 1);
  assert.equal(row.account, 'alice');
  assert.equal(row.target_ip, HOST);
  assert.equal(row.target_port, target.port);
  assert.equal(row.exit_status, 0);
  assert.equal(row.bytes_up, 5);
  assert.equal(row.bytes_down, 5);
  assert.equal(row.peer_ip, '127.0.0.1');
  assert.equal(row.via_ip, '127.0.0.1');
  assert.equal(row.via_port, srv.port);
  assert.ok(row.ended_at !== null && row.ended_at >= row.started_at);
  assert.match(row.recording ?? '', /^recordings\/alice\/\d{4}-\d\d-\d\d\/[0-9a-f]{12}\.cast$/);
});

test('a session that cannot be recorded is not opened: 126 KO_TTYREC_FAILED', async () => {
  const norec = addEgressAccount(srv, 'norec');
  grantPersonal(srv.gh.store, norec.id, { ip: HOST });
  // A file where the account's recordings directory should be.
  fs.mkdirSync(path.join(srv.gh.dataDir, 'recordings'), { recursive: true });
  fs.writeFileSync(path.join(srv.gh.dataDir, 'recordings', 'norec'), 'in the way');
  const logins = target.logins.length;
  const r = await sshCall(srv.port, norec.name, norec.key.privateFile, ['--json-greppable', `deploy@${HOST}`, '-p', String(target.port), '--', 'true']);
  assert.equal(r.code, 126, r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'KO_TTYREC_FAILED');
  assert.equal(target.logins.length, logins, 'the target was never logged into');
});

test("osh.pl's other spellings of the target: -l, --user, --host, --port", async () => {
  for (const args of [
    ['-q', '-l', 'deploy', HOST, '-p', String(target.port), '--', 'echo l'],
    ['-q', '--host', HOST, '--user', 'deploy', '--port', String(target.port), '--', 'echo l'],
    ['-q', '-u', 'deploy', '-h', HOST, '-p', String(target.port), '--', 'echo l'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, 'l\n');
    assert.equal(target.logins.at(-1)?.user, 'deploy');
  }
});
