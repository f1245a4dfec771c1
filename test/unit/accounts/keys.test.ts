// src/accounts/keys.ts against an in-memory store: ids, from= entries, the listing's view and
// validity, the delete rules, egress key values and generation (sealed, retried, policy-checked).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { addIngressKey, checkOwnFromList, deleteIngressKey, egressKeyValue, generateEgressKey, hasImmutableKey, lineId, listIngressKeys } from '../../../src/accounts/keys.js';
import { validateConfig } from '../../../src/config/parse.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { keyringFromKey } from '../../../src/services/keyring.js';
import { parsePublicKeyLine, type PublicKeyInfo } from '../../../src/keys/publicKey.js';
import { openStore } from '../../../src/store/store.js';
const { utils } = ssh2;

const config = (raw: Record<string, unknown> = {}) => validateConfig({ bastionName: 'unitbastion', ...raw }).config;

function setup() {
  const store = openStore(':memory:');
  const id = store.accounts.insert({ name: 'alice', uid: 5000, comment: null, createdAt: 1000, createdBy: 'test', ttlSeconds: null });
  return { store, id };
}

function key(line: string): PublicKeyInfo {
  const p = parsePublicKeyLine(line);
  assert.ok(p.value, p.msg);
  return p.value;
}
const ecdsa = (comment: string) => generateCheckedKeyPair('ecdsa', { bits: 256, comment }).public;
const info = { addedBy: 'alice', using: 'selfAddIngressKey', version: '0.0.0', nowSec: 1_700_000_000 };

test('lineId is "id" and the first 8 hex digits of md5(line), as The Bastion computes it', () => {
  const line = 'ssh-ed25519 AAAA x@y';
  assert.equal(lineId(line), 'id' + crypto.createHash('md5').update(line).digest('hex').slice(0, 8));
  assert.match(lineId(''), /^id[0-9a-f]{8}$/);
});

test('checkOwnFromList accepts addresses and networks, refuses hostnames, patterns and shorthand', () => {
  for (const ok of [[], ['10.0.0.1'], ['10.0.0.0/8', '192.0.2.7'], ['2001:db8::/32', '::1'], ['0.0.0.0/0']]) {
    assert.equal(checkOwnFromList(ok).code, 'OK', ok.join(','));
  }
  for (const bad of [['host.example.com'], ['10.*'], ['!10.0.0.1'], ['10.1'], ['10.0.0.0/33'], ['::1/129'], ['10.0.0.0/8/1'], ['']]) {
    assert.equal(checkOwnFromList(bad).code, 'ERR_INVALID_PARAMETER', bad.join(','));
  }
});

test('addIngressKey: stored once, answered with the effective from list, then refused as a duplicate', () => {
  const { store, id } = setup();
  const line = `from="192.0.2.0/24" ${ecdsa('me@laptop')}`;
  const cfg = config({ ingressKeysFromAllowOverride: true, ingressKeysFrom: ['10.0.0.1'] });
  const added = addIngressKey(store, cfg, id, key(line), info);
  assert.equal(added.code, 'OK');
  assert.ok(added.value && 'connect_only_from' in added.value);
  assert.deepEqual(added.value.connect_only_from, ['192.0.2.0/24']);
  assert.equal(added.value.key['prefix'], 'from="192.0.2.0/24"');
  assert.equal(added.value.key['info'], 'ADDED_BY=alice USING=selfAddIngressKey TIMESTAMP=1700000000 DATETIME=2023-11-14T22:13:20 VERSION=0.0.0');
  const rows = store.ingressKeys.forAccount(id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.from_list, '["192.0.2.0/24"]');
  const dup = addIngressKey(store, cfg, id, key(line.replace('me@laptop', 'other')), info);
  assert.equal(dup.code, 'KO_DUPLICATE_KEY');
  assert.equal((dup.value as { key: Record<string, unknown> }).key['comment'], 'other');
  assert.ok('fromList' in (dup.value as { key: Record<string, unknown> }).key, "refusals use The Bastion's fromList spelling");
  assert.equal(store.ingressKeys.forAccount(id).length, 1);
});

test('addIngressKey refuses by policy before storing, with the parsed key in the value', () => {
  const { store, id } = setup();
  const cfg = config({ allowedIngressSshAlgorithms: ['ed25519'] });
  const r = addIngressKey(store, cfg, id, key(ecdsa('x')), info);
  assert.equal(r.code, 'KO_FORBIDDEN_ALGORITHM');
  assert.equal((r.value as { key: Record<string, unknown> }).key['family'], 'ECDSA');
  assert.equal(store.ingressKeys.forAccount(id).length, 0);
});

