// `gatehouse serve [--bootstrap-admin]` as an operator runs it (npm start): a child process in an
// empty directory with its own HOME; the ssh line it prints is then run with the real client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkAccountName } from '../../src/policy/accountName.js';
import { readConfigObject } from '../../src/config/parse.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { openStore } from '../../src/store/store.js';
import { bash, greppable, framed } from '../helpers/clients.js';
import { freePort, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import Database from 'better-sqlite3';
import { LATEST_VERSION } from '../../src/store/db.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
const running: RunningCli[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

// Who the bootstrap admin will be: the OS user when that is a valid account name, else admin.
const osUser = os.userInfo().username;
const expectedAdmin = checkAccountName(osUser).code === 'OK' ? osUser : 'admin';

// The printed line with only what a test needs added: no known_hosts, no agent, no prompts.
const TEST_SSH = 'ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o IdentityAgent=none';

function dirs(name: string): { cwd: string; home: string } {
  const cwd = path.join(root, name, 'work');
  const home = path.join(root, name, 'home');
  fs.mkdirSync(cwd, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  return { cwd, home };
}

async function serve(cwd: string, home: string, extra: string[] = []): Promise<{ cli: RunningCli; port: number }> {
  const port = await freePort();
  const cli = startCli(['serve', '--listen', `127.0.0.1:${port}`, ...extra], { cwd, env: { HOME: home } });
  running.push(cli);
  await cli.waitFor('stdout', /"msg":"listening"/);
  return { cli, port };
}

function storeAccounts(cwd: string): { name: string; type: string }[] {
  const store = openStore(path.join(cwd, 'data', 'gatehouse.db'));
  try {
    return store.accounts.all().map((a) => ({ name: a.name, type: store.ingressKeys.forAccount(a.id)[0]?.type ?? '' }));
  } finally {
    store.close();
  }
}

test('first start without a key in ~/.ssh: host keys, a store, a generated admin key and an ssh line that works', async () => {
  const { cwd, home } = dirs('fresh');
  fs.writeFileSync(path.join(cwd, 'bastion.conf'), '# operator notes\n{\n  # the name\n  "bastionName": "clitest"\n}\n');
  const { cli, port } = await serve(cwd, home, ['--bootstrap-admin']);
  const line = (await cli.waitFor('stderr', /^ {2}(ssh .*)$/m))[1] as string;
  const key = path.join(cwd, 'data', 'admin_ed25519');
  assert.equal(line, `ssh -i ${key} -p ${port} ${expectedAdmin}@127.0.0.1 -- --osh info --json-pretty`);
  assert.equal(fs.statSync(key).mode & 0o777, 0o600);

  // ./hostkeys: ed25519 and ECDSA, private halves 0600, fingerprints in the log as ssh-keygen says.
  const logs = cli.logs();
  for (const [file, type] of [
    ['ssh_host_ed25519_key', 'ssh-ed25519'],
    ['ssh_host_ecdsa_key', 'ecdsa-sha2-nistp256'],
  ] as const) {
    const full = path.join(cwd, 'hostkeys', file);
    assert.equal(fs.statSync(full).mode & 0o777, 0o600, file);
    const fp = execFileSync('ssh-keygen', ['-l', '-f', `${full}.pub`], { encoding: 'utf8' }).split(' ')[1];
    assert.ok(
      logs.some((l) => l['msg'] === 'host key' && l['type'] === type && l['fingerprint'] === fp),
      `${type} fingerprint ${fp} logged`,
    );
  }
  assert.ok(fs.existsSync(path.join(cwd, 'data', 'gatehouse.db')));
  assert.ok(logs.some((l) => l['msg'] === 'listening' && l['port'] === port && l['address'] === '127.0.0.1'));

  // The line, as printed, logs in; ./bastion.conf was read (the name) and now lists the admin.
  const r = await bash(line.replace(/^ssh /, `${TEST_SSH} `));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = framed(r.stdout);
  assert.equal(env.value.account, expectedAdmin);
  assert.equal(env.value.is_admin, 1);
  assert.equal(env.value.bastion_name, 'clitest');
  const conf = fs.readFileSync(path.join(cwd, 'bastion.conf'), 'utf8');
  assert.ok(conf.includes('# operator notes') && conf.includes('# the name'), 'comments kept');
  assert.deepEqual(readConfigObject(conf)['adminAccounts'], [expectedAdmin]);
  // Like any account accountCreate makes, the first admin has its personal egress key at once
  // (the default: ecdsa-521), so it can reach servers that trust it without another step.
  const keys = await bash(line.replace(/^ssh /, `${TEST_SSH} `).replace('--osh info --json-pretty', '--osh selfListEgressKeys --json-greppable'));
  const egress = Object.values(greppable(keys.stdout).value) as { family: string; size: number }[];
  assert.deepEqual(
    egress.map((k) => [k.family, k.size]),
    [['ECDSA', 521]],
  );

  assert.equal(await cli.stop(), 0, 'SIGTERM stops it cleanly');
  // A second start finds an account and creates nothing, with or without the flag.
  const again = await serve(cwd, home, ['--bootstrap-admin']);
  await again.cli.waitFor('stdout', /"msg":"listening"/);
  assert.equal(again.cli.stderr().includes('ssh '), false);
  const second = await bash(line.replace(/^ssh /, `${TEST_SSH} `).replace(`-p ${port}`, `-p ${again.port}`));
  assert.equal(second.code, 0, 'same host keys, same admin');
  assert.equal(await again.cli.stop(), 0);
  assert.deepEqual(
    storeAccounts(cwd).map((a) => a.name),
    [expectedAdmin],
  );
});

test('first start with ~/.ssh/id_ed25519.pub: the admin gets that key, the line needs no -i', async () => {
  const { cwd, home } = dirs('withkey');
  const pair = generateCheckedKeyPair('ed25519', { comment: 'me@laptop' });
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), pair.private, { mode: 0o600 });
  fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519.pub'), pair.public + '\n');
  const { cli, port } = await serve(cwd, home, ['--bootstrap-admin']);
  const line = (await cli.waitFor('stderr', /^ {2}(ssh .*)$/m))[1] as string;
  assert.equal(line, `ssh -p ${port} ${expectedAdmin}@127.0.0.1 -- --osh info --json-pretty`);
  assert.match(cli.stderr(), new RegExp(`with the key ${path.join(home, '.ssh', 'id_ed25519.pub').replace(/[.]/g, '\\.')}`));
  assert.equal(fs.existsSync(path.join(cwd, 'data', 'admin_ed25519')), false, 'no key generated');
  // OpenSSH finds ~/.ssh from the password database, not $HOME: name the same key explicitly.
  const r = await bash(line.replace(/^ssh /, `${TEST_SSH} -i ${path.join(home, '.ssh', 'id_ed25519')} `));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(framed(r.stdout).value.account, expectedAdmin);
  // No bastion.conf was there: it was created with the admin in it.
  assert.deepEqual(readConfigObject(fs.readFileSync(path.join(cwd, 'bastion.conf'), 'utf8'))['adminAccounts'], [expectedAdmin]);
  await cli.stop();
});

test('with only ECDSA and RSA keys in ~/.ssh, ECDSA is preferred', async () => {
  const { cwd, home } = dirs('ecdsa');
  fs.mkdirSync(path.join(home, '.ssh'));
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa.pub'), generateCheckedKeyPair('rsa', { bits: 2048 }).public + '\n');
  fs.writeFileSync(path.join(home, '.ssh', 'id_ecdsa.pub'), generateCheckedKeyPair('ecdsa').public + '\n');
  const { cli } = await serve(cwd, home, ['--bootstrap-admin']);
  await cli.waitFor('stderr', /^ {2}ssh /m);
  await cli.stop();
  assert.deepEqual(storeAccounts(cwd), [{ name: expectedAdmin, type: 'ecdsa-sha2-nistp256' }]);
});

test('without --bootstrap-admin no account is created and no line is printed', async () => {
  const { cwd, home } = dirs('plain');
  const { cli } = await serve(cwd, home);
  assert.equal(await cli.stop(), 0);
  assert.equal(cli.stderr(), '');
  assert.deepEqual(storeAccounts(cwd), []);
  assert.equal(fs.existsSync(path.join(cwd, 'bastion.conf')), false);
  assert.ok(fs.existsSync(path.join(cwd, 'hostkeys', 'ssh_host_ed25519_key')));
});

test('a store newer than this Gatehouse stops the start with a clear message', async () => {
  const { cwd, home } = dirs('future');
  openStore(path.join(cwd, 'data', 'gatehouse.db')).close();
  const db = new Database(path.join(cwd, 'data', 'gatehouse.db'));
  db.pragma(`user_version = ${LATEST_VERSION + 1000}`);
  db.close();
  const r = await runCli(['serve', '--listen', `127.0.0.1:${await freePort()}`], { cwd, env: { HOME: home } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /newer than this Gatehouse knows/);
});

test('npm start is build + serve --bootstrap-admin, and the default listen address is 127.0.0.1:2222', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['start'], 'node dist/src/cli/cli.js serve --bootstrap-admin');
  assert.equal(pkg.scripts['prestart'], 'npm run build');
  const { validateConfig } = await import('../../src/config/parse.js');
  const c = validateConfig({}).config;
  assert.deepEqual(c.listen, ['127.0.0.1:2222']);
  assert.equal(c.dataDir, './data');
  assert.equal(c.hostKeysDir, './hostkeys');
});
