// A connection is bound to the account it authenticated as. Attacks, with the real OpenSSH client
// keeping a ControlMaster connection open (as people do for hours) and a real sshd as the target:
//  (a) the account is deleted and another created: before, the new account got the deleted one's
//      id and the old connection re-read "its" account by id, becoming the new one;
//  (b, c) a freeze or a deletion while a command without a pty runs on the target: before, only
//      the target channel was closed, which OpenSSH's sshd ignores until the command exits;
//  (d) an account that expires with time alone (TTL, inactivity) kept what it had open.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { collect, type Finished } from '../helpers/child.js';
import { greppable, sshCall } from '../helpers/clients.js';
import { OPENSSH_BATCH_OPTIONS } from '../helpers/openssh.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSshd, type SshdTarget } from '../helpers/targets.js';
import { logLines, waitFor } from '../helpers/wait.js';
import { sqliteOf } from '../../src/store/inspect.js';

const HOST = '127.0.0.61';
let srv: TestServer;
let sshd: SshdTarget;
const muxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghid-'));
const masters: { account: string; key: string; control: string }[] = [];

before(async () => {
  // The sweep every second, so that (d) runs in seconds; inactivity expiry after one day.
  srv = await startTestServer({ config: { liveAccountCheckSeconds: 1, accountMaxInactiveDays: 1 } });
  sshd = await startSshd(HOST, []);
});
after(async () => {
  for (const m of masters) await ssh(m.account, m.key, ['-O', 'exit'], m.control).catch(() => undefined);
  await sshd.close();
  await srv.close();
  fs.rmSync(muxDir, { recursive: true, force: true });
});

