// Account existence does not show in what an authentication attempt costs: an unknown name runs
// the same steps as a known one (the same lookups, a key comparison per key, one signature
// verification per signed attempt), against the stand-in account. Checked by what ran, not by
// timing (a measurement belongs in a report, not in a test that must not flake).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { createAccount } from '../../../src/accounts/create.js';
import { fixedConfig } from '../../../src/config/source.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { parsePublicKeyLine } from '../../../src/keys/publicKey.js';
import { checkIngressAttempt, type IngressAttempt } from '../../../src/ssh/ingressAuth.js';
import { openStore, type Store } from '../../../src/store/store.js';
const { utils } = ssh2;

interface Pair {
  readonly algo: string;
  readonly data: Buffer;
  sign(blob: Buffer): Buffer;
}

function keyPair(): { line: string; pair: Pair } {
  const k = generateCheckedKeyPair('ed25519');
  const priv = utils.parseKey(k.private);
  const pub = utils.parseKey(k.public);
  if (priv instanceof Error || Array.isArray(priv) || pub instanceof Error || Array.isArray(pub)) throw new Error('bad test key');
  return { line: k.public, pair: { algo: pub.type, data: pub.getPublicSSH(), sign: (b) => priv.sign(b) } };
}

function account(store: Store, name: string, keyLine: string): void {
  const key = parsePublicKeyLine(keyLine).value;
  assert.ok(key);
  const r = createAccount(store, fixedConfig().current(), { name, uid: 'auto', comment: null, createdBy: 'test', ttlSeconds: null, keys: [key], settings: {}, nowSec: 1 });
  assert.equal(r.code, 'OK');
}

const blob = Buffer.from('what the client signs: session id and request');

function attempt(username: string, key: Pair, signedBy?: Pair): IngressAttempt {
  return { username, algo: key.algo, data: key.data, ...(signedBy ? { signed: { blob, signature: signedBy.sign(blob), hashAlgo: undefined } } : {}) };
}

test('an unknown name and a known account refuse a wrong key with the same work, query or signed', () => {
  const store = openStore(':memory:');
  const config = fixedConfig({ adminAccounts: ['admin'] }).current();
  account(store, 'admin', keyPair().line);
  const alice = keyPair();
  account(store, 'alice', alice.line);
  const stranger = keyPair();
  for (const signed of [false, true]) {
    const known = checkIngressAttempt(store, config, attempt('alice', stranger.pair, signed ? stranger.pair : undefined), '127.0.0.1');
    const unknown = checkIngressAttempt(store, config, attempt('nosuchaccount', stranger.pair, signed ? stranger.pair : undefined), '127.0.0.1');
    assert.deepEqual(known, { ok: false, why: 'no-such-key', work: { lookups: 3, compared: 1, verified: signed ? 1 : 0 } });
    assert.deepEqual(unknown, known);
  }
  // Someone who knows alice's public key (it is not a secret) and can't sign with it costs one
  // verification, as does the same attempt under a name that does not exist.
  const forged = checkIngressAttempt(store, config, attempt('alice', alice.pair, stranger.pair), '127.0.0.1');
  assert.deepEqual(forged, { ok: false, why: 'bad-signature', work: { lookups: 3, compared: 1, verified: 1 } });
  const forgedUnknown = checkIngressAttempt(store, config, attempt('nosuchaccount', alice.pair, stranger.pair), '127.0.0.1');
  assert.deepEqual(forgedUnknown.work, forged.work);
  assert.equal(forgedUnknown.ok, false);
  // The right key, signed, logs in.
  const good = checkIngressAttempt(store, config, attempt('alice', alice.pair, alice.pair), '127.0.0.1');
  assert.equal(good.ok && good.match.account.name, 'alice');
  store.close();
});

test("the stand-in's own key under an unknown name is refused, even correctly signed", () => {
  const store = openStore(':memory:');
  const config = fixedConfig({ adminAccounts: ['admin'] }).current();
  const admin = keyPair();
  account(store, 'admin', admin.line);
  for (const signedBy of [undefined, admin.pair]) {
    const r = checkIngressAttempt(store, config, attempt('nosuchaccount', admin.pair, signedBy), '127.0.0.1');
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.why, 'no-such-key');
  }
  store.close();
});

test('without a stand-in account the unknown name still compares once and verifies once', () => {
  const store = openStore(':memory:');
  const config = fixedConfig({ adminAccounts: ['gone'] }).current();
  const stranger = keyPair();
  const r = checkIngressAttempt(store, config, attempt('nosuchaccount', stranger.pair, stranger.pair), '127.0.0.1');
  assert.deepEqual(r, { ok: false, why: 'no-such-key', work: { lookups: 3, compared: 1, verified: 1 } });
  store.close();
});
