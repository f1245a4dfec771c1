import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../../src/config/parse.js';

test('defaultAccountEgressKeySize follows the algorithm when unset or unsuitable', () => {
  assert.equal(validateConfig({}).config.defaultAccountEgressKeySize, 521);
  assert.equal(validateConfig({ defaultAccountEgressKeyAlgorithm: 'rsa' }).config.defaultAccountEgressKeySize, 4096);
  assert.equal(validateConfig({ defaultAccountEgressKeyAlgorithm: 'ed25519' }).config.defaultAccountEgressKeySize, 256);
  assert.equal(validateConfig({ defaultAccountEgressKeyAlgorithm: 'ecdsa', defaultAccountEgressKeySize: 384 }).config.defaultAccountEgressKeySize, 384);
  const bad = validateConfig({ defaultAccountEgressKeyAlgorithm: 'ecdsa', defaultAccountEgressKeySize: 4096 });
  assert.equal(bad.config.defaultAccountEgressKeySize, 521);
  assert.match(bad.warnings.join('\n'), /defaultAccountEgressKeySize/);
});
