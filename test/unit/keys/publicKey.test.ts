// Public key lines: what get_ssh_pub_key_info accepts, with ssh-keygen's fingerprints and sizes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { checkKeyPolicy, fingerprintOf, keyLine, parsePublicKeyLine, type PublicKeyInfo } from '../../../src/keys/publicKey.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pubkey-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const ed = generateCheckedKeyPair('ed25519', { comment: 'alice@laptop' });
const ec = generateCheckedKeyPair('ecdsa', { bits: 384, comment: 'ec' });
const rsa = generateCheckedKeyPair('rsa', { bits: 2048, comment: 'rsa key' });
const rsaSmall = generateCheckedKeyPair('rsa', { bits: 1024 });

function parsed(line: string): PublicKeyInfo {
  const r = parsePublicKeyLine(line);
  assert.equal(r.code, 'OK', r.msg);
  assert.ok(r.value);
  return r.value;
}

function sshKeygen(line: string): { size: number; fingerprint: string; family: string } {
  const f = path.join(dir, `k${Math.random().toString(36).slice(2)}.pub`);
  fs.writeFileSync(f, line + '\n');
  const out = execFileSync('ssh-keygen', ['-l', '-f', f], { encoding: 'utf8' }).trim();
  const m = /^(\d+)\s+(\S+)\s+.*\(([A-Z0-9-]+)\)$/.exec(out);
  assert.ok(m, out);
  return { size: Number(m[1]), fingerprint: m[2] as string, family: m[3] as string };
}

test('ed25519, ECDSA and RSA lines: family, size and fingerprint as ssh-keygen -l says', () => {
  for (const line of [ed.public, ec.public, rsa.public]) {
    const k = parsed(line);
    const ref = sshKeygen(line);
    assert.equal(k.fingerprint, ref.fingerprint, line);
    assert.equal(k.size, ref.size, line);
    assert.equal(k.family, ref.family, line);
    assert.equal(k.fingerprint, fingerprintOf(k.blob));
  }
  const e = parsed(ed.public);
  assert.equal(e.typecode, 'ssh-ed25519');
  assert.equal(e.comment, 'alice@laptop');
  assert.equal(e.prefix, '');
  assert.deepEqual(e.fromList, []);
  assert.equal(parsed(rsa.public).comment, 'rsa key');
});

test('a from="…" prefix gives the from list; an option Gatehouse can not honour refuses the line', () => {
  const k = parsed(`from="127.0.0.1,10.0.0.0/8" ${ed.public}`);
  assert.deepEqual(k.fromList, ['127.0.0.1', '10.0.0.0/8']);
  assert.equal(k.prefix, 'from="127.0.0.1,10.0.0.0/8"');
  assert.equal(parsePublicKeyLine(`no-pty ${ed.public}`).code, 'KO_UNSUPPORTED_KEY_OPTION');
  assert.equal(parsed(`no-port-forwarding ${ed.public}`).prefix, 'no-port-forwarding');
});

test('surrounding blanks and line endings are tolerated; no comment is fine', () => {
  const [type, b64] = ed.public.split(' ');
  const k = parsed(`  ${type} ${b64}\r\n`);
  assert.equal(k.comment, '');
  assert.equal(k.typecode, 'ssh-ed25519');
});

test('a private key is refused with KO_PRIVATE_KEY, never parsed', () => {
  assert.equal(parsePublicKeyLine(ed.private).code, 'KO_PRIVATE_KEY');
  assert.equal(parsePublicKeyLine('-----BEGIN OPENSSH PRIVATE KEY----- abc').code, 'KO_PRIVATE_KEY');
});

test('things that are not keys: KO_NOT_A_KEY', () => {
  const [type, b64] = ed.public.split(' ') as [string, string];
  for (const bad of [
    '',
    'hello world',
    'ssh-ed25519',
    `ssh-ed25519 ${b64.slice(0, 20)}`,
    `ssh-ed25519 ${b64}!!`,
    // A valid blob under the wrong type name.
    `ecdsa-sha2-nistp256 ${b64}`,
    `ssh-ed25519 ${b64} ${'c'.repeat(129)}`,
    `${type} ${b64} ${'x'.repeat(3000)}`,
    'ssh-foo AAAA',
  ]) {
    assert.equal(parsePublicKeyLine(bad).code, 'KO_NOT_A_KEY', bad.slice(0, 60));
  }
});

test('DSA and security-key types are refused by algorithm', () => {
  assert.equal(parsePublicKeyLine('ssh-dss AAAAB3NzaC1kc3MAAACBAP8= x').code, 'KO_FORBIDDEN_ALGORITHM');
  assert.equal(parsePublicKeyLine('sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t x').code, 'KO_FORBIDDEN_ALGORITHM');
});

test('checkKeyPolicy: allowed algorithms and RSA size limits', () => {
  const all = { allowed: ['rsa', 'ecdsa', 'ed25519'], minRsa: 2048, maxRsa: 8192 };
  assert.equal(checkKeyPolicy(parsed(ed.public), all).code, 'OK');
  assert.equal(checkKeyPolicy(parsed(rsa.public), all).code, 'OK');
  assert.equal(checkKeyPolicy(parsed(rsaSmall.public), all).code, 'KO_KEY_SIZE_TOO_SMALL');
  assert.equal(checkKeyPolicy(parsed(rsa.public), { ...all, maxRsa: 1024 }).code, 'KO_KEY_SIZE_TOO_BIG');
  assert.equal(checkKeyPolicy(parsed(ed.public), { ...all, allowed: ['rsa', 'ecdsa'] }).code, 'KO_FORBIDDEN_ALGORITHM');
  assert.equal(checkKeyPolicy(parsed(ec.public), { ...all, allowed: ['ed25519'] }).code, 'KO_FORBIDDEN_ALGORITHM');
});

test('keyLine rebuilds the line The Bastion shows', () => {
  const k = parsed(ed.public);
  assert.equal(keyLine(k, []), ed.public);
  assert.equal(keyLine(k, ['127.0.0.1', '::1']), `from="127.0.0.1,::1" ${ed.public}`);
  assert.equal(keyLine({ ...k, comment: '' }, []), ed.public.split(' ').slice(0, 2).join(' '));
});

test('generated pairs are checked: a truncated ed25519 public half is caught', async () => {
  const { isWellFormedPair } = await import('../../../src/services/keygen.js');
  // A public line as ssh2's generator produces it about once in 256: the 32-byte key lost its
  // leading zero byte (length 0x1f).
  const truncated = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAH8bvsmJIskfliReKMg+aOGkn5JQJG/CW2Uqx1FtEcas= c';
  assert.equal(parsePublicKeyLine(truncated).code, 'KO_NOT_A_KEY');
  assert.equal(isWellFormedPair({ private: ed.private, public: truncated }), false);
  assert.equal(isWellFormedPair({ private: ed.private, public: ec.public }), false);
  assert.equal(isWellFormedPair(ed), true);
  for (let i = 0; i < 300; i++) {
    const pair = generateCheckedKeyPair('ed25519');
    assert.equal(parsePublicKeyLine(pair.public).code, 'OK');
  }
});
