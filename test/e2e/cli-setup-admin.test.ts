// `gatehouse setup-admin`: creates an account with a key and makes it an admin in bastion.conf,
// also while a server runs on the same store (the server sees it on the next connection).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readConfigObject } from '../../src/config/parse.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { openStore } from '../../src/store/store.js';
import { greppable, sshCall } from '../helpers/clients.js';
import { freePort, runCli, startCli, type RunningCli } from '../helpers/cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-setup-'));
const running: RunningCli[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

let n = 0;
function keyFiles(type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): { pub: string; priv: string } {
  const pair = generateCheckedKeyPair(type, { bits: type === 'rsa' ? 2048 : 256, comment: `k${++n}` });
  const priv = path.join(root, `key${n}`);
  fs.writeFileSync(priv, pair.private, { mode: 0o600 });
  fs.writeFileSync(`${priv}.pub`, pair.public + '\n');
  return { pub: `${priv}.pub`, priv };
}

function workDir(name: string): string {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function accountsIn(dataDir: string): string[] {
  const store = openStore(path.join(dataDir, 'gatehouse.db'));
  try {
    return store.accounts.all().map((a) => a.name);
  } finally {
    store.close();
  }
}

test('creates the account and the config file when there is none', async () => {
  const cwd = workDir('nofile');
  const k = keyFiles();
  const r = await runCli(['setup-admin', '--account', 'alice', '--public-key-file', k.pub], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Account 'alice' created with key SHA256:\S+ and added to adminAccounts/);
  assert.deepEqual(accountsIn(path.join(cwd, 'data')), ['alice']);
  const text = fs.readFileSync(path.join(cwd, 'bastion.conf'), 'utf8');
  assert.match(text, /^#/m, 'the new file explains itself');
  assert.deepEqual(readConfigObject(text)['adminAccounts'], ['alice']);
});

test('--config and --data-dir elsewhere; comments and other keys kept; a second admin appended', async () => {
  const cwd = workDir('elsewhere');
  const conf = path.join(root, 'etc-bastion.conf');
  const data = path.join(root, 'var-data');
  fs.writeFileSync(
    conf,
    '# keep me\n{\n    "bastionName": "kept", # not a comment in JSON, but a # line below is\n# another comment\n    "adminAccounts": ["root-ish"]\n}\n'.replace(
      ', # not a comment in JSON, but a # line below is',
      ',',
    ),
  );
  const a = await runCli(['setup-admin', '--account', 'bob', '--public-key-file', keyFiles('ecdsa').pub, '--config', conf, '--data-dir', data], { cwd });
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(['setup-admin', '--account', 'carol', '--public-key-file', keyFiles('rsa').pub, '--config', conf, '--data-dir', data], { cwd });
  assert.equal(b.code, 0, b.stderr);
  const text = fs.readFileSync(conf, 'utf8');
  assert.ok(text.includes('# keep me') && text.includes('# another comment'));
  const obj = readConfigObject(text);
  assert.equal(obj['bastionName'], 'kept');
  assert.deepEqual(obj['adminAccounts'], ['root-ish', 'bob', 'carol']);
  assert.deepEqual(accountsIn(data), ['bob', 'carol']);
  assert.equal(fs.existsSync(path.join(cwd, 'data')), false, 'nothing written in the working directory');
});

test('works while a server runs on the same store: the next connection sees the new admin', async () => {
  const cwd = workDir('live');
  const port = await freePort();
  const srv = startCli(['serve', '--listen', `127.0.0.1:${port}`], { cwd, env: { HOME: cwd } });
  running.push(srv);
  await srv.waitFor('stdout', /"msg":"listening"/);
  const k = keyFiles();
  const before = await sshCall(port, 'dave', k.priv, ['--osh', 'info', '--json-greppable']);
  assert.equal(before.code, 255, 'not an account yet');
  const r = await runCli(['setup-admin', '--account', 'dave', '--public-key-file', k.pub], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const after = await sshCall(port, 'dave', k.priv, ['--osh', 'info', '--json-greppable']);
  assert.equal(after.code, 0, after.stderr);
  const env = greppable(after.stdout);
  assert.equal(env.value.account, 'dave');
  assert.equal(env.value.is_admin, 1, 'the running server re-read bastion.conf');
  // And the admin can use admin-only power at once.
  const list = await sshCall(port, 'dave', k.priv, ['--osh', 'accountList', '--json-greppable']);
  assert.equal(list.code, 0, list.stdout);
  assert.equal(await srv.stop(), 0);
});

test('refusals: exit status and a message, nothing written', async () => {
  const cwd = workDir('refusals');
  const k = keyFiles();
  const usage = await runCli(['setup-admin', '--public-key-file', k.pub], { cwd });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /setup-admin needs --account NAME/);
  const nokey = await runCli(['setup-admin', '--account', 'eve'], { cwd });
  assert.equal(nokey.code, 2);
  assert.match(nokey.stderr, /--public-key-file FILE/);
  const missing = await runCli(['setup-admin', '--account', 'eve', '--public-key-file', path.join(root, 'nope.pub')], { cwd });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /can't read/);
  const badName = await runCli(['setup-admin', '--account', 'root', '--public-key-file', k.pub], { cwd });
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /KO_FORBIDDEN_NAME/);
  const priv = await runCli(['setup-admin', '--account', 'eve', '--public-key-file', k.priv], { cwd });
  assert.equal(priv.code, 1);
  assert.match(priv.stderr, /KO_PRIVATE_KEY/);
  const notKey = path.join(root, 'garbage.pub');
  fs.writeFileSync(notKey, 'hello\n');
  const garbage = await runCli(['setup-admin', '--account', 'eve', '--public-key-file', notKey], { cwd });
  assert.equal(garbage.code, 1);
  assert.match(garbage.stderr, /KO_NOT_A_KEY/);
  assert.equal(fs.existsSync(path.join(cwd, 'bastion.conf')), false);
  const ok = await runCli(['setup-admin', '--account', 'eve', '--public-key-file', k.pub], { cwd });
  assert.equal(ok.code, 0);
  const dup = await runCli(['setup-admin', '--account', 'eve', '--public-key-file', keyFiles().pub], { cwd });
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /KO_ALREADY_EXISTING/);
  assert.deepEqual(accountsIn(path.join(cwd, 'data')), ['eve']);
});

test('the CLI itself: help, unknown commands and stray arguments', async () => {
  const cwd = workDir('cli');
  const help = await runCli(['--help'], { cwd });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /gatehouse serve/);
  assert.match(help.stdout, /gatehouse setup-admin --account NAME --public-key-file FILE/);
  const unknown = await runCli(['frobnicate'], { cwd });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const stray = await runCli(['serve', 'extra'], { cwd });
  assert.equal(stray.code, 2);
  const badListen = await runCli(['serve', '--listen', 'nonsense'], { cwd });
  assert.notEqual(badListen.code, 0);
  assert.match(badListen.stderr, /nonsense/);
});