/** The real client, through the account's ControlMaster socket (`control`), when given. */
function ssh(account: string, keyFile: string, args: readonly string[], control?: string, timeoutMs = 30_000): Promise<Finished> {
  const mux = control ? ['-o', `ControlPath=${control}`, '-o', 'ControlMaster=no'] : [];
  const child = spawn('ssh', [...OPENSSH_BATCH_OPTIONS, ...mux, '-i', keyFile, '-p', String(srv.port), `${account}@127.0.0.1`, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  return collect(child, { timeoutMs, label: `ssh ${args.join(' ')}` });
}

/** Opens a ControlMaster connection for the account (in the background, as `ssh -fN` does). */
async function openMaster(account: string, keyFile: string): Promise<string> {
  const control = path.join(muxDir, `${account}.sock`);
  const child = spawn(
    'ssh',
    [...OPENSSH_BATCH_OPTIONS, '-M', '-N', '-f', '-o', `ControlPath=${control}`, '-o', 'ControlPersist=300', '-i', keyFile, '-p', String(srv.port), `${account}@127.0.0.1`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const r = await collect(child, { timeoutMs: 20_000, label: 'ssh -M' });
  assert.equal(r.code, 0, r.stderr);
  masters.push({ account, key: keyFile, control });
  return control;
}

/** Whether the ControlMaster process still holds its connection. */
async function masterAlive(account: string, keyFile: string, control: string): Promise<boolean> {
  return (await ssh(account, keyFile, ['-O', 'check'], control)).code === 0;
}

async function waitMasterGone(account: string, keyFile: string, control: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (await masterAlive(account, keyFile, control)) {
    if (Date.now() > deadline) throw new Error(`the ControlMaster connection of ${account} is still open`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function admin(args: readonly string[], stdin?: string) {
  return sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', ...args], stdin === undefined ? {} : { stdin });
}

function sessionRow(account: string): { comment: string | null; ended_at: number | null; exit_status: number | null } {
  const row = sqliteOf(srv.gh.store).prepare('SELECT comment, ended_at, exit_status FROM sessions WHERE account = ? AND allowed = 1 ORDER BY rowid DESC LIMIT 1').get(account);
  assert.ok(row, `a session row for ${account}`);
  return row as { comment: string | null; ended_at: number | null; exit_status: number | null };
}

/** An account with an access to root@HOST, its key known to the sshd target, and a ControlMaster. */
async function egressUser(name: string): Promise<{ id: number; name: string; keyFile: string; control: string }> {
  const a = addEgressAccount(srv, name);
  grantPersonal(srv.gh.store, a.id, { ip: HOST, user: 'root' });
  sshd.setAuthorizedKeys([
    ...fs
      .readFileSync(path.join(sshd.dir, 'authorized_keys'), 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
    a.egress.publicLine,
  ]);
  const control = await openMaster(name, a.key.privateFile);
  return { id: a.id, name, keyFile: a.key.privateFile, control };
}

/** Starts a command without a pty on the target through the master, and waits until it runs. */
async function startLongCommand(u: { name: string; keyFile: string; control: string }, command: string): Promise<{ call: Promise<Finished> }> {
  const before = logLines(srv.logs, 'egress session started').length;
  const call = ssh(u.name, u.keyFile, ['--', `root@${HOST}`, '-p', String(sshd.port), '--', command], u.control, 60_000);
  await waitFor('the egress session to start', () => logLines(srv.logs, 'egress session started').length > before, 20_000);
  // Wrapped: an async function returning the bare promise would wait for it.
  return { call };
}

test("(a) delete A, create B: A's ControlMaster connection is closed, B gets a new id, nothing runs as B", async () => {
  const a = srv.addAccount('ida');
  const control = await openMaster(a.name, a.key.privateFile);
  const first = await ssh(a.name, a.key.privateFile, ['--', '--json-greppable', '--osh', 'info'], control);
  assert.equal(greppable(first.stdout).value.account, 'ida');

  const del = await admin(['accountDelete', '--account', a.name, '--no-confirm']);
  assert.equal(greppable(del.stdout).error_code, 'OK', del.stdout + del.stderr);
  await waitMasterGone(a.name, a.key.privateFile, control);
  assert.equal(logLines(srv.logs, 'connection closed by the bastion', { account: 'ida', reason: 'account_deleted' }).length, 1);

  // B, created right after by an admin (with the admin's rights, even): it used to get A's id.
  const bKey = srv.newKey();
  const made = await admin(['accountCreate', '--account', 'idb', '--uid-auto'], bKey.publicLine + '\n');
  assert.equal(greppable(made.stdout).error_code, 'OK', made.stdout + made.stderr);
  const b = srv.gh.store.accounts.byName('idb');
  assert.ok(b);
  assert.ok(b.id > a.id, `B's id ${b.id} is new, not A's ${a.id}`);

  // A's client, once more through the master socket: there is no master any more.
  const again = await ssh(a.name, a.key.privateFile, ['--', '--json-greppable', '--osh', 'info'], control);
  assert.equal(again.code, 255);
  assert.equal(logLines(srv.logs, 'call', { account: 'idb' }).length, 0, 'nothing ran as B');
});

test('(b) freezing an account ends its command without a pty on a real sshd, records account_frozen, closes the connection', async () => {
  const u = await egressUser('idfrozen');
  const started = Date.now();
  const { call } = await startLongCommand(u, 'sleep 40');
  const freeze = await admin(['accountFreeze', '--account', u.name]);
  assert.equal(greppable(freeze.stdout).error_code, 'OK', freeze.stdout + freeze.stderr);
  assert.match(freeze.stdout, /1 session terminated/);

  const r = await call;
  assert.ok(Date.now() - started < 30_000, 'ended by the freeze, not by the command');
  assert.equal(r.code, 131, 'the exit status reached the client before its connection was closed');
  assert.match(r.stdout, /your session was terminated \(account frozen\)/);
  const row = sessionRow(u.name);
  assert.equal(row.comment, 'account_frozen');
  assert.notEqual(row.ended_at, null);
  await waitMasterGone(u.name, u.keyFile, u.control);
  assert.equal(logLines(srv.logs, 'connection closed by the bastion', { account: u.name, reason: 'account_frozen' }).length, 1);
});

test('(c) deleting an account ends its command without a pty (cat, waiting on stdin), records account_deleted, closes the connection', async () => {
  const u = await egressUser('iddeleted');
  const started = Date.now();
  // The client keeps its stdin open: cat on the target would wait for ever.
  const child = spawn(
    'ssh',
    [
      ...OPENSSH_BATCH_OPTIONS,
      '-o',
      `ControlPath=${u.control}`,
      '-o',
      'ControlMaster=no',
      '-i',
      u.keyFile,
      '-p',
      String(srv.port),
      `${u.name}@127.0.0.1`,
      '--',
      `root@${HOST}`,
      '-p',
      String(sshd.port),
      '--',
      'cat',
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const before = logLines(srv.logs, 'egress session started').length;
  const call = collect(child, { timeoutMs: 60_000, label: 'ssh cat' });
  await waitFor('the egress session to start', () => logLines(srv.logs, 'egress session started').length > before, 20_000);
  const del = await admin(['accountDelete', '--account', u.name, '--no-confirm']);
  assert.equal(greppable(del.stdout).error_code, 'OK', del.stdout + del.stderr);

  const r = await call;
  child.stdin.destroy();
  assert.ok(Date.now() - started < 30_000, 'ended by the deletion');
  assert.match(r.stdout, /your session was terminated \(account deleted\)/);
  assert.equal(sessionRow(u.name).comment, 'account_deleted');
  await waitMasterGone(u.name, u.keyFile, u.control);
  assert.equal(logLines(srv.logs, 'connection closed by the bastion', { account: u.name, reason: 'account_deleted' }).length, 1);
});

test('(d) the sweep ends what an expired account has open: a TTL run out mid-session, an idle connection past accountMaxInactiveDays', async () => {
  const ttl = await egressUser('idttl');
  const idle = srv.addAccount('ididle');
  const idleControl = await openMaster(idle.name, idle.key.privateFile);
  assert.equal((await ssh(idle.name, idle.key.privateFile, ['--', '--osh', 'info', '--quiet'], idleControl)).code, 0);
  const { call } = await startLongCommand(ttl, 'sleep 40');

  // Time passes (written as a test can): ttl's TTL ran out, ididle's last call was 3 days ago.
  const now = Math.floor(Date.now() / 1000);
  sqliteOf(srv.gh.store)
    .prepare('UPDATE accounts SET ttl_seconds = 60, created_at = ? WHERE id = ?')
    .run(now - 3600, ttl.id);
  sqliteOf(srv.gh.store)
    .prepare('UPDATE accounts SET last_activity_at = ? WHERE id = ?')
    .run(now - 3 * 86400, idle.id);

  const r = await call;
  assert.match(r.stdout, /your session was terminated \(account expired\)/);
  assert.equal(sessionRow(ttl.name).comment, 'account_expired');
  await waitMasterGone(ttl.name, ttl.keyFile, ttl.control);
  await waitMasterGone(idle.name, idle.key.privateFile, idleControl);
  for (const name of [ttl.name, idle.name]) {
    assert.equal(logLines(srv.logs, 'account no longer usable, its sessions and connections ended', { account: name, reason: 'account_expired' }).length, 1, name);
  }
  // And the next login's call is refused as before (exit 121 for the TTL).
  const next = await sshCall(srv.port, ttl.name, ttl.keyFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(next.code, 121);
});

test('an egress session in progress is activity: the sweep leaves an account whose last call is old but whose session runs', async () => {
  const u = await egressUser('idbusy');
  const { call } = await startLongCommand(u, 'sleep 3; exit 7');
  sqliteOf(srv.gh.store)
    .prepare('UPDATE accounts SET last_activity_at = ? WHERE id = ?')
    .run(Math.floor(Date.now() / 1000) - 3 * 86400, u.id);
  const r = await call;
  assert.equal(r.code, 7, r.stdout + r.stderr);
  assert.equal(sessionRow(u.name).comment, null);
});
