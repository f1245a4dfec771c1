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

test('the admin runs info over OpenSSH and gets a greppable envelope', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--json-greppable']);
  assert.equal(r.code, 0, r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.command, 'info');
  assert.equal(env.error_code, 'OK');
  assert.equal(env.value.account, 'admin');
  assert.equal(env.value.is_admin, 1);
});
