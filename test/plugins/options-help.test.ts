// When the plugin's --help comes with a refusal of its options, as The Bastion's plugins do it:
// for options it couldn't read or that are missing, not for a refused value or two options that
// can't go together (those answer with the refusal alone).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

const HELP = /--account ACCOUNT/;

test('unreadable or missing options: the refusal comes after the help', async () => {
  const unknown = await oshInProcess(srv, srv.admin, ['--osh', 'accountAddPersonalAccess', '--no-such-option']);
  assert.equal(unknown.env.error_code, 'ERR_BAD_OPTIONS');
  assert.match(unknown.stdout, HELP);
  const missing = await oshInProcess(srv, srv.admin, ['--osh', 'accountAddPersonalAccess', '--host', '127.0.0.1', '--user', 'u', '--port', '22']);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
  assert.match(missing.stdout, HELP);
});

test('a value refused or options in conflict: the refusal alone', async () => {
  const conflict = await oshInProcess(srv, srv.admin, [
    '--osh',
    'accountAddPersonalAccess',
    '--account',
    'admin',
    '--host',
    '127.0.0.1',
    '--user',
    'u',
    '--port',
    '22',
    '--force-key',
    'SHA256:x',
    '--force-password',
    '$1$x',
  ]);
  assert.equal(conflict.env.error_code, 'ERR_INCOMPATIBLE_PARAMETERS');
  assert.doesNotMatch(conflict.stdout, HELP);
  assert.equal(conflict.exit, 100);
});
