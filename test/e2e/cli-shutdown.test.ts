// Signals to `gatehouse serve` as an operator (or systemd) sends them, to the real child process:
// SIGTERM drains (new connections refused, calls in progress finish within shutdownDrainSeconds,
// those still running are told why and ended as bastion_shutdown, exit 0); SIGHUP re-reads
// bastion.conf and the server goes on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createAccount } from '../../src/accounts/create.js';
import { validateConfig } from '../../src/config/parse.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import { openStore } from '../../src/store/store.js';
import { greppable, sshCall } from '../helpers/clients.js';
import { freePort, startCli, type RunningCli } from '../helpers/cli.js';
import { addPersonalEgressKey, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';
import { waitFor } from '../helpers/wait.js';
import { sqliteOf } from '../../src/store/inspect.js';

const HOST = '127.0.0.62';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-shutdown-'));
const running: RunningCli[] = [];
const targets: Ssh2Target[] = [];

after(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await Promise.all(targets.map((t) => t.close()));
  fs.rmSync(root, { recursive: true, force: true });
});

interface Bastion {
  readonly cli: RunningCli;
  readonly port: number;
  readonly cwd: string;
  readonly keyFile: string;
  /** A target that knows this store's egress key. */
  readonly target: Ssh2Target;
}

const writeConf = (cwd: string, obj: Record<string, unknown>): void => fs.writeFileSync(path.join(cwd, 'bastion.conf'), `# test\n${JSON.stringify(obj, null, 2)}\n`);

/** A directory with bastion.conf and a store holding 'shut' (with an access to HOST), then `gatehouse serve`. */
async function serve(name: string, conf: Record<string, unknown>): Promise<Bastion> {
  const cwd = path.join(root, name);
  fs.mkdirSync(cwd, { recursive: true });
  writeConf(cwd, conf);
  const dataDir = path.join(cwd, 'data');
  const store = openStore(path.join(dataDir, 'gatehouse.db'));
  const login = generateCheckedKeyPair('ed25519');
  const keyFile = path.join(cwd, 'shut_key');
  fs.writeFileSync(keyFile, login.private, { mode: 0o600 });
  let target: Ssh2Target;
  try {
    const pub = parsePublicKeyLine(login.public).value;
    assert.ok(pub);
    const made = createAccount(store, validateConfig({}).config, {
      name: 'shut',
      uid: 'auto',
      comment: null,
      createdBy: 'test',
      ttlSeconds: null,
      keys: [pub],
      settings: {},
      nowSec: Math.floor(Date.now() / 1000),
    });
    assert.ok(made.value, made.msg);
    const egress = addPersonalEgressKey(store, dataDir, made.value.id);
    grantPersonal(store, made.value.id, { ip: HOST });
    target = await startSsh2Target(HOST, [egress.publicLine]);
    targets.push(target);
  } finally {
    store.close();
  }
  const port = await freePort();
  const cli = startCli(['serve', '--listen', `127.0.0.1:${port}`], { cwd, env: { HOME: cwd } });
  running.push(cli);
  await cli.waitFor('stdout', /"msg":"listening"/);
  return { cli, port, cwd, keyFile, target };
}

const exited = (cli: RunningCli): Promise<number | null> =>
  new Promise((resolve) => (cli.child.exitCode !== null ? resolve(cli.child.exitCode) : cli.child.once('exit', (code) => resolve(code))));

const count = (cli: RunningCli, msg: string): number => cli.logs().filter((l) => l['msg'] === msg).length;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

