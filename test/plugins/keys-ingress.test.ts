// Ingress keys through the dispatcher: selfListIngressKeys, selfAddIngressKey, selfDelIngressKey and
// accountListIngressKeys, asserting The Bastion's codes, exit statuses, value shapes (see
// tests/functional/tests.d/330-selfkeys.sh) and the stored rows. What login does with these keys
// (a new key logs in, a deleted one does not, from= applied at login) is in test/e2e/keys-ingress.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let alice: { name: string; key: { publicLine: string } };
before(async () => {
  srv = await startTestServer();
  alice = srv.addAccount('alice');
});
after(async () => {
  await srv.close();
});

async function call(who: { name: string }, args: string[], stdin?: string): Promise<{ code: number | null; env: Envelope; stdout: string; stderr: string }> {
  const r = await oshInProcess(srv, who, args, stdin === undefined ? {} : { stdin });
  return { code: r.exit, env: r.env, stdout: r.stdout, stderr: r.stderr };
}

const admin = () => srv.admin;
const aliceRow = () => {
  const row = srv.gh.store.accounts.byName('alice');
  assert.ok(row);
  return row;
};
const storedFingerprints = (accountId: number) => srv.gh.store.ingressKeys.forAccount(accountId).map((k) => k.fingerprint);

/** What `ssh-keygen -lf` says a public key line's fingerprint is: the reference we must match (asked once per line). */
const fingerprints = new Map<string, string>();
function sshKeygenFingerprint(line: string): string {
  const known = fingerprints.get(line);
  if (known !== undefined) return known;
  const f = path.join(srv.dir, `fp-${Math.random().toString(16).slice(2)}.pub`);
  fs.writeFileSync(f, line + '\n');
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', f], { encoding: 'utf8' });
  fs.rmSync(f);
  const fp = out.split(' ')[1] ?? '';
  fingerprints.set(line, fp);
  return fp;
}

// RSA public halves made once with generateCheckedKeyPair and kept here: making a 2048-bit RSA pair
// takes 0.5 to 1 s, and only the public line is ever used (no login with these keys). A and B are
// two distinct 2048-bit keys, SMALL a 1024-bit one.
const RSA_BASE64 = {
  A: 'AAAAB3NzaC1yc2EAAAADAQABAAABAQC3TOWMj5z3ZXBmoZ1iaTwE9HsimP8/L3WIwjjPUdgyX6DmPpJbA7Ij1ydSLFUxQj1kYhPiRVQ3vD0hIGXSdVXB+d/rvWqzCN/QaHylrAtlodcdrQzTw2pUVK4Ygh1bIfQYzsuNyq1IOWN46s5sS0GMKu0MX/nUefHKfh3cewIRbfl5A6WLhLRHuUZaOna75OxaQcUbqB5NEMmY7DDHG+Wxol7lnZhYrj+iI+XrwU004xVXxqzXNn9sNSwOSSJMJwHm2TTNbj5MPHj0skdrDIr3NA2dq5dRlGcqLkxpBWxbegOWcIeY1EcLyUVWDNDrLbFCbWLDNvLiZMuIFPFHSKW3',
  B: 'AAAAB3NzaC1yc2EAAAADAQABAAABAQC+fZvyzPaXqUy8Awj+txadMEVKVo+u/m19KqiHQLDTTs5wGJHcxEJCfKQ6jjur+iJqGiK4nSYeu2b4JbMPgvpwREpl+JWyTi3vMaSHmFYoKv4wBCa76IrfTe3xhnvEt4h5oL3CdXVMF8nEZFaKVrRIBTa6cTduVtOJ0JojNTXWTbSGZtgr+Q/sHiXKCk8Umhzdft3g5SKtdsenfjMFCA5yCTsgf7cF44eG30e7BwRPTMO8tanV9iDOQ7EzLugNM/kfWwzPQKHmSfVjacj4mt7Fc2oFu3tde3h0kq1kfEHR8r2pS3agUdUFxM+Gs+1x34pbNMDAd47ClBw6dzC9sNWP',
  SMALL:
    'AAAAB3NzaC1yc2EAAAADAQABAAAAgQDXz8lBCfMw9BXqDn3Usqfb0rgt+e8UO9s41qyNV7uw5e4SmojpVZbMasVBB5ck3UYu1/elzdXq06wFDUtjOKaGDeZNs3jU35zCyNFZAly+kpotFe9HATBS4ACF1Cx8nEhqm4pN5gneFugxP+l7C+BfQjTghKpjBabvXu4JNzMtyQ==',
} as const;

