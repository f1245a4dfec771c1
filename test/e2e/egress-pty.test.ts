// Interactive sessions through the bastion to a real OpenSSH sshd, driven by `ssh -tt` with a
// script on stdin: the target gets a pty of the client's terminal type, the session ends with
// the remote shell's exit status, and the recording is a valid asciicast v2 whose output is
// byte for byte what the client received.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseCast } from '../../src/egress/asciicast.js';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSshd, type SshdTarget } from '../helpers/targets.js';

const HOST = '127.0.0.22';
let srv: TestServer;
let sshd: SshdTarget;
let alice: { name: string; key: { privateFile: string }; id: number };

before(async () => {
  srv = await startTestServer();
  const a = addEgressAccount(srv, 'alice');
  alice = a;
  sshd = await startSshd(HOST, [a.egress.publicLine]);
  grantPersonal(srv.gh.store, a.id, { ip: HOST, user: 'root' });
});
after(async () => {
  await sshd.close();
  await srv.close();
});

function lastSession() {
  const audit = srv.gh.store.audit.recent(50).find((a) => a.kind === 'egress');
  assert.ok(audit);
  const row = srv.gh.store.sessions.byId(audit.call_id);
  assert.ok(row);
  return row;
}

test('ssh -tt: a scripted interactive shell on the target, with its terminal type, ends with its exit status', async () => {
  const script = 'export PS1="$ "\necho "term=$TERM bastion=$LC_BASTION"\necho "sum=$((6*7))"\nexit 7\n';
  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, ['-q', `root@${HOST}`, '-p', String(sshd.port)], {
    stdin: script,
    sshOptions: ['-tt', '-o', 'SetEnv=TERM=xterm-256color'],
  });
  assert.equal(r.code, 7, `${r.stdout}\n${r.stderr}\n${sshd.log()}`);
  assert.match(r.stdout, /term=xterm-256color bastion=alice\r\n/);
  assert.match(r.stdout, /sum=42\r\n/);

  const row = lastSession();
  assert.equal(row.pty, 1);
  assert.equal(row.exit_status, 7);
  const cast = parseCast(fs.readFileSync(path.join(srv.gh.dataDir, row.recording ?? ''), 'utf8'));
  assert.equal(cast.header.version, 2);
  assert.ok(cast.header.width > 0 && cast.header.height > 0);
  assert.ok(Math.abs(cast.header.timestamp - Date.now() / 1000) < 60);
  assert.ok(cast.events.length > 0);
  for (const e of cast.events) assert.ok(['o', 'r'].includes(e.code));
  const recorded = cast.events
    .filter((e) => e.code === 'o')
    .map((e) => e.data)
    .join('');
  // -q: nothing but the target's screen reached the client, so both must be the same bytes.
  assert.equal(recorded, r.stdout);
});

test('without -q the bastion says where it connects and which keys it tries, then the screen follows', async () => {
  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, [`root@${HOST}`, '-p', String(sshd.port)], {
    stdin: 'exit 0\n',
    sshOptions: ['-tt'],
  });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`=> alice@127\\.0\\.0\\.1:${srv.port} => root@${HOST.replace(/\./g, '\\.')}:${sshd.port} \\.\\.\\.`));
  assert.match(r.stdout, / allowed \.\.\. log on\(recordings\/alice\//);
  assert.match(r.stdout, /personal access with ED25519-256 key SHA256:/);
  assert.match(r.stdout, /Connecting\.\.\./);
});

test('the first connection learns the host key; a changed key is refused with exit 105 until it is forgotten', async () => {
  const id = alice.id;
  const known = srv.gh.store.hostKeys.forTarget(id, HOST, sshd.port);
  assert.equal(known.length, 1);
  assert.equal(known[0]?.fingerprint, sshd.hostKeyFingerprint);

  await sshd.rotateHostKey();
  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', `root@${HOST}`, '-p', String(sshd.port), '--', 'true']);
  assert.equal(r.code, 105, r.stdout + r.stderr);
  assert.match(r.stderr, /host key of .* has changed/);
  assert.match(r.stderr, /selfForgetHostKey --host 127\.0\.0\.22 --port \d+/);
  assert.match(r.stdout, /"error_code":"KO_HOSTKEY_CHANGED"/);
  assert.equal(lastSession().comment, 'hostkey_changed');
  // The key on record is still the old one.
  assert.notEqual(srv.gh.store.hostKeys.forTarget(id, HOST, sshd.port)[0]?.fingerprint, sshd.hostKeyFingerprint);
});

test('selfForgetHostKey forgets the old key: the next connection learns the new one', async () => {
  const id = alice.id;
  const f = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfForgetHostKey', '--host', HOST, '--port', String(sshd.port)]);
  assert.equal(f.code, 0, f.stdout + f.stderr);
  const env = greppable(f.stdout);
  assert.equal(env.error_code, 'OK');
  assert.deepEqual(env.value, { [`[${HOST}]:${sshd.port}`]: { action: 'OK_DELETED' } });
  assert.equal(srv.gh.store.hostKeys.forTarget(id, HOST, sshd.port).length, 0);

  // The account knows no host key at all now: nothing to do (The Bastion: no known_hosts file).
  const again = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfForgetHostKey', '--host', HOST, '--port', String(sshd.port)]);
  assert.equal(greppable(again.stdout).error_code, 'OK_NO_CHANGE');

  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, ['-q', `root@${HOST}`, '-p', String(sshd.port), '--', 'echo ok']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok\n');
  assert.equal(srv.gh.store.hostKeys.forTarget(id, HOST, sshd.port)[0]?.fingerprint, sshd.hostKeyFingerprint);
});

