// Freezing an account ends the sessions it already has open through the bastion, as The
// Bastion's accountFreeze does: not only the calls it will make next.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';
import { sqliteOf } from '../../src/store/inspect.js';

const HOST = '127.0.0.43';
let srv: TestServer;
let target: Ssh2Target;
let erin: { name: string; key: { privateFile: string } };

before(async () => {
  srv = await startTestServer();
  const e = addEgressAccount(srv, 'erin');
  erin = e;
  target = await startSsh2Target(HOST, [e.egress.publicLine]);
  grantPersonal(srv.gh.store, e.id, { ip: HOST });
});
after(async () => {
  await target.close();
  await srv.close();
});

test('accountFreeze ends the open sessions of the account (exit 131), and says how many', async () => {
  const started = Date.now();
  const session = sshCall(srv.port, erin.name, erin.key.privateFile, ['--json-greppable', HOST, '-p', String(target.port), '--', 'sleep 20'], { timeoutMs: 15_000 });
  // Wait until the bastion is connected to the target for erin.
  for (let i = 0; i < 200 && !srv.logs.some((l) => l['msg'] === 'egress session started'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const freeze = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'accountFreeze', '--account', erin.name, '--reason', 'left']);
  assert.equal(freeze.code, 0, freeze.stdout + freeze.stderr);
  assert.equal(greppable(freeze.stdout).error_code, 'OK');
  assert.match(freeze.stdout, /1 session terminated/);

  const r = await session;
  assert.equal(r.code, 131, r.stdout + r.stderr);
  assert.ok(Date.now() - started < 10_000, 'ended by the freeze, not by the command');
  assert.match(r.stdout, /your session was terminated \(account frozen\)/);
  const row = sqliteOf(srv.gh.store).prepare('SELECT comment FROM sessions ORDER BY rowid DESC LIMIT 1').get() as { comment: string };
  assert.equal(row.comment, 'account_frozen');

  // Nothing left to end: a second freeze changes nothing, and the account's next call is refused.
  const again = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'accountFreeze', '--account', erin.name]);
  assert.equal(greppable(again.stdout).error_code, 'OK_NO_CHANGE');
  const next = await sshCall(srv.port, erin.name, erin.key.privateFile, ['--json-greppable', HOST, '-p', String(target.port), '--', 'true']);
  assert.equal(next.code, 131);
});
