// Personal egress keys through the dispatcher: selfGenerateEgressKey, selfListEgressKeys,
// accountListEgressKeys. The value shapes are The Bastion's (a hash keyed by fingerprint for
// listings); the private half is stored sealed and never appears in an answer or a log line.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { loadKeyring } from '../../src/services/keyring.js';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
const { utils } = ssh2;

let srv: TestServer;
let bob: { name: string };
before(async () => {
  srv = await startTestServer({ config: { egressKeysFrom: ['192.0.2.10', '198.51.100.0/24'] } });
  bob = srv.addAccount('bob');
});
after(async () => {
  await srv.close();
});

async function call(who: { name: string }, args: string[]): Promise<{ code: number | null; env: Envelope; stdout: string; stderr: string }> {
  const r = await oshInProcess(srv, who, args);
  return { code: r.exit, env: r.env, stdout: r.stdout, stderr: r.stderr };
}
// The server's keyring, read from its data directory as the server itself does.
const keyring = () => loadKeyring(path.join(srv.dir, 'data'));
const bobId = (): number => srv.gh.store.accounts.byName('bob')?.id ?? -1;
const FROM = 'from="192.0.2.10,198.51.100.0/24"';

test('selfGenerateEgressKey makes an ed25519 pair: public half shown, private half sealed in the store', async () => {
  const r = await call(bob, ['--osh', 'selfGenerateEgressKey', '--algo', 'ed25519']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.env.command, 'selfGenerateEgressKey');
  assert.equal(r.env.error_code, 'OK');
  const v = r.env.value;
  assert.equal(v.typecode, 'ssh-ed25519');
  assert.equal(v.family, 'ED25519');
  assert.equal(v.size, 256);
  assert.equal(v.prefix, FROM);
  assert.deepEqual(v.fromList, []);
  assert.match(v.comment, /^bob@testbastion:\d+$/);
  assert.equal(v.line, `ssh-ed25519 ${v.base64} ${v.comment}`);
  assert.match(v.id, /^id[0-9a-f]{8}$/);
  assert.equal(typeof v.mtime, 'number');
  assert.match(r.stdout, /keyline/);
  assert.ok(r.stdout.includes(`${FROM} ${v.line}`), 'the line to copy carries the from= part');

  const sealed = srv.gh.store.egressKeys.sealedForAccount(bobId());
  assert.equal(sealed.length, 1);
  const row = sealed[0];
  assert.ok(row);
  assert.equal(row.fingerprint, v.fingerprint);
  assert.equal(row.private_sealed.includes(Buffer.from('PRIVATE KEY')), false, 'stored sealed, not in clear');
  // The sealed half opens (with the server's keyring) to the private key of that very public key.
  const priv = utils.parseKey(keyring().open(row.private_sealed).toString('utf8'));
  assert.ok(!(priv instanceof Error) && !Array.isArray(priv));
  const blob = priv.getPublicSSH();
  assert.equal('SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, ''), v.fingerprint);
  assert.equal(blob.toString('base64'), v.base64);
});

test('ecdsa and rsa pairs follow the size rules of the egress policy', async () => {
  const ec = await call(bob, ['--osh', 'selfGenerateEgressKey', '--algo', 'ecdsa', '--size', '384']);
  assert.equal(ec.code, 0, ec.stderr);
  assert.equal(ec.env.value.typecode, 'ecdsa-sha2-nistp384');
  assert.equal(ec.env.value.size, 384);
  const rsa = await call(bob, ['--osh', 'selfGenerateEgressKey', '--algo', 'rsa', '--size', '2048']);
  assert.equal(rsa.code, 0, rsa.stderr);
  assert.equal(rsa.env.value.family, 'RSA');
  assert.equal(rsa.env.value.size, 2048);
  const refusals: [string[], string][] = [
    [['--algo', 'ecdsa', '--size', '300'], 'KO_KEY_SIZE_INVALID'],
    [['--algo', 'rsa', '--size', '1024'], 'KO_KEY_SIZE_TOO_SMALL'],
    [['--algo', 'rsa', '--size', '16384'], 'KO_KEY_SIZE_TOO_BIG'],
    [['--algo', 'rsa'], 'ERR_MISSING_PARAMETER'],
    [['--algo', 'dsa', '--size', '1024'], 'KO_NOT_SUPPORTED'],
    [[], 'ERR_MISSING_PARAMETER'],
    [['--algo', 'ed25519', '--encrypted'], 'ERR_NOT_IMPLEMENTED'],
  ];
  for (const [args, code] of refusals) {
    const r = await call(bob, ['--osh', 'selfGenerateEgressKey', ...args]);
    assert.equal(r.code, 100, args.join(' '));
    assert.equal(r.env.error_code, code, args.join(' '));
    assert.equal(r.env.value, null);
  }
  assert.equal(srv.gh.store.egressKeys.forAccount(bobId()).length, 3, 'refusals stored nothing');
});

test('an algorithm disabled by allowedEgressSshAlgorithms is refused', async () => {
  srv.writeConfig({ egressKeysFrom: ['192.0.2.10', '198.51.100.0/24'], allowedEgressSshAlgorithms: ['ed25519'] });
  const r = await call(bob, ['--osh', 'selfGenerateEgressKey', '--algo', 'ecdsa', '--size', '256']);
  assert.equal(r.env.error_code, 'KO_NOT_SUPPORTED');
  srv.writeConfig({ egressKeysFrom: ['192.0.2.10', '198.51.100.0/24'] });
});

test('selfListEgressKeys: a hash keyed by fingerprint, oldest first, no private material', async () => {
  const r = await call(bob, ['--osh', 'selfListEgressKeys']);
  assert.equal(r.code, 0);
  assert.equal(r.env.command, 'selfListEgressKeys');
  const stored = srv.gh.store.egressKeys.forAccount(bobId());
  assert.deepEqual(
    Object.keys(r.env.value),
    stored.map((k) => k.fingerprint),
  );
  for (const [fp, k] of Object.entries(r.env.value as Record<string, Record<string, unknown>>)) {
    assert.equal(k['fingerprint'], fp);
    assert.equal(k['prefix'], FROM);
    assert.equal(k['fullpath'], null);
    assert.equal(k['filename'], null);
    assert.deepEqual(k['fromList'], []);
    for (const f of ['typecode', 'base64', 'comment', 'line', 'id', 'mtime', 'size', 'family']) assert.ok(f in k, f);
  }
  assert.match(r.stdout, /Always include the from="192\.0\.2\.10,198\.51\.100\.0\/24" part/);
  assert.doesNotMatch(r.stdout, /PRIVATE/);
});

test('no answer or log line ever carries a private key', async () => {
  const all = srv.logs.map((l: Record<string, unknown>) => JSON.stringify(l)).join('\n');
  assert.doesNotMatch(all, /PRIVATE KEY|b3BlbnNzaC1rZXktdjE/);
  const openssh = srv.gh.store.egressKeys.sealedForAccount(bobId()).map((k) => keyring().open(k.private_sealed).toString('utf8'));
  for (const p of openssh) {
    const body = p
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    assert.ok(body.length > 40);
    assert.equal(all.includes(body.slice(0, 40)), false);
  }
});

test("accountListEgressKeys: restricted; lists another account's keys for a granted caller", async () => {
  const denied = await call(bob, ['--osh', 'accountListEgressKeys', '--account', 'bob']);
  assert.equal(denied.code, 106);
  assert.equal(denied.env.error_code, 'KO_RESTRICTED_COMMAND');
  assert.equal(denied.env.command, null);
  const carol = srv.addAccount('carol');
  const none = await call(srv.admin, ['--osh', 'accountListEgressKeys', '--account', 'carol']);
  assert.equal(none.code, 0);
  assert.deepEqual(none.env.value, {});
  const g = await call(srv.admin, ['--osh', 'accountGrantCommand', '--account', 'carol', '--command', 'accountListEgressKeys']);
  assert.equal(g.env.error_code, 'OK');
  const r = await call(carol, ['--osh', 'accountListEgressKeys', '--account', 'bob']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.env.command, 'accountListEgressKeys');
  assert.equal(Object.keys(r.env.value).length, 3);
  const self = await call(bob, ['--osh', 'selfListEgressKeys']);
  assert.deepEqual(r.env.value, self.env.value, "the same view as the owner's");
  const unknown = await call(srv.admin, ['--osh', 'accountListEgressKeys', '--account', 'nobody']);
  assert.equal(unknown.env.error_code, 'KO_NOT_FOUND');
  const missing = await call(srv.admin, ['--osh', 'accountListEgressKeys']);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
});
