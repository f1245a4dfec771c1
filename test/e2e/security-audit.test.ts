// Attacks on the audit trail over SSH: a private key pasted into a command must be refused and
// leave no line of itself in the audit rows or the log; a huge exec string must not make a huge
// audit row. The other cases of the same checks (a key flattened into words, the bounds and their
// bastion.conf keys) run in-process, in test/plugins/security-audit.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AUDIT_ARGS_BOUNDS } from '../../src/store/audit.js';
import type { AuditRow } from '../../src/store/audit.js';
import { bash, greppable, sshCall, sshCommandLine, ssh2Exec } from '../helpers/clients.js';
import { assertNowhere, auditRows, opensshPrivateKey } from '../helpers/auditScan.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';

let srv: TestServer;
let mallory: { name: string; id: number; key: { privateFile: string; privateKey: string } };
before(async () => {
  srv = await startTestServer();
  mallory = srv.addAccount('mallory');
});
after(async () => {
  await srv.close();
});

const rows = (): AuditRow[] => auditRows(srv);

test('a private key pasted as --public-key (quoted, newlines and all) is refused and stored nowhere', async () => {
  const key = await opensshPrivateKey();
  const before = rows().length;
  // What a user does by mistake: the file's content as the value, through the real OpenSSH client.
  const r = await bash(`${sshCommandLine(srv.port, mallory.name, mallory.key.privateFile)} -- --json-greppable --osh selfAddIngressKey --public-key "\\"$(cat)\\""`, {
    stdin: key,
  });
  assert.equal(r.code, 100, r.stdout + r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, 'KO_PRIVATE_KEY');
  assert.equal(env.value, null);
  assert.equal(srv.gh.store.ingressKeys.forAccount(mallory.id).length, 1, 'no key added');
  const added = rows().slice(before);
  assert.equal(added.length, 1, 'one audit row');
  const row = added[0] as AuditRow;
  assert.equal(row.error_code, 'KO_PRIVATE_KEY');
  assert.equal(row.plugin, 'selfAddIngressKey');
  assert.deepEqual(JSON.parse(row.args), ['--json-greppable', '--osh', 'selfAddIngressKey', '--public-key', '[private key material removed]']);
  await waitFor('the refusal log line', () => logLines(srv.logs, 'call', { code: 'KO_PRIVATE_KEY' }).length >= 1);
  assert.equal(logLines(srv.logs, 'private key material in a command: refused, not stored (its owner should replace that key)', { account: 'mallory' }).length, 1);
  assertNowhere(srv, key);
});

// ssh2 drops a connection whose packet passes its 35000-byte limit, so the longest exec string
// that reaches the dispatcher is a little under that: what a flood of calls can push each time.
test('a 30 KB exec string makes a bounded audit row, with a marker saying what was dropped', async () => {
  const words = Array.from({ length: 700 }, (_, i) => `w${i}-${'x'.repeat(28)}`);
  const huge = `--osh info ${words.join(' ')} ${'y'.repeat(5000)}`;
  assert.ok(huge.length > 25 * 1024);
  const before = rows().length;
  const r = await ssh2Exec(srv.port, mallory.name, mallory.key.privateKey, `--json-greppable ${huge}`);
  assert.ok(r.code !== null, 'the call ended');
  const added = rows().slice(before);
  assert.equal(added.length, 1);
  const row = added[0] as AuditRow;
  assert.ok(Buffer.byteLength(row.args) <= AUDIT_ARGS_BOUNDS.bytes + 200, `audit args are ${row.args.length} bytes`);
  const args = JSON.parse(row.args) as string[];
  assert.ok(args.length <= AUDIT_ARGS_BOUNDS.words + 1);
  assert.match(args.at(-1) ?? '', /^\[… \d+ more words, \d+ bytes not kept\]$/);
});

// Today ssh2 drops the connection for the oversized packet (OpenSSH exits 255, no call, no row); if
// the SSH layer ever lets such a request through, its row must still be bounded.
test('a 64 KB exec string from the OpenSSH client never makes a row bigger than the bound', async () => {
  const before = rows().length;
  const big = Array.from({ length: 2200 }, (_, i) => `v${i}-${'q'.repeat(26)}`).join(' ');
  assert.ok(big.length > 64 * 1024);
  const r = await sshCall(srv.port, mallory.name, mallory.key.privateFile, ['--json-greppable', '--osh', 'info', big]);
  assert.ok(r.code !== null, 'the client ended');
  const added = rows().slice(before);
  assert.ok(added.length <= 1);
  for (const row of added) assert.ok(Buffer.byteLength(row.args) <= AUDIT_ARGS_BOUNDS.bytes + 200, `audit args are ${row.args.length} bytes`);
});
