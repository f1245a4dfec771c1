// The one key generator (src/services/keygen.ts): on the calling thread and in the thread pool,
// each type at the size asked for, with its comment, both halves readable and agreeing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePublicKeyLine } from '../../../src/keys/publicKey.js';
import { generateCheckedKeyPair, generateCheckedKeyPairAsync, isWellFormedPair, type KeyType } from '../../../src/services/keygen.js';

const CASES: readonly (readonly [KeyType, number | undefined, string, number])[] = [
  ['ed25519', undefined, 'ssh-ed25519', 256],
  ['ecdsa', undefined, 'ecdsa-sha2-nistp256', 256],
  ['ecdsa', 384, 'ecdsa-sha2-nistp384', 384],
  ['rsa', 2048, 'ssh-rsa', 2048],
];

test('both generators: the type and size asked for, the comment kept, a well-formed pair', async () => {
  for (const [type, bits, typecode, size] of CASES) {
    for (const pair of [generateCheckedKeyPair(type, { bits, comment: `sync-${type}` }), await generateCheckedKeyPairAsync(type, { bits, comment: `async-${type}` })]) {
      assert.ok(isWellFormedPair(pair));
      assert.match(pair.private, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
      const pub = parsePublicKeyLine(pair.public).value;
      assert.ok(pub, pair.public);
      assert.deepEqual([pub.typecode, pub.size], [typecode, size]);
      assert.match(pub.comment, /^(sync|async)-/);
    }
  }
});

test('the thread-pool generator: many ed25519 pairs, every one readable (ssh2 alone breaks one in 256)', async () => {
  const pairs = await Promise.all(Array.from({ length: 300 }, () => generateCheckedKeyPairAsync('ed25519')));
  for (const pair of pairs) assert.equal(parsePublicKeyLine(pair.public).code, 'OK');
});

test('a size ssh2 refuses: the thread-pool generator gives up with the reason', async () => {
  await assert.rejects(generateCheckedKeyPairAsync('ecdsa', { bits: 123 }), /could not generate a well-formed ecdsa key pair: .+/);
});
