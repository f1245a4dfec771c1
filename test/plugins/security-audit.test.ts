// The audit trail under attack, through the dispatcher in-process: a private key flattened into
// words is refused and leaves no line of itself in the audit rows or the log, and the audit words
// are bounded (boundAuditArgs, and its bastion.conf keys). The attacks themselves over SSH (a key
// pasted through the OpenSSH client, exec strings at and past the packet limit) are in
// test/e2e/security-audit.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { AUDIT_ARGS_BOUNDS, boundAuditArgs } from '../../src/store/audit.js';
import type { AuditRow } from '../../src/store/audit.js';
import { greppable } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { assertNowhere, auditRows, opensshPrivateKey, secretLines } from '../helpers/auditScan.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let mallory: { name: string };
before(async () => {
  srv = await startTestServer();
  mallory = srv.addAccount('mallory');
});
after(async () => {
  await srv.close();
});

const rows = (): AuditRow[] => auditRows(srv);

test('a private key flattened into words of --comment, or of any plugin, is refused the same way', async () => {
  // An RSA key, many lines long; 1024 bits are enough for that and take milliseconds to make.
  const pem = generateCheckedKeyPair('rsa', { bits: 1024 }).private;
  const flat = pem.replace(/\n/g, ' ');
  const r = await callInProcess(srv, mallory.name, ['--json-greppable', '--osh', 'info', '--comment', flat]);
  assert.equal(r.code, 100, r.stdout + r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'KO_PRIVATE_KEY');
  // The base64 body alone, without its BEGIN line, is still recognised (openssh-key-v1 magic).
  const body = secretLines(await opensshPrivateKey()).join('');
  const r2 = await callInProcess(srv, mallory.name, ['--json-greppable', '--osh', 'selfAddIngressKey', `--public-key=${body}`]);
  assert.equal(greppable(r2.stdout).error_code, 'KO_PRIVATE_KEY');
  const row = rows().at(-1) as AuditRow;
  assert.deepEqual(JSON.parse(row.args), ['--json-greppable', '--osh', 'selfAddIngressKey', '--public-key=[private key material removed]']);
  assertNowhere(srv, pem);
  assertNowhere(srv, body);
});

test('boundAuditArgs: short calls untouched, long words clipped with their size, counts of what was dropped', () => {
  assert.deepEqual(boundAuditArgs(['--osh', 'info']), ['--osh', 'info']);
  const [clipped] = boundAuditArgs(['z'.repeat(5000)]);
  assert.match(clipped ?? '', /^z+…\[\+1928 bytes\]$/);
  const many = boundAuditArgs(Array.from({ length: 100 }, () => 'abc'));
  assert.equal(many.length, AUDIT_ARGS_BOUNDS.words + 1);
  assert.equal(many.at(-1), `[… ${100 - AUDIT_ARGS_BOUNDS.words} more words, ${(100 - AUDIT_ARGS_BOUNDS.words) * 3} bytes not kept]`);
  // Multi-byte characters are never split.
  const [utf] = boundAuditArgs(['é'.repeat(2000)]);
  assert.ok(!(utf ?? '').includes('\uFFFD'));
  assert.equal(Buffer.byteLength((utf ?? '').split('…')[0] ?? ''), 3072);
});

test('the audit bounds are bastion.conf keys: a smaller auditArgsMaxWords keeps fewer words, and counts the rest', async () => {
  srv.writeConfig({ bastionName: 'testbastion', auditArgsMaxWords: 8 });
  try {
    const before = rows().length;
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`);
    await callInProcess(srv, mallory.name, ['--osh', 'info', ...words]);
    const [row] = rows().slice(before);
    assert.ok(row, 'the call left its row');
    const args = JSON.parse(row.args) as string[];
    assert.equal(args.length, 9);
    assert.match(args.at(-1) ?? '', /^\[… 12 more words, \d+ bytes not kept\]$/);
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});
