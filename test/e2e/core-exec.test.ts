// The call pipeline over real SSH: what the exec string asks for, the envelope's command and
// error_code, and the exit status OpenSSH reports, for every path that does not reach a target.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall, ssh2Exec, type CallResult } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let user: { name: string; key: { privateFile: string; privateKey: string } };
before(async () => {
  srv = await startTestServer();
  user = srv.addAccount('plainuser');
});
after(async () => {
  await srv.close();
});

const admin = (args: string[], opts: { stdin?: string } = {}): Promise<CallResult> => sshCall(srv.port, 'admin', srv.admin.key.privateFile, args, opts);
const asUser = (args: string[]): Promise<CallResult> => sshCall(srv.port, user.name, user.key.privateFile, args);

function expectEnvelope(r: CallResult, exit: number, command: string | null, code: string): ReturnType<typeof greppable> {
  assert.equal(r.code, exit, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const env = greppable(r.stdout);
  assert.equal(env.command, command);
  assert.equal(env.error_code, code);
  assert.equal(typeof env.error_message, 'string');
  assert.deepEqual(Object.keys(env), ['command', 'error_code', 'error_message', 'value']);
  return env;
}

test('an OK plugin call exits 0 with the plugin named in the envelope', async () => {
  const env = expectEnvelope(await admin(['--osh', 'info', '--json-greppable']), 0, 'info', 'OK');
  assert.equal(env.value.account, 'admin');
  assert.equal(env.error_message, 'OK');
});

test('-osh NAME works like --osh NAME, bastion options before or after it', async () => {
  expectEnvelope(await admin(['-osh', 'info', '--json-greppable']), 0, 'info', 'OK');
  expectEnvelope(await admin(['--json-greppable', '--osh', 'info']), 0, 'info', 'OK');
  expectEnvelope(await admin(['--osh=info', '--json-greppable']), 0, 'info', 'OK');
});

test('no command at all: KO_NO_HOST, exit 112, command null, the usage on stdout and the reason on stderr', async () => {
  const r = await admin(['--json-greppable']);
  const env = expectEnvelope(r, 112, null, 'KO_NO_HOST');
  assert.equal(env.value, null);
  assert.match(r.stdout, /Usage: ssh admin@testbastion/);
  assert.match(r.stderr, /~ \[!\] No osh command specified and no host to connect to/);
  // An empty exec string (ssh2 sends one; OpenSSH would ask for a shell instead).
  const empty = await ssh2Exec(srv.port, 'admin', srv.admin.key.privateKey, '');
  assert.equal(empty.code, 112);
});

test('--osh alone, -osh alone and --osh help: the help plugin, OK, value null', async () => {
  for (const args of [['--osh'], ['-osh'], ['--osh', 'help'], ['--json-greppable', '--osh']]) {
    const r = await admin([...args, '--json-greppable']);
    const env = expectEnvelope(r, 0, 'help', 'OK');
    assert.equal(env.value, null);
    assert.match(r.stdout, /info/, 'the help lists the plugins');
  }
});

test('an unknown plugin: KO_UNKNOWN_COMMAND, exit 104, command null', async () => {
  const r = await admin(['--osh', 'noSuchPlugin', '--json-greppable']);
  const env = expectEnvelope(r, 104, null, 'KO_UNKNOWN_COMMAND');
  assert.equal(env.value, null);
  assert.match(env.error_message, /noSuchPlugin/);
  // Names are case-sensitive, as The Bastion's plugin files are.
  expectEnvelope(await admin(['--osh', 'INFO', '--json-greppable']), 104, null, 'KO_UNKNOWN_COMMAND');
});

test('a restricted plugin without the grant: KO_RESTRICTED_COMMAND, exit 106, command null, nothing parsed', async () => {
  // Even with options that would not parse: the category is checked first.
  for (const args of [
    ['--osh', 'accountCreate', '--account', 'x', '--uid', '5000'],
    ['--osh', 'accountCreate', '--bogus'],
  ]) {
    const r = await asUser([...args, '--json-greppable']);
    const env = expectEnvelope(r, 106, null, 'KO_RESTRICTED_COMMAND');
    assert.equal(env.value, null);
    assert.match(r.stderr, /restricted/);
  }
  assert.equal(srv.gh.store.accounts.byName('x'), undefined);
});

test('--ssh-as is refused to everyone, admins included: KO_SSHAS_DENIED, exit 106, nothing run or dialled', async () => {
  expectEnvelope(await asUser(['--json-greppable', '--ssh-as', 'admin', 'root@127.0.0.1']), 106, null, 'KO_SSHAS_DENIED');
  expectEnvelope(await admin(['--json-greppable', '--ssh-as', user.name, 'root@127.0.0.1']), 106, null, 'KO_SSHAS_DENIED');
  expectEnvelope(await admin(['--json-greppable', '--ssh-as', user.name, '--osh', 'info']), 106, null, 'KO_SSHAS_DENIED');
});

test("plugin option errors are the plugin's: command named, exit 100, help printed", async () => {
  const r = await admin(['--osh', 'info', '--bogus', '--json-greppable']);
  const env = expectEnvelope(r, 100, 'info', 'ERR_BAD_OPTIONS');
  assert.match(env.error_message, /unknown option --bogus/);
  assert.match(r.stdout, /~ \[!\] Error parsing options/);
  assert.match(r.stdout, /Usage: --osh info/);
});

test('--help with no plugin: the usage, OK, exit 0; --osh NAME --help: the plugin help', async () => {
  const r = await admin(['--help', '--json-greppable']);
  const env = expectEnvelope(r, 0, null, 'OK');
  assert.match(r.stdout, /Usage: ssh admin@/);
  assert.equal(env.value, null);
  const p = await admin(['--osh', 'info', '--help', '--json-greppable']);
  expectEnvelope(p, 0, 'info', 'OK');
  assert.match(p.stdout, /Usage: --osh info/);
});

test('a request that cannot be split: KO_GETOPTS_FAILED, exit 111, command null', async () => {
  const r = await admin(['--osh', 'info', '--json-greppable', "'unterminated"]);
  const env = expectEnvelope(r, 111, null, 'KO_GETOPTS_FAILED');
  assert.match(env.error_message, /single quote/);
});

test('quoting survives the trip: a value with spaces quoted twice arrives as one word', async () => {
  // Without the inner quotes the value is two words and info refuses the stray one.
  const loose = await admin(['--osh', 'info', '--json-greppable', 'two words']);
  assert.match(greppable(loose.stdout).error_message, /unexpected argument 'two'/);
  const quoted = await admin(['--osh', 'info', '--json-greppable', '"two words"']);
  assert.match(greppable(quoted.stdout).error_message, /unexpected argument 'two words'/);
});

test('with no --json flag there is no envelope, only text', async () => {
  const r = await admin(['--osh', 'info']);
  assert.equal(r.code, 0);
  assert.equal(/JSON_(START|OUTPUT|END)/.test(r.stdout), false);
  assert.match(r.stdout, /=> information/);
  assert.match(r.stdout, /<\/info>---\n$/);
});
