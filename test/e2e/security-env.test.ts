// The client's environment (OpenSSH SetEnv) through the bastion to a real sshd target that
// accepts LANG and LC_* like The Bastion's: a forged LC_BASTION never reaches the target (it sees
// the account that logged in), and only a bounded number of short LANG/LC_* variables do.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, sshdAvailable, startSshd, type SshdTarget } from '../helpers/targets.js';
import { logLines } from '../helpers/wait.js';

const HOST = '127.0.0.23';
let srv: TestServer;
let sshd: SshdTarget;
let alice: { name: string; key: { privateFile: string }; id: number };

before(async () => {
  assert.ok(sshdAvailable(), 'these tests need /usr/sbin/sshd');
  srv = await startTestServer();
  const a = addEgressAccount(srv, 'alice');
  alice = a;
  sshd = await startSshd(HOST, [a.egress.publicLine]);
  grantPersonal(srv.gh.store, a.id, { ip: HOST, user: 'root' });
});
after(async () => {
  await sshd.close();
  await srv.close();
});

/** The target's environment as `env` prints it, for a session opened with these SetEnv words. */
async function remoteEnv(setEnv: string): Promise<Map<string, string>> {
  const r = await sshCall(srv.port, alice.name, alice.key.privateFile, ['-q', `root@${HOST}`, '-p', String(sshd.port), '--', 'env'], {
    sshOptions: ['-o', `SetEnv=${setEnv}`],
  });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${sshd.log()}`);
  const env = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}

test('a forged LC_BASTION from the client never reaches the target: it sees the account that logged in', async () => {
  const env = await remoteEnv('LC_BASTION=admin LC_BASTION_DETAILS=forged LANG=C.UTF-8 LC_PAPER=en_GB.UTF-8 TERM_PROGRAM=evil');
  assert.equal(env.get('LC_BASTION'), 'alice');
  assert.equal(env.has('LC_BASTION_DETAILS'), false);
  assert.equal(env.get('LANG'), 'C.UTF-8');
  assert.equal(env.get('LC_PAPER'), 'en_GB.UTF-8');
  assert.equal(env.has('TERM_PROGRAM'), false);
  // Three refusals in that session: the first logged with its reason, then one count.
  const first = logLines(srv.logs, 'client environment variable refused', { account: 'alice', name: 'LC_BASTION' });
  assert.equal(first.length, 1);
  assert.equal(first[0]?.['why'], 'reserved-name');
  assert.equal(logLines(srv.logs, 'client environment variables refused', { account: 'alice', refused: 3 }).length, 1);
});

test('too many variables, or too large a value, are refused: only the first 16 short ones arrive', async () => {
  const many = Array.from({ length: 24 }, (_, i) => `LC_V${String(i).padStart(2, '0')}=v${i}`);
  const env = await remoteEnv([`LC_BIG=${'x'.repeat(300)}`, ...many].join(' '));
  assert.equal(env.has('LC_BIG'), false);
  const arrived = [...env.keys()].filter((k) => k.startsWith('LC_V')).sort();
  assert.deepEqual(
    arrived,
    many.slice(0, 16).map((w) => w.split('=')[0]),
  );
  assert.equal(env.get('LC_V00'), 'v0');
  assert.equal(env.get('LC_BASTION'), 'alice');
  const big = logLines(srv.logs, 'client environment variable refused', { name: 'LC_BIG' });
  assert.equal(big.length, 1);
  assert.equal(big[0]?.['why'], 'value-too-long');
  assert.equal(logLines(srv.logs, 'client environment variables refused', { refused: 9 }).length, 1);
});