test('SIGTERM: new connections refused, a session ending within the drain time finishes, a longer one is told and ended, exit 0', async () => {
  const b = await serve('term', { bastionName: 'shutdowntest', shutdownDrainSeconds: 4 });
  const call = (command: string) => sshCall(b.port, 'shut', b.keyFile, [HOST, '-p', String(b.target.port), '--', command], { timeoutMs: 60_000 });
  const quick = call('sleep 1; echo finished; exit 3');
  const long = call('sleep 60');
  await waitFor('two egress sessions', () => count(b.cli, 'egress session started') === 2, 20_000);

  b.cli.child.kill('SIGTERM');
  await b.cli.waitFor('stdout', /"msg":"shutting down: no new connection or call/);
  assert.equal(await refused(b.port), true, 'no new connection during the drain');

  const q = await quick;
  assert.equal(q.code, 3, q.stdout + q.stderr);
  assert.match(q.stdout, /finished/);
  const l = await long;
  assert.match(l.stdout, /\*\*\* Gatehouse: the bastion is shutting down \*\*\*/);
  assert.equal(l.code, 117, l.stdout + l.stderr);
  assert.equal(await exited(b.cli), 0, b.cli.stdout());

  const logs = b.cli.logs();
  assert.ok(
    logs.some((x) => x['msg'] === 'drain time over, ending what is left' && x['calls'] === 1),
    'one call was left at the end of the drain',
  );
  assert.ok(logs.some((x) => x['msg'] === 'sessions and connections ended for the shutdown' && x['sessions'] === 1));
  assert.equal(logs.at(-1)?.['msg'], 'stopped');
  const store = openStore(path.join(b.cwd, 'data', 'gatehouse.db'));
  try {
    const rows = sqliteOf(store).prepare('SELECT command, exit_status, comment, ended_at FROM sessions ORDER BY started_at').all() as {
      command: string;
      exit_status: number | null;
      comment: string | null;
      ended_at: number | null;
    }[];
    const byCommand = new Map(rows.map((r) => [r.command, r]));
    assert.equal(byCommand.get('sleep 1; echo finished; exit 3')?.exit_status, 3);
    assert.equal(byCommand.get('sleep 1; echo finished; exit 3')?.comment, null);
    assert.equal(byCommand.get('sleep 60')?.comment, 'bastion_shutdown', 'not client_gone');
    for (const r of rows) assert.notEqual(r.ended_at, null, 'every session has its end recorded');
    const audit = sqliteOf(store).prepare("SELECT error_code, exit_status FROM audit WHERE kind = 'egress' ORDER BY id").all();
    assert.deepEqual(audit, [
      { error_code: 'OK', exit_status: 3 },
      { error_code: 'KO_BASTION_SHUTDOWN', exit_status: 117 },
    ]);
  } finally {
    store.close();
  }
});

test('SIGTERM with nothing in progress stops at once; a second signal cuts a drain short', async () => {
  const idle = await serve('idle', { bastionName: 'shutdowntest', shutdownDrainSeconds: 600 });
  idle.cli.child.kill('SIGTERM');
  assert.equal(await exited(idle.cli), 0);

  const busy = await serve('twice', { bastionName: 'shutdowntest', shutdownDrainSeconds: 600 });
  const long = sshCall(busy.port, 'shut', busy.keyFile, [HOST, '-p', String(busy.target.port), '--', 'sleep 60'], { timeoutMs: 60_000 });
  await waitFor('the egress session', () => count(busy.cli, 'egress session started') === 1, 20_000);
  busy.cli.child.kill('SIGTERM');
  await busy.cli.waitFor('stdout', /"msg":"shutting down: no new connection or call/);
  busy.cli.child.kill('SIGTERM');
  assert.equal(await exited(busy.cli), 0);
  assert.match((await long).stdout, /the bastion is shutting down/);
});

test('SIGHUP: bastion.conf is read again and logged; a refused file keeps the last good one; the server goes on', async () => {
  const b = await serve('hup', { bastionName: 'before' });
  const name = async (): Promise<string> => {
    const r = await sshCall(b.port, 'shut', b.keyFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return String(greppable(r.stdout).value.bastion_name);
  };
  assert.equal(await name(), 'before');

  writeConf(b.cwd, { bastionName: 'after' });
  b.cli.child.kill('SIGHUP');
  await b.cli.waitFor('stdout', /"msg":"configuration reloaded"/);
  assert.equal(await name(), 'after');
  assert.equal(b.cli.child.exitCode, null, 'still running');

  fs.writeFileSync(path.join(b.cwd, 'bastion.conf'), '{ "bastionName": "broken", \n');
  b.cli.child.kill('SIGHUP');
  await b.cli.waitFor('stdout', /"msg":"configuration file rejected, keeping the last good one"/);
  assert.equal(await name(), 'after');
  assert.equal(b.cli.child.exitCode, null, 'still running');
  assert.equal(await b.cli.stop(), 0);
});
