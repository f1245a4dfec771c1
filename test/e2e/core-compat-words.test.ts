// A habit of The Bastion's callers that must keep working: an ingress key quoted once in the local
// shell, which OpenSSH sends as several words, is glued back together, and the account logs in
// with it. The plugins' old names and the stray words still refused are in-process, in
// test/plugins/core-compat-words.test.ts.
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
