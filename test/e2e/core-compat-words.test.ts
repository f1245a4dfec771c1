// Two habits of The Bastion's callers that must keep working: an ingress key quoted once in the
// local shell (OpenSSH sends it as several words), and the plugins' old names.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

test('accountCreate --public-key quoted once: the key words are glued back together', async () => {
  const key = srv.newKey('ed25519', 'robot@ci');
  // One argv word per key part, exactly what `ssh … -- --public-key "ssh-ed25519 AAAA… robot@ci"` sends.
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, [
    '--json-greppable',
    '--osh',
    'accountCreate',
    '--account',
    'robot1',
    '--uid-auto',
    '--public-key',
    key.publicLine,
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'OK');
  const info = await sshCall(srv.port, 'robot1', key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(info.code, 0);
  assert.equal(greppable(info.stdout).value.account, 'robot1');
});

test('stray words are still refused where no option glues them', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'accountInfo', '--account', 'admin', 'extra']);
  assert.equal(r.code, 100);
  assert.equal(greppable(r.stdout).error_code, 'ERR_BAD_OPTIONS');
});

test('old plugin names are answered by the new plugin', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'selfListKeys']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.command, 'selfListIngressKeys');
  assert.equal(env.error_code, 'OK');
  const hello = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'helloWorld']);
  assert.equal(greppable(hello.stdout).command, 'info');
});
