// Private-key material in a command line: recognised in every format and shape it can arrive in,
// never confused with public keys or ordinary words, and reduced to option names for the audit.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { commandHasPrivateKey, containsPrivateKey, PRIVATE_KEY_REMOVED, withoutPrivateKey } from '../../../src/osh/privateKeys.js';
import { splitWords } from '../../../src/osh/words.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';

const body = (pem: string): string =>
  pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----'))
    .join('');

test('private keys are recognised whole, flattened, or as their base64 body alone', () => {
  const openssh = generateCheckedKeyPair('ed25519').private;
  assert.match(openssh, /BEGIN OPENSSH PRIVATE KEY/);
  const der = (type: 'rsa' | 'ec' | 'ed25519', format: 'pkcs1' | 'pkcs8' | 'sec1'): string => {
    const { privateKey } =
      type === 'rsa'
        ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
        : type === 'ec'
          ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : crypto.generateKeyPairSync('ed25519');
    return privateKey.export({ type: format, format: 'pem' }).toString();
  };
  const pems = [openssh, der('rsa', 'pkcs1'), der('rsa', 'pkcs8'), der('ec', 'sec1'), der('ec', 'pkcs8'), der('ed25519', 'pkcs8')];
  for (const pem of pems) {
    assert.ok(containsPrivateKey(pem), pem);
    assert.ok(containsPrivateKey(pem.replace(/\n/g, ' ')));
    assert.ok(containsPrivateKey(body(pem)), `body of ${pem.split('\n')[0]}`);
  }
  assert.ok(containsPrivateKey('PuTTY-User-Key-File-3: ssh-ed25519 Encryption: none'));
  assert.ok(containsPrivateKey('Private-Lines: 1 AAAAIJ'));
});

test('public keys and ordinary words are not private keys', () => {
  for (const type of ['ed25519', 'ecdsa', 'rsa'] as const) {
    for (let i = 0; i < 5; i++) {
      const pub = generateCheckedKeyPair(type, { bits: type === 'rsa' ? 2048 : 256 }).public;
      assert.ok(!containsPrivateKey(pub), pub);
    }
  }
  const spki = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.ok(!containsPrivateKey(spki));
  assert.ok(!containsPrivateKey('--osh accountModify --comment "rotated my private key yesterday"'));
});

test('the audit keeps option names and the plugin name, one marker for each run of other words', () => {
  const flat = generateCheckedKeyPair('ed25519').private.replace(/\n/g, ' ').trim().split(' ');
  assert.deepEqual(withoutPrivateKey(['--json', '--osh', 'selfAddIngressKey', '--public-key', ...flat, '--comment=x']), [
    '--json',
    '--osh',
    'selfAddIngressKey',
    '--public-key',
    PRIVATE_KEY_REMOVED,
    `--comment=${PRIVATE_KEY_REMOVED}`,
  ]);
  assert.deepEqual(withoutPrivateKey(['host', '--', 'echo', 'b3BlbnNzaC1rZXktdjE']), [PRIVATE_KEY_REMOVED]);
});

test('attack: the private keys the first markers missed (PKCS#8 P-384/P-521, Ed448, RSA-1024 PKCS#1) and markers broken by quotes', () => {
  const pem = (k: crypto.KeyObject, type: 'pkcs1' | 'pkcs8'): string => k.export({ type, format: 'pem' }).toString();
  const keys = [
    pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'pkcs8'),
    pem(crypto.generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, 'pkcs8'),
    pem(crypto.generateKeyPairSync('ed448').privateKey, 'pkcs8'),
    pem(crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'pkcs1'),
  ];
  for (const k of keys) assert.ok(containsPrivateKey(body(k)), `body of ${k.slice(0, 60)}`);
  const openssh = body(generateCheckedKeyPair('ed25519').private);
  for (const command of [
    `--osh selfAddIngressKey --public-key "-----BEGIN OPENSSH PRIV"'ATE KEY-----'`,
    `--comment ${openssh.slice(0, 6)}\\${openssh.slice(6)}`,
    `--comment '${openssh.slice(0, 8)}'"${openssh.slice(8)}"`,
  ]) {
    const split = splitWords(command);
    assert.ok(split.ok);
    assert.equal(containsPrivateKey(command), false, command);
    assert.ok(commandHasPrivateKey(command, split.words), command);
  }
  assert.equal(commandHasPrivateKey('--osh selfListIngressKeys', ['--osh', 'selfListIngressKeys']), false);
});
