// One SSH connection can carry many calls (OpenSSH ControlMaster does this): each call must see the
// account as it is now, not as it was at login.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
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

test('a freeze and a deletion reach calls made on a connection opened before them', async () => {
  const frank = srv.addAccount('frank');
  const c = await connect(frank.name, frank.key.privateKey);
  try {
    const first = await exec(c, '--json-greppable --osh info');
    assert.equal(first.code, 0);

    const freeze = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'accountFreeze', '--account', frank.name]);
    assert.equal(greppable(freeze.stdout).error_code, 'OK');
    const frozen = await exec(c, '--json-greppable --osh info');
    assert.equal(frozen.code, 131);
    assert.equal(greppable(frozen.out).error_code, 'KO_ACCOUNT_FROZEN');

    const del = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', 'accountDelete', '--account', frank.name, '--no-confirm']);
    assert.equal(greppable(del.stdout).error_code, 'OK');
    const gone = await exec(c, '--json-greppable --osh info');
    assert.equal(gone.code, 120);
    assert.equal(greppable(gone.out).error_code, 'KO_ACCOUNT_INVALID');
  } finally {
    c.end();
  }
});
