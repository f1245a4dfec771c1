// One SSH connection can carry many calls (OpenSSH ControlMaster does this): each call must see the
// account as it is now, not as it was at login.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { greppable } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';
const { Client } = ssh2;

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

function connect(account: string, privateKey: string): Promise<InstanceType<typeof Client>> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => resolve(c));
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port: srv.port, username: account, privateKey });
  });
}

function exec(c: InstanceType<typeof Client>, command: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    c.exec(command, (err, ch) => {
      if (err) return reject(err);
      let out = '';
      let code: number | null = null;
      ch.on('data', (d: Buffer) => (out += d.toString()));
      ch.stderr.on('data', () => {});
      ch.on('exit', (c2: number | null) => (code = c2));
      ch.on('close', () => resolve({ code, out }));
      ch.end();
    });
  });
}

// The account is changed straight in the store here (as another process sharing it could), so
// that nothing closes the connection: each call must still find out by itself. (accountFreeze and
// accountDelete also close the connection: test/e2e/security-identity.test.ts.)
test('a freeze and a deletion reach calls made on a connection opened before them', async () => {
  const frank = srv.addAccount('frank');
  const c = await connect(frank.name, frank.key.privateKey);
  try {
    const first = await exec(c, '--json-greppable --osh info');
    assert.equal(first.code, 0);

    srv.gh.store.accounts.setFrozen(frank.id, { at: Math.floor(Date.now() / 1000), by: 'admin', reason: null });
    const frozen = await exec(c, '--json-greppable --osh info');
    assert.equal(frozen.code, 131);
    assert.equal(greppable(frozen.out).error_code, 'KO_ACCOUNT_FROZEN');

    srv.gh.store.accounts.remove(frank.id);
    const gone = await exec(c, '--json-greppable --osh info');
    assert.equal(gone.code, 120);
    assert.equal(greppable(gone.out).error_code, 'KO_ACCOUNT_INVALID');
  } finally {
    c.end();
  }
});

test('a connection is bound to the account it logged in as: another account under the same id is not it', async () => {
  const gina = srv.addAccount('gina');
  const c = await connect(gina.name, gina.key.privateKey);
  try {
    assert.equal((await exec(c, '--json-greppable --osh info')).code, 0);
    // The attack before migration 50: gina deleted, a new account given her id (forced here by
    // hand, as the store no longer does it), with admin rights. Her connection must not be it.
    const store = srv.gh.store;
    store.tx(() => {
      store.accounts.remove(gina.id);
      sqliteOf(store).prepare("INSERT INTO accounts (id, name, created_at, created_by) VALUES (?, 'admin2', 0, 'test')").run(gina.id);
    });
    const r = await exec(c, '--json-greppable --osh info');
    assert.equal(r.code, 120);
    assert.equal(greppable(r.out).error_code, 'KO_ACCOUNT_INVALID');
    assert.match(r.out, /Sorry gina, your account no longer exists/);
  } finally {
    c.end();
  }
});
