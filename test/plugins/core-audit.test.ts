// Every call, refused or not, leaves exactly one audit row in SQLite, through the dispatcher
// in-process: the plugin and its words, the refusals before any plugin runs, secrets kept out, and
// the index the audit query uses. What only a real connection gives the row (the peer's address
// and port, the connection id, the connection and auth log lines, a shell channel, parallel
// connections) is in test/e2e/core-audit.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sqliteOf } from '../../src/store/inspect.js';
import type { CallResult } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { AuditRow } from '../../src/store/audit.js';

let srv: TestServer;
let user: { name: string };
before(async () => {
  srv = await startTestServer();
  user = srv.addAccount('audited');
});
after(async () => {
  await srv.close();
});

const rows = (): AuditRow[] => sqliteOf(srv.gh.store).prepare('SELECT * FROM audit ORDER BY id').all() as AuditRow[];

/** Runs one call and returns the single audit row it added. */
async function audited(call: () => Promise<CallResult>, expectExit: number): Promise<AuditRow> {
  const before = rows().length;
  const r = await call();
  assert.equal(r.code, expectExit, r.stdout + r.stderr);
  const all = rows();
  assert.equal(all.length, before + 1, 'exactly one audit row per call');
  return all[all.length - 1] as AuditRow;
}

const asAdmin = (args: string[]) => () => callInProcess(srv, 'admin', args);

test('a plugin error is audited with the plugin and its words', async () => {
  const row = await audited(asAdmin(['--osh', 'info', '--bogus', 'x']), 100);
  assert.equal(row.plugin, 'info');
  assert.equal(row.kind, 'osh');
  assert.equal(row.error_code, 'ERR_BAD_OPTIONS');
  assert.deepEqual(JSON.parse(row.args), ['--bogus', 'x']);
});

test('refused calls are audited too: 104, 106, 111, 112', async () => {
  const unknown = await audited(asAdmin(['--osh', 'noSuchPlugin', '--json']), 104);
  assert.equal(unknown.error_code, 'KO_UNKNOWN_COMMAND');
  assert.equal(unknown.exit_status, 104);
  assert.equal(unknown.kind, 'refused');
  assert.equal(unknown.plugin, null);
  assert.deepEqual(JSON.parse(unknown.args), ['--osh', 'noSuchPlugin', '--json']);

  const restricted = await audited(() => callInProcess(srv, user.name, ['--osh', 'accountCreate', '--account', 'zed', '--uid-auto']), 106);
  assert.equal(restricted.account, user.name);
  assert.equal(restricted.error_code, 'KO_RESTRICTED_COMMAND');
  assert.equal(restricted.kind, 'refused');
  assert.equal(restricted.plugin, 'accountCreate', 'the row says which plugin was refused');
  assert.deepEqual(JSON.parse(restricted.args), ['--account', 'zed', '--uid-auto']);

  const unsplittable = await audited(asAdmin(['--osh', 'info', '"open']), 111);
  assert.equal(unsplittable.error_code, 'KO_GETOPTS_FAILED');
  assert.equal(unsplittable.kind, 'refused');

  const nothing = await audited(asAdmin(['--json']), 112);
  assert.equal(nothing.error_code, 'KO_NO_HOST');
  assert.equal(nothing.kind, 'refused');
  assert.equal(nothing.plugin, null);
});

test('secret values never reach the audit trail: --mfa-token', async () => {
  // --mfa-token itself is refused (ERR_UNSUPPORTED_OPTION, 111): its value is still not kept.
  const row = await audited(asAdmin(['--mfa-token', '123456', '--osh', 'noSuchPlugin']), 111);
  assert.equal(row.args.includes('123456'), false);
  assert.deepEqual(JSON.parse(row.args), ['--mfa-token', '********', '--osh', 'noSuchPlugin']);
  const eq = await audited(asAdmin(['--mfa-token=654321']), 111);
  assert.equal(eq.args.includes('654321'), false);
});

test('the audit query by account uses its index', () => {
  const plan = sqliteOf(srv.gh.store).prepare('EXPLAIN QUERY PLAN SELECT * FROM audit WHERE account = ? AND at > ?').all('admin', 0) as { detail: string }[];
  assert.ok(
    plan.some((p) => /USING INDEX audit_account_at/.test(p.detail)),
    JSON.stringify(plan),
  );
});