function pubLine(type: 'ecdsa' | 'ed25519', bits: number | undefined, comment: string): string {
  const pair = generateCheckedKeyPair(type, { bits: bits ?? 256, comment });
  return pair.public.trim();
}

const rsaLine = (which: keyof typeof RSA_BASE64, comment: string): string => `ssh-rsa ${RSA_BASE64[which]} ${comment}`;

test("selfListIngressKeys shows the account key with The Bastion's fields", async () => {
  const r = await call(alice, ['--osh', 'selfListIngressKeys']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.env.command, 'selfListIngressKeys');
  assert.equal(r.env.error_code, 'OK');
  assert.equal(r.env.value.account, 'alice');
  assert.equal(r.env.value.keys.length, 1);
  const k = r.env.value.keys[0];
  assert.equal(k.id, 1);
  assert.equal(k.validity, 'OK');
  assert.equal(k.size, 256);
  assert.equal(k.family, 'ED25519');
  assert.equal(k.typecode, 'ssh-ed25519');
  assert.equal(k.prefix, '');
  assert.deepEqual(k.from_list, []);
  assert.equal(k.mtime, null);
  assert.equal(k.fingerprint, sshKeygenFingerprint(alice.key.publicLine));
  assert.equal(k.line, alice.key.publicLine.trim());
  assert.equal(k.base64, alice.key.publicLine.split(' ')[1]);
  assert.equal(k.comment, 'test@gatehouse');
});

test('selfAddIngressKey refuses private keys, garbage and an empty stdin without storing anything', async () => {
  const before = storedFingerprints(aliceRow().id).length;
  const priv = await call(alice, ['--osh', 'selfAddIngressKey'], '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n');
  assert.equal(priv.code, 100);
  assert.equal(priv.env.error_code, 'KO_PRIVATE_KEY');
  assert.equal(priv.env.value, null);
  const bogus = await call(alice, ['--osh', 'selfAddIngressKey'], 'bogus\n');
  assert.equal(bogus.code, 100);
  assert.equal(bogus.env.error_code, 'KO_NOT_A_KEY');
  assert.deepEqual(bogus.env.value, { key: { line: 'bogus' } });
  const eof = await call(alice, ['--osh', 'selfAddIngressKey'], '');
  assert.equal(eof.code, 100);
  assert.equal(eof.env.error_code, 'KO_NOT_A_KEY');
  assert.equal(eof.env.value, null);
  // A flood without a newline: the read is refused past its size bound, no hang.
  const flood = await call(alice, ['--osh', 'selfAddIngressKey'], 'A'.repeat(20000));
  assert.equal(flood.code, 100);
  assert.equal(flood.env.error_code, 'KO_INPUT_TOO_LONG');
  assert.equal(storedFingerprints(aliceRow().id).length, before);
});

test('selfAddIngressKey checks the RSA size policy and shows the parsed key on refusal', async () => {
  const small = rsaLine('SMALL', 'test@rsa1024');
  const r = await call(alice, ['--osh', 'selfAddIngressKey'], small + '\n');
  assert.equal(r.code, 100);
  assert.equal(r.env.error_code, 'KO_KEY_SIZE_TOO_SMALL');
  const k = r.env.value.key;
  assert.equal(k.size, 1024);
  assert.equal(k.family, 'RSA');
  assert.equal(k.typecode, 'ssh-rsa');
  assert.equal(k.comment, 'test@rsa1024');
  assert.equal(k.line, small);
  assert.equal(k.prefix, '');
  assert.deepEqual(k.fromList, []);
  assert.match(k.id, /^id[0-9a-f]{8}$/);
  assert.equal(k.fingerprint, sshKeygenFingerprint(small));
  assert.equal(srv.gh.store.ingressKeys.byFingerprint(aliceRow().id, k.fingerprint), undefined);
});

