// Ingress keys as login sees them, over SSH with the OpenSSH client: a key added through
// selfAddIngressKey logs in, the key in use may delete itself and then no longer logs in, an
// account made by accountCreate logs in with the key it was given, a key's effective from= list is
// what login enforces, and the end of stdin on the channel reaches a plugin that reads it. The
// plugins' own answers (codes, value shapes, stored rows) are tested in-process, in
// test/plugins/keys-ingress and accounts-create.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall, type Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let alice: { name: string; key: { privateFile: string } };
before(async () => {
  srv = await startTestServer();
  alice = srv.addAccount('alice');
});
after(async () => {
  await srv.close();
});

async function call(
  who: { name: string; key: { privateFile: string } },
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; env: Envelope; stdout: string; stderr: string }> {
  const r = await sshCall(srv.port, who.name, who.key.privateFile, ['--json-greppable', ...args], stdin === undefined ? {} : { stdin });
  return { code: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

test('an added key logs in; the key in use may delete itself, and then no longer logs in', async () => {
  const second = srv.newKey('ecdsa', 'second@laptop');
  const add = await call(alice, ['--osh', 'selfAddIngressKey'], second.publicLine + '\n');
  assert.equal(add.env.error_code, 'OK');
  const aliceK2 = { name: 'alice', key: second };
  const info = await call(aliceK2, ['--osh', 'info']);
  assert.equal(info.code, 0);
  assert.equal(info.env.value.account, 'alice');
  // Deleting the key in use is allowed, as The Bastion does (next login needs the other key).
  const del = await call(aliceK2, ['--osh', 'selfDelIngressKey', '--fingerprint-to-delete', add.env.value.key.fingerprint]);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.env.error_code, 'OK');
  const dk = del.env.value.deleted_key;
  assert.equal(dk.err, 'OK');
  assert.equal(dk.index, '2');
  assert.equal(dk.fingerprint, add.env.value.key.fingerprint);
  assert.deepEqual(dk.fromList, []);
  assert.match(dk.id, /^id[0-9a-f]{8}$/);
  const gone = await sshCall(srv.port, 'alice', second.privateFile, ['--osh', 'info']);
  assert.equal(gone.code, 255, 'the deleted key no longer logs in');
});

test('an account made by accountCreate logs in with the key it was given, by --public-key or on stdin', async () => {
  const key = srv.newKey('ed25519', 'carol@laptop');
  // The key line as one word for the remote side (OpenSSH joins words with spaces).
  const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountCreate', '--account', 'carol', '--uid', '9001', '--public-key', `"${key.publicLine}"`]);
  assert.equal(r.exit, 0, r.stdout);
  const info = await sshCall(srv.port, 'carol', key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(greppable(info.stdout).value.account, 'carol');
  const onStdin = srv.newKey('ecdsa');
  const r2 = await oshInProcess(srv, srv.admin, ['--osh', 'accountCreate', '--account', 'bob', '--uid-auto'], { stdin: onStdin.publicLine + '\n' });
  assert.equal(r2.exit, 0, r2.stdout);
  const info2 = await sshCall(srv.port, 'bob', onStdin.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(info2.code, 0, info2.stderr);
});

test('the end of stdin on the channel ends the read at once: KO_NOT_A_KEY', async () => {
  const eof = await call(alice, ['--osh', 'selfAddIngressKey'], '');
  assert.equal(eof.code, 100);
  assert.equal(eof.env.error_code, 'KO_NOT_A_KEY');
  assert.equal(eof.env.value, null);
});

test("from= at login: a key works from 127.0.0.1 exactly when its effective list (the key's own, ingressKeysFrom, ingressKeysFromAllowOverride) allows it", async () => {
  const k = srv.newKey('ed25519', 'from@test');
  const own = `from="10.1.2.3,192.0.2.0/24" ${k.publicLine}`;
  // The same cases as test/plugins/keys-ingress, where the listings are checked.
  const cases: { conf: Record<string, unknown>; line: string; expect: string[] }[] = [
    { conf: { ingressKeysFromAllowOverride: true, ingressKeysFrom: ['127.0.0.0/8', '10.0.0.1'] }, line: k.publicLine, expect: ['127.0.0.0/8', '10.0.0.1'] },
    { conf: { ingressKeysFromAllowOverride: true, ingressKeysFrom: ['127.0.0.0/8', '10.0.0.1'] }, line: own, expect: ['10.1.2.3', '192.0.2.0/24'] },
    { conf: { ingressKeysFromAllowOverride: false, ingressKeysFrom: ['127.0.0.0/8', '10.0.0.1'] }, line: k.publicLine, expect: ['127.0.0.0/8', '10.0.0.1'] },
    { conf: { ingressKeysFromAllowOverride: false, ingressKeysFrom: ['127.0.0.0/8', '10.0.0.1'] }, line: own, expect: ['127.0.0.0/8', '10.0.0.1'] },
    { conf: { ingressKeysFromAllowOverride: true, ingressKeysFrom: [] }, line: k.publicLine, expect: [] },
    { conf: { ingressKeysFromAllowOverride: true, ingressKeysFrom: [] }, line: own, expect: ['10.1.2.3', '192.0.2.0/24'] },
    { conf: { ingressKeysFromAllowOverride: false, ingressKeysFrom: [] }, line: k.publicLine, expect: [] },
    // Gatehouse keeps the key's own list here, where The Bastion drops it (docs/compatibility.md).
    { conf: { ingressKeysFromAllowOverride: false, ingressKeysFrom: [] }, line: own, expect: ['10.1.2.3', '192.0.2.0/24'] },
  ];
  for (const [i, c] of cases.entries()) {
    srv.writeConfig(c.conf);
    // Adding and deleting the key are plugin calls: in-process; only the login goes over SSH.
    const add = await oshInProcess(srv, alice, ['--osh', 'selfAddIngressKey'], { stdin: c.line + '\n' });
    assert.equal(add.env.error_code, 'OK', `case ${i}: ${add.env.error_message}`);
    assert.deepEqual(add.env.value.connect_only_from, c.expect, `case ${i}`);
    // The listing says what login enforces: the key works from 127.0.0.1 exactly when allowed.
    const login = await sshCall(srv.port, 'alice', k.privateFile, ['--osh', 'info']);
    const allowed = c.expect.length === 0 || c.expect.includes('127.0.0.0/8');
    assert.equal(login.code, allowed ? 0 : 255, `case ${i}`);
    const del = await oshInProcess(srv, alice, ['--osh', 'selfDelIngressKey', '-f', add.env.value.key.fingerprint]);
    assert.equal(del.env.error_code, 'OK', `case ${i}`);
  }
  srv.writeConfig({});
});
