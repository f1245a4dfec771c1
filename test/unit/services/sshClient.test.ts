// The one SSH client factory (src/services/sshClient.ts) against a real in-process ssh2 server on
// loopback: the second of two keys logs in (in one connection), and each named failure:
// permission_denied, hostkey_refused, connection_refused, connection_timeout, and the client
// going away while it connects.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import ssh2, { type ParsedKey } from 'ssh2';
import { fingerprintOf } from '../../../src/keys/publicKey.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { HOST_KEY_ALGORITHMS, openSshClient, type KeyToTry, type SshConnectParams } from '../../../src/services/sshClient.js';
import { freePort } from '../../helpers/ports.js';
import { startSsh2Target, type Ssh2Target } from '../../helpers/targets.js';
const { utils } = ssh2;

function testKey(comment: string): { toTry: KeyToTry; publicLine: string } {
  const pair = generateCheckedKeyPair('ed25519', { comment });
  const parsed = utils.parseKey(pair.private);
  if (parsed instanceof Error || Array.isArray(parsed)) throw new Error('unparsable generated key');
  return { toTry: { fingerprint: fingerprintOf((parsed as ParsedKey).getPublicSSH()), key: parsed as ParsedKey }, publicLine: pair.public };
}

const stranger = testKey('stranger');
const allowed = testKey('allowed');
let target: Ssh2Target;

before(async () => {
  target = await startSsh2Target('127.0.0.1', [allowed.publicLine]);
});
after(() => target.close());

function params(over: Partial<SshConnectParams> = {}): SshConnectParams {
  return {
    ip: target.host,
    port: target.port,
    user: 'deploy',
    keys: [stranger.toTry, allowed.toTry],
    timeoutMs: 5000,
    verifyHostKey: () => true,
    ident: 'Gatehouse_test',
    ...over,
  };
}

test('two keys: the first is refused, the second logs in, in one connection; the host key is checked', async () => {
  const seen: string[] = [];
  const r = await openSshClient(
    params({
      verifyHostKey: (blob) => {
        seen.push(fingerprintOf(blob));
        return true;
      },
    }),
  );
  assert.equal(r.ok, true, r.ok ? '' : `${r.why}: ${r.detail}`);
  if (!r.ok) return;
  assert.equal(r.usedKey, allowed.toTry.fingerprint);
  r.client.end();
  assert.deepEqual(target.logins.at(-1), { user: 'deploy', fingerprint: allowed.toTry.fingerprint });
  assert.deepEqual(seen, [target.hostKeyFingerprint]);
});

test('a key in OpenSSH text (as the ACL probe passes it) is parsed and tried', async () => {
  const pair = generateCheckedKeyPair('ed25519');
  const text = await startSsh2Target('127.0.0.1', [pair.public]);
  try {
    const r = await openSshClient(params({ port: text.port, keys: [{ fingerprint: 'text', key: pair.private }] }));
    assert.equal(r.ok, true, r.ok ? '' : `${r.why}: ${r.detail}`);
    if (r.ok) r.client.end();
  } finally {
    await text.close();
  }
});

test('no key the target accepts: permission_denied', async () => {
  const r = await openSshClient(params({ keys: [stranger.toTry] }));
  assert.deepEqual(r, { ok: false, why: 'permission_denied', detail: 'Permission denied (publickey)' });
});

test('no key at all: permission_denied', async () => {
  const r = await openSshClient(params({ keys: [] }));
  assert.equal(r.ok ? null : r.why, 'permission_denied');
});

test('the host key check says no: hostkey_refused, and no key is offered', async () => {
  const before = target.logins.length;
  const r = await openSshClient(params({ verifyHostKey: () => false }));
  assert.deepEqual(r, { ok: false, why: 'hostkey_refused', detail: 'host key verification failed' });
  assert.equal(target.logins.length, before);
});

test('host key algorithms the target has no key for: connection_error (no common algorithm)', async () => {
  const r = await openSshClient(params({ hostKeyAlgorithms: ['ecdsa-sha2-nistp521'] }));
  assert.equal(r.ok ? null : r.why, 'connection_error');
  assert.ok(HOST_KEY_ALGORITHMS.includes('ssh-ed25519'));
  assert.ok(!HOST_KEY_ALGORITHMS.includes('ssh-rsa'), 'no SHA-1 signatures by default');
});

test('a closed port: connection_refused', async () => {
  const port = await freePort('127.0.0.1');
  const r = await openSshClient(params({ port }));
  assert.deepEqual(r, { ok: false, why: 'connection_refused', detail: 'Connection refused' });
});

/** A TCP listener that accepts and never says a word. */
async function silentListener(): Promise<{ port: number; sockets: net.Socket[]; ended: () => number; close: () => Promise<void> }> {
  const sockets: net.Socket[] = [];
  let ended = 0;
  const srv = net.createServer((s) => {
    sockets.push(s);
    // Reads (and drops) what comes, so the client's end is seen.
    s.resume();
    s.on('close', () => void ended++);
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    sockets,
    ended: () => ended,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

test('a listener that never answers: connection_timeout at the deadline, the socket closed', async () => {
  const silent = await silentListener();
  try {
    const started = Date.now();
    const r = await openSshClient(params({ port: silent.port, timeoutMs: 300 }));
    const took = Date.now() - started;
    assert.deepEqual(r, { ok: false, why: 'connection_timeout', detail: `no answer from 127.0.0.1 port ${silent.port} within 0s` });
    assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(silent.sockets.length, 1);
    assert.equal(silent.ended(), 1, 'the attempt let go of its socket');
  } finally {
    await silent.close();
  }
});

test('the client goes away while connecting: connection_error', async () => {
  const silent = await silentListener();
  try {
    const abort = new AbortController();
    const pending = openSshClient(params({ port: silent.port, timeoutMs: 5000 }), abort.signal);
    setTimeout(() => abort.abort(), 50);
    assert.deepEqual(await pending, { ok: false, why: 'connection_error', detail: 'the client went away' });
  } finally {
    await silent.close();
  }
});