test('listIngressKeys: positions as ids, the effective from= prefix in the line, validity from the current policy', () => {
  const { store, id } = setup();
  const own = `from="192.0.2.1" ${ecdsa('a')}`;
  addIngressKey(store, config({ ingressKeysFromAllowOverride: true }), id, key(own), info);
  addIngressKey(store, config(), id, key(ecdsa('b')), info);
  const forced = listIngressKeys(store, config({ ingressKeysFrom: ['10.9.9.9'] }), id);
  assert.deepEqual(
    forced.map((k) => k.id),
    [1, 2],
  );
  assert.deepEqual(
    forced.map((k) => k.from_list),
    [['10.9.9.9'], ['10.9.9.9']],
  );
  assert.ok(forced[0]?.line.startsWith('from="10.9.9.9" ecdsa-sha2-nistp256 '));
  const free = listIngressKeys(store, config(), id);
  assert.deepEqual(
    free.map((k) => k.prefix),
    ['from="192.0.2.1"', ''],
  );
  assert.deepEqual(
    free.map((k) => k.validity),
    ['OK', 'OK'],
  );
  const noEcdsa = listIngressKeys(store, config({ allowedIngressSshAlgorithms: ['ed25519'] }), id);
  assert.deepEqual(
    noEcdsa.map((k) => k.validity),
    ['KO_FORBIDDEN_ALGORITHM', 'KO_FORBIDDEN_ALGORITHM'],
  );
});

test('deleteIngressKey: by id or fingerprint, never the last valid key, nothing when there is no valid key', () => {
  const { store, id } = setup();
  const cfg = config();
  for (const c of ['a', 'b']) addIngressKey(store, cfg, id, key(ecdsa(c)), info);
  const [first, second] = listIngressKeys(store, cfg, id);
  assert.ok(first && second);
  assert.equal(deleteIngressKey(store, cfg, id, { by: 'id', id: 3 }).code, 'ERR_INVALID_ID');
  assert.equal(deleteIngressKey(store, cfg, id, { by: 'fingerprint', fingerprint: 'SHA256:none' }).code, 'ERR_NO_MATCH');
  const d = deleteIngressKey(store, cfg, id, { by: 'fingerprint', fingerprint: second.fingerprint });
  assert.equal(d.code, 'OK');
  assert.equal(d.value?.deleted_key['index'], '2');
  assert.equal(d.value?.deleted_key['err'], 'OK');
  assert.equal(deleteIngressKey(store, cfg, id, { by: 'id', id: 1 }).code, 'ERR_ONLY_ONE_KEY');
  assert.equal(store.ingressKeys.forAccount(id).length, 1);
  assert.equal(deleteIngressKey(store, config({ allowedIngressSshAlgorithms: ['rsa'] }), id, { by: 'id', id: 1 }).code, 'ERR_NO_KEY');
});

test('hasImmutableKey reads the immutable_key setting as a flag', () => {
  const { store, id } = setup();
  assert.equal(hasImmutableKey(store, id), false);
  store.accounts.setSetting(id, 'immutable_key', 'yes');
  assert.equal(hasImmutableKey(store, id), true);
  store.accounts.setSetting(id, 'immutable_key', 'no');
  assert.equal(hasImmutableKey(store, id), false);
});

test('generateEgressKey: policy first, then a sealed pair whose halves agree; egressKeyValue as The Bastion shapes it', async () => {
  const { store, id } = setup();
  const keyring = keyringFromKey(crypto.randomBytes(32));
  const deps = { store, config: config(), keyring };
  assert.equal((await generateEgressKey(deps, { id, name: 'alice' }, undefined, undefined, 1)).code, 'ERR_MISSING_PARAMETER');
  assert.equal((await generateEgressKey(deps, { id, name: 'alice' }, 'ecdsa', 300, 1)).code, 'KO_KEY_SIZE_INVALID');
  assert.equal(store.egressKeys.forAccount(id).length, 0);
  // Enough ed25519 pairs that ssh2's one-in-256 malformed pair would likely show up without the retry.
  for (let i = 0; i < 40; i++) {
    const r = await generateEgressKey(deps, { id, name: 'alice' }, 'ed25519', undefined, 1_700_000_000 + i);
    assert.equal(r.code, 'OK', r.msg);
  }
  const sealed = store.egressKeys.sealedForAccount(id);
  assert.equal(sealed.length, 40);
  for (const row of sealed) {
    const priv = utils.parseKey(keyring.open(row.private_sealed).toString('utf8'));
    assert.ok(!(priv instanceof Error) && !Array.isArray(priv));
    assert.equal(priv.getPublicSSH().toString('base64'), row.base64);
  }
  const row = store.egressKeys.forAccount(id)[0];
  assert.ok(row);
  const v = egressKeyValue(row, ['192.0.2.1', '2001:db8::1']);
  assert.equal(v['prefix'], 'from="192.0.2.1,2001:db8::1"');
  assert.equal(v['comment'], 'alice@unitbastion:1700000000');
  assert.equal(v['line'], `ssh-ed25519 ${row.base64} alice@unitbastion:1700000000`);
  assert.equal(v['id'], lineId(String(v['line'])));
  assert.equal(v['mtime'], 1_700_000_000);
  assert.deepEqual(v['fromList'], []);
  assert.equal(v['family'], 'ED25519');
  assert.equal(egressKeyValue(row, [])['prefix'], 'from=""');
});
