// Habits of The Bastion's callers that must keep working, through the dispatcher in-process: stray
// words are still refused where no option glues them, and the plugins' old names are answered by
// the new ones. The ingress key quoted once in the local shell (OpenSSH sends it as several words,
// then the account logs in with it) is in test/e2e/core-compat-words.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

test('stray words are still refused where no option glues them', async () => {
  const r = await callInProcess(srv, 'admin', ['--json-greppable', '--osh', 'accountInfo', '--account', 'admin', 'extra']);
  assert.equal(r.code, 100);
  assert.equal(greppable(r.stdout).error_code, 'ERR_BAD_OPTIONS');
});

test('old plugin names are answered by the new plugin', async () => {
  const r = await callInProcess(srv, 'admin', ['--json-greppable', '--osh', 'selfListKeys']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.command, 'selfListIngressKeys');
  assert.equal(env.error_code, 'OK');
  const hello = await callInProcess(srv, 'admin', ['--json-greppable', '--osh', 'helloWorld']);
  assert.equal(greppable(hello.stdout).command, 'info');
});
