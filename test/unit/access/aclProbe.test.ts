// The ACL probe (src/services/aclProbe.ts) through the SSH client factory, against an in-process
// ssh2 target on loopback: the keys tried in order, any host key accepted (StrictHostKeyChecking=no,
// as The Bastion's test), and the message words and hints of each failure; what is never tested.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { parseAddress, type AclAddress } from '../../../src/policy/aclAddress.js';
import { probeAccess, type ProbeKey } from '../../../src/access/aclProbe.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { parsePublicKeyLine } from '../../../src/keys/publicKey.js';
import { freePort } from '../../helpers/ports.js';
import { startSsh2Target, type Ssh2Target } from '../../helpers/targets.js';

function probeKey(): { key: ProbeKey; publicLine: string } {
  const pair = generateCheckedKeyPair('ed25519');
  const fingerprint = parsePublicKeyLine(pair.public).value?.fingerprint;
  assert.ok(fingerprint);
  return { key: { fingerprint, privateKey: pair.private }, publicLine: pair.public };
}

function address(text: string): AclAddress {
  const a = parseAddress(text, { allowSubnets: true }).value;
  assert.ok(a);
  return a;
}

const wrong = probeKey();
const right = probeKey();
let target: Ssh2Target;

before(async () => {
  target = await startSsh2Target('127.0.0.1', [right.publicLine]);
});
after(() => target.close());

const LOCAL = address('127.0.0.1');

test('the second key logs in: OK, whatever host key the target shows', async () => {
  const r = await probeAccess({ address: LOCAL, port: target.port, user: 'deploy', keys: [wrong.key, right.key], forceKey: null });
  assert.equal(r.code, 'OK', r.msg);
  assert.deepEqual(target.logins.at(-1), { user: 'deploy', fingerprint: right.key.fingerprint });
  await target.rotateHostKey();
  const again = await probeAccess({ address: LOCAL, port: target.port, user: 'deploy', keys: [right.key], forceKey: null });
  assert.equal(again.code, 'OK', again.msg);
});

test('--force-key: only that key is tried', async () => {
  const forced = await probeAccess({ address: LOCAL, port: target.port, user: 'deploy', keys: [wrong.key, right.key], forceKey: wrong.key.fingerprint });
  assert.equal(forced.code, 'ERR_CONNECTION_FAILED');
  const none = await probeAccess({ address: LOCAL, port: target.port, user: 'deploy', keys: [right.key], forceKey: 'SHA256:nothing' });
  assert.deepEqual([none.code, none.msg], ['KO_NO_MATCHING_KEY', "Couldn't find any key with the fingerprint you specified"]);
});

test('no key the target accepts: (denied), with the authorized_keys hint', async () => {
  const r = await probeAccess({ address: LOCAL, port: target.port, user: 'deploy', keys: [wrong.key], forceKey: null });
  assert.equal(r.code, 'ERR_CONNECTION_FAILED');
  assert.equal(r.msg, `Couldn't connect to deploy@127.0.0.1:${target.port} (denied). Hint: did you add the proper public key to the remote's authorized_keys?`);
});

test('a closed port: (refused), with the SSH port hint', async () => {
  const port = await freePort('127.0.0.1');
  const r = await probeAccess({ address: LOCAL, port, user: 'deploy', keys: [right.key], forceKey: null });
  assert.equal(r.msg, `Couldn't connect to deploy@127.0.0.1:${port} (refused). Hint: did you remotely allow this bastion to access the SSH port?`);
});

test('a listener that never answers: (timeout) at the deadline, with the SSH port hint', async () => {
  const sockets: net.Socket[] = [];
  const srv = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const r = await probeAccess({ address: LOCAL, port, user: 'deploy', keys: [right.key], forceKey: null, timeoutMs: 300 });
    assert.equal(r.msg, `Couldn't connect to deploy@127.0.0.1:${port} (timeout). Hint: did you remotely allow this bastion to access the SSH port?`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => srv.close(resolve));
  }
});

test('what is not tested passes with a note', async () => {
  const subnet = await probeAccess({ address: address('127.0.0.0/24'), port: 22, user: 'deploy', keys: [right.key], forceKey: null });
  assert.deepEqual([subnet.code, subnet.msg], ['OK', "Can't test a connection to a subnet, assuming it's OK"]);
  for (const user of ['web-*', '!scpupload']) {
    const special = await probeAccess({ address: LOCAL, port: 22, user, keys: [right.key], forceKey: null });
    assert.deepEqual([special.code, special.msg], ['OK', "Didn't really test the connection, as the specified user is special"]);
  }
  const keyless = await probeAccess({ address: LOCAL, port: 22, user: 'deploy', keys: [], forceKey: null });
  assert.deepEqual([keyless.code, keyless.msg], ['OK', "Couldn't find any SSH key to test the connection with, continuing without testing"]);
});