test('selfAddIngressKey adds keys of every family from stdin and --public-key, with matching fingerprints', async () => {
  const lines = [
    rsaLine('A', 'test@rsa2048'),
    pubLine('ecdsa', 256, 'test@ecdsa256'),
    pubLine('ecdsa', 384, 'test@ecdsa384'),
    pubLine('ecdsa', 521, 'test@ecdsa521'),
    pubLine('ed25519', undefined, 'test@ed25519'),
  ];
  for (const [i, line] of lines.entries()) {
    // Every other key goes through --public-key, quoted twice as The Bastion's docs say.
    const r = i % 2 === 0 ? await call(alice, ['--osh', 'selfAddIngressKey'], line + '\n') : await call(alice, ['--osh', 'selfAddIngressKey', '--public-key', `"${line}"`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.env.error_code, 'OK');
    assert.match(r.stdout, /key successfully added/);
    const k = r.env.value.key;
    assert.deepEqual(r.env.value.connect_only_from, []);
    assert.deepEqual(k.from_list, []);
    assert.equal(k.prefix, '');
    assert.equal(k.line, line);
    assert.equal(k.fingerprint, sshKeygenFingerprint(line));
    assert.equal(k.size, [2048, 256, 384, 521, 256][i]);
    assert.equal(k.family, ['RSA', 'ECDSA', 'ECDSA', 'ECDSA', 'ED25519'][i]);
    assert.match(k.info, /^ADDED_BY=alice USING=selfAddIngressKey TIMESTAMP=\d+ DATETIME=\S+ VERSION=\S+$/);
    assert.ok(srv.gh.store.ingressKeys.byFingerprint(aliceRow().id, k.fingerprint), 'stored');
  }
  const list = await call(alice, ['--osh', 'selfListIngressKeys']);
  assert.deepEqual(
    list.env.value.keys.map((k: { id: number }) => k.id),
    [1, 2, 3, 4, 5, 6],
  );
  // Clean up for the next tests, newest first so that the ids shown stay meaningful.
  for (const line of lines) {
    const d = await call(alice, ['--osh', 'selfDelIngressKey', '-f', sshKeygenFingerprint(line)]);
    assert.equal(d.env.error_code, 'OK');
  }
});

test('a duplicate key is refused with KO_DUPLICATE_KEY, whatever its comment', async () => {
  const dup = alice.key.publicLine.split(' ').slice(0, 2).join(' ') + ' test@duplicate';
  const r = await call(alice, ['--osh', 'selfAddIngressKey'], dup + '\n');
  assert.equal(r.code, 100);
  assert.equal(r.env.error_code, 'KO_DUPLICATE_KEY');
  assert.equal(r.env.value.key.comment, 'test@duplicate');
  assert.equal(r.env.value.key.line, dup);
  assert.equal(storedFingerprints(aliceRow().id).length, 1);
});

// A new key logging in, and deleting the key in use, are in test/e2e/keys-ingress.
test('the last valid key may not be deleted', async () => {
  const last = await call(alice, ['--osh', 'selfDelIngressKey', '-f', sshKeygenFingerprint(alice.key.publicLine)]);
  assert.equal(last.code, 100);
  assert.equal(last.env.error_code, 'ERR_ONLY_ONE_KEY');
  assert.equal(last.env.value, null);
  const noArgs = await call(alice, ['--osh', 'selfDelIngressKey'], '1\n');
  assert.equal(noArgs.env.error_code, 'ERR_ONLY_ONE_KEY');
  assert.equal(storedFingerprints(aliceRow().id).length, 1);
});

test('selfDelIngressKey by id, by the prompt, and its refusals', async () => {
  const k2 = srv.newKey('ed25519', 'k2');
  const k3 = srv.newKey('ed25519', 'k3');
  for (const k of [k2, k3]) assert.equal((await call(alice, ['--osh', 'selfAddIngressKey'], k.publicLine + '\n')).env.error_code, 'OK');
  const both = await call(alice, ['--osh', 'selfDelIngressKey', '--id-to-delete', '2', '-f', 'SHA256:x']);
  assert.equal(both.code, 100);
  assert.equal(both.env.error_code, 'ERR_INCOMPATIBLE_PARAMETERS');
  const noMatch = await call(alice, ['--osh', 'selfDelIngressKey', '-f', 'SHA256:nothingLikeThis']);
  assert.equal(noMatch.env.error_code, 'ERR_NO_MATCH');
  const badId = await call(alice, ['--osh', 'selfDelIngressKey', '--id-to-delete', '9']);
  assert.equal(badId.env.error_code, 'ERR_INVALID_ID');
  const notNumber = await call(alice, ['--osh', 'selfDelIngressKey'], 'two\n');
  assert.equal(notNumber.env.error_code, 'ERR_INVALID_PARAMETER');
  const noAnswer = await call(alice, ['--osh', 'selfDelIngressKey'], '');
  assert.equal(noAnswer.env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal(storedFingerprints(aliceRow().id).length, 3, 'nothing deleted by a refusal');

  const byPrompt = await call(alice, ['--osh', 'selfDelIngressKey'], '3\n');
  assert.equal(byPrompt.code, 0, byPrompt.stdout);
  assert.match(byPrompt.stdout, /Type the ID of the key you want to delete/);
  assert.equal(byPrompt.env.value.deleted_key.comment, 'k3');
  const byId = await call(alice, ['--osh', 'selfDelIngressKey', '--line-number-to-delete', '2']);
  assert.equal(byId.env.error_code, 'OK');
  assert.equal(byId.env.value.deleted_key.comment, 'k2');
  assert.deepEqual(storedFingerprints(aliceRow().id), [sshKeygenFingerprint(alice.key.publicLine)]);
});

test("from= lists: the key's own list, ingressKeysFrom and ingressKeysFromAllowOverride", async () => {
  const k = srv.newKey('ed25519', 'from@test');
  const own = `from="10.1.2.3,192.0.2.0/24" ${k.publicLine}`;
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
    const prefix = c.expect.length ? `from="${c.expect.join(',')}"` : '';
    const add = await call(alice, ['--osh', 'selfAddIngressKey'], c.line + '\n');
    assert.equal(add.env.error_code, 'OK', `case ${i}: ${add.env.error_message}`);
    assert.deepEqual(add.env.value.connect_only_from, c.expect, `case ${i}`);
    assert.deepEqual(add.env.value.key.from_list, c.expect, `case ${i}`);
    assert.equal(add.env.value.key.prefix, prefix, `case ${i}`);
    const list = await call(alice, ['--osh', 'selfListIngressKeys']);
    const listed = list.env.value.keys[1];
    assert.deepEqual(listed.from_list, c.expect, `case ${i}`);
    assert.equal(listed.prefix, prefix, `case ${i}`);
    assert.equal(listed.line, (prefix ? prefix + ' ' : '') + k.publicLine.trim(), `case ${i}`);
    const viaAdmin = await call(admin(), ['--osh', 'accountListIngressKeys', '--account', 'alice']);
    assert.deepEqual(viaAdmin.env.value.keys[1].from_list, c.expect, `case ${i}`);
    // That login enforces what the listing says is checked over SSH, in test/e2e/keys-ingress.
    const del = await call(alice, ['--osh', 'selfDelIngressKey', '-f', add.env.value.key.fingerprint]);
    assert.equal(del.env.error_code, 'OK', `case ${i}`);
  }
  srv.writeConfig({});
});

test('from= entries that are not addresses or networks are refused', async () => {
  srv.writeConfig({ ingressKeysFromAllowOverride: true });
  const k = srv.newKey('ed25519', 'host@pattern');
  const r = await call(alice, ['--osh', 'selfAddIngressKey'], `from="*.example.com" ${k.publicLine}\n`);
  assert.equal(r.code, 100);
  assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER');
  assert.deepEqual(r.env.value.key.fromList, ['*.example.com']);
  assert.equal(storedFingerprints(aliceRow().id).length, 1);
  srv.writeConfig({});
});

test('listings mark keys the current policy refuses, and the RSA maximum is enforced on add', async () => {
  // The same key as test@rsa2048 above, deleted since.
  const rsa = rsaLine('A', 'rsa@2048');
  assert.equal((await call(alice, ['--osh', 'selfAddIngressKey'], rsa + '\n')).env.error_code, 'OK');
  srv.writeConfig({ maximumIngressRsaKeySize: 1024, minimumIngressRsaKeySize: 1024 });
  const list = await call(alice, ['--osh', 'selfListIngressKeys']);
  assert.deepEqual(
    list.env.value.keys.map((k: { validity: string }) => k.validity),
    ['OK', 'KO_KEY_SIZE_TOO_BIG'],
  );
  assert.match(list.stdout, /\*\*\*<<KO_KEY_SIZE_TOO_BIG>>\*\*\*/);
  const other = rsaLine('B', 'rsa@other');
  const big = await call(alice, ['--osh', 'selfAddIngressKey'], other + '\n');
  assert.equal(big.code, 100);
  assert.equal(big.env.error_code, 'KO_KEY_SIZE_TOO_BIG');
  // An invalid key can be deleted even though only one valid key is left.
  const del = await call(alice, ['--osh', 'selfDelIngressKey', '--id-to-delete', '2']);
  assert.equal(del.env.error_code, 'OK');
  assert.equal(del.env.value.deleted_key.err, 'KO_KEY_SIZE_TOO_BIG');
  srv.writeConfig({});
});

test('--piv is refused cleanly, before any key is read', async () => {
  const r = await call(alice, ['--osh', 'selfAddIngressKey', '--piv']);
  assert.equal(r.code, 100);
  assert.equal(r.env.error_code, 'KO_PIV_NOT_AVAILABLE');
  assert.equal(r.env.value, null);
});

test('an account with an immutable key may not add or delete its keys', async () => {
  const frozenKeys = srv.addAccount('immutable1', { settings: { immutable_key: 'yes' } });
  const k = srv.newKey();
  const add = await call(frozenKeys, ['--osh', 'selfAddIngressKey'], k.publicLine + '\n');
  assert.equal(add.code, 100);
  assert.equal(add.env.error_code, 'KO_IMMUTABLE_KEY');
  const del = await call(frozenKeys, ['--osh', 'selfDelIngressKey', '--id-to-delete', '1']);
  assert.equal(del.code, 100);
  assert.equal(del.env.error_code, 'KO_IMMUTABLE_KEY');
  const list = await call(frozenKeys, ['--osh', 'selfListIngressKeys']);
  assert.equal(list.env.value.keys.length, 1);
  // The same through accountCreate --immutable-key, as an admin would set it.
  const own = srv.newKey();
  const made = await call(admin(), ['--osh', 'accountCreate', '--account', 'immutable2', '--uid-auto', '--immutable-key'], own.publicLine + '\n');
  assert.equal(made.env.error_code, 'OK', made.env.error_message);
  const viaCreate = await call({ name: 'immutable2' }, ['--osh', 'selfAddIngressKey'], k.publicLine + '\n');
  assert.equal(viaCreate.env.error_code, 'KO_IMMUTABLE_KEY');
});

test('accountListIngressKeys: restricted, --account required, unknown accounts refused', async () => {
  const denied = await call(alice, ['--osh', 'accountListIngressKeys', '--account', 'admin']);
  assert.equal(denied.code, 106);
  assert.equal(denied.env.error_code, 'KO_RESTRICTED_COMMAND');
  assert.equal(denied.env.command, null);
  const ok = await call(admin(), ['--osh', 'accountListIngressKeys', '--account', 'alice']);
  assert.equal(ok.code, 0);
  assert.equal(ok.env.value.account, 'alice');
  assert.equal(ok.env.value.keys[0].fingerprint, sshKeygenFingerprint(alice.key.publicLine));
  assert.equal(ok.env.value.keys[0].id, 1);
  const missing = await call(admin(), ['--osh', 'accountListIngressKeys']);
  assert.equal(missing.code, 100);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
  const unknown = await call(admin(), ['--osh', 'accountListIngressKeys', '--account', 'nobody']);
  assert.equal(unknown.code, 100);
  assert.equal(unknown.env.error_code, 'KO_NOT_FOUND');
  const bad = await call(admin(), ['--osh', 'accountListIngressKeys', '--account', 'bad$name']);
  assert.equal(bad.code, 100);
  assert.equal(bad.env.error_code, 'KO_FORBIDDEN_CHARS');
});