test('assetForgetHostKey (restricted) forgets a target for every account: changed_files, then OK_NO_CHANGE', async () => {
  const denied = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'assetForgetHostKey', '--host', HOST, '--port', String(sshd.port)]);
  assert.equal(denied.code, 106);
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'assetForgetHostKey', '--host', HOST, '--port', String(sshd.port)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  let env = greppable(r.stdout);
  assert.equal(env.error_code, 'OK');
  assert.deepEqual(env.value, { changed_files: 1 });
  const dupe = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'assetForgetHostKey', '--host', HOST, '--port', String(sshd.port)]);
  env = greppable(dupe.stdout);
  assert.equal(env.error_code, 'OK_NO_CHANGE');
  assert.deepEqual(env.value, { changed_files: 0 });
  const subnet = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'assetForgetHostKey', '--host', '127.0.0.0/24']);
  assert.equal(greppable(subnet.stdout).error_code, 'ERR_INVALID_PARAMETER');
});

test("selfListSessions lists the sessions with The Bastion's fields; selfPlaySession replays the recording byte for byte", async () => {
  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, ['-q', `root@${HOST}`, '-p', String(sshd.port)], {
    stdin: 'printf "\\033[1mbold\\033[0m caf\\303\\251\\n"\nexit 0\n',
    sshOptions: ['-tt'],
  });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /\x1b\[1mbold\x1b\[0m café/);
  const row = lastSession();

  const l = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions', '--host', HOST, '--user', 'root', '--type', 'ssh']);
  assert.equal(l.code, 0, l.stderr);
  const list = greppable(l.stdout);
  assert.equal(list.command, 'selfListSessions');
  assert.equal(list.error_code, 'OK');
  const item = list.value.find((s: { id: string }) => s.id === row.id);
  assert.ok(item, l.stdout);
  assert.equal(item.allowed, 1);
  assert.equal(item.type, 'ssh');
  assert.equal(item.plugin, null);
  assert.equal(item.params, null);
  assert.equal(item.returned, 0);
  assert.deepEqual(item.to, { ip: HOST, port: String(sshd.port), host: HOST });
  assert.deepEqual(item.via, { ip: '127.0.0.1', port: srv.port, user: 'alice' });
  assert.deepEqual(item.proxy, { ip: null, port: null, host: null });
  assert.equal(item.from.ip, '127.0.0.1');
  assert.equal(typeof item.from.port, 'number');
  assert.ok(item.timestamp_ended >= item.timestamp_started);
  const denied = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfListSessions', '--denied']);
  assert.equal(greppable(denied.stdout).error_code, 'OK_EMPTY');

  const recorded = fs.readFileSync(path.join(srv.gh.dataDir, row.recording ?? ''), 'utf8');
  const screen = parseCast(recorded)
    .events.filter((e) => e.code === 'o')
    .map((e) => e.data)
    .join('');
  assert.equal(screen, r.stdout);

  const missing = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfPlaySession', '--id', '123456']);
  assert.equal(missing.code, 100);
  assert.equal(greppable(missing.stdout).error_code, 'ERR_NOT_FOUND');

  const p = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--json-greppable', '--osh', 'selfPlaySession', '--id', row.id, '--speed', '50']);
  assert.equal(p.code, 0, p.stderr);
  assert.ok(p.stdout.includes(screen), p.stdout);
  assert.match(p.stdout, /Total Recall/);
  const played = greppable(p.stdout);
  assert.equal(played.error_code, 'OK');
  assert.deepEqual(played.value, {});

  // With a terminal, the replay waits for ENTER, then writes the screen unchanged.
  const t = await sshCall(srv.port, alice.name, alice.key.privateFile, ['--quiet', '--osh', 'selfPlaySession', '--id', row.id, '--speed', '50'], {
    stdin: '\n',
    sshOptions: ['-tt'],
  });
  assert.equal(t.code, 0, t.stdout);
  assert.ok(t.stdout.includes(screen), t.stdout);
});

test('the recordings play with stock asciinema when it is installed', async () => {
  const row = lastSession();
  const file = path.join(srv.gh.dataDir, row.recording ?? '');
  const screen = parseCast(fs.readFileSync(file, 'utf8'))
    .events.filter((e) => e.code === 'o')
    .map((e) => e.data)
    .join('');
  assert.ok(screen.length > 0);
  const asciinema = ['/usr/bin/asciinema', '/usr/local/bin/asciinema'].find((f) => fs.existsSync(f));
  if (asciinema) {
    const out = execFileSync(asciinema, ['play', '-s', '1000', file], { stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
    assert.equal(out, screen);
  }
});
