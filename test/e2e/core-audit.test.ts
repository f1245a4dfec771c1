// Every call, refused or not, leaves exactly one audit row in SQLite and one pino line, tied to
// one connection line and one auth line by the connection id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sshCall, ssh2Exec, type CallResult } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
import type { AuditRow } from '../../src/store/audit.js';
import ssh2 from 'ssh2';
import { sqliteOf } from '../../src/store/inspect.js';
const { Client } = ssh2;

let srv: TestServer;
let user: { name: string; key: { privateFile: string; privateKey: string } };
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

const asAdmin = (args: string[]) => () => sshCall(srv.port, 'admin', srv.admin.key.privateFile, args);

test('an OK call: who, from where, what, the result and how long', async () => {
  const row = await audited(asAdmin(['--osh', 'info', '--json']), 0);
  assert.equal(row.account, 'admin');
  assert.equal(row.peer_ip, '127.0.0.1');
  assert.ok(row.peer_port > 0 && row.peer_port < 65536);
  assert.equal(row.kind, 'osh');
  assert.equal(row.plugin, 'info');
  assert.deepEqual(JSON.parse(row.args), []);
  assert.equal(row.error_code, 'OK');
  assert.equal(row.exit_status, 0);
  assert.ok(row.duration_ms > 0);
  assert.ok(Math.abs(row.at - Date.now()) < 60_000, 'at is in milliseconds since the epoch');
  assert.match(row.conn_id, /^[0-9a-f]{12}$/);
  assert.match(row.call_id, /^[0-9a-f]{12}$/);
  // The pino side: one call line with the same ids, one connection line, one auth line.
  await waitFor('the call log line', () => logLines(srv.logs, 'call', { call: row.call_id }).length === 1);
  const call = logLines(srv.logs, 'call', { call: row.call_id })[0] ?? {};
  assert.equal(call['conn'], row.conn_id);
  assert.equal(call['peer'], `127.0.0.1:${row.peer_port}`);
  assert.equal(call['plugin'], 'info');
  assert.equal(call['code'], 'OK');
  assert.equal(call['exit'], 0);
  assert.equal(logLines(srv.logs, 'connection', { conn: row.conn_id }).length, 1);
  assert.equal(logLines(srv.logs, 'auth accepted', { conn: row.conn_id, account: 'admin' }).length, 1);
});

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

  const restricted = await audited(() => sshCall(srv.port, user.name, user.key.privateFile, ['--osh', 'accountCreate', '--account', 'zed', '--uid-auto']), 106);
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

test('a shell request is audited as a shell', async () => {
  const before = rows().length;
  await new Promise<void>((resolve, reject) => {
    const c = new Client();
    c.on('ready', () =>
      c.shell(false, (err, ch) => {
        if (err) return reject(err);
        ch.on('data', () => {});
        ch.on('close', () => {
          c.end();
          resolve();
        });
        ch.end();
      }),
    );
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port: srv.port, username: 'admin', privateKey: srv.admin.key.privateKey });
  });
  const added = rows().slice(before);
  assert.equal(added.length, 1);
  assert.equal(added[0]?.kind, 'shell');
  assert.equal(added[0]?.error_code, 'KO_NO_HOST');
});

test('secret values never reach the audit trail: --mfa-token', async () => {
  // --mfa-token itself is refused (ERR_UNSUPPORTED_OPTION, 111): its value is still not kept.
  const row = await audited(asAdmin(['--mfa-token', '123456', '--osh', 'noSuchPlugin']), 111);
  assert.equal(row.args.includes('123456'), false);
  assert.deepEqual(JSON.parse(row.args), ['--mfa-token', '********', '--osh', 'noSuchPlugin']);
  const eq = await audited(asAdmin(['--mfa-token=654321']), 111);
  assert.equal(eq.args.includes('654321'), false);
});

test('calls in parallel: one row each, each with its own call id', async () => {
  const before = rows().length;
  const results = await Promise.all(Array.from({ length: 10 }, () => ssh2Exec(srv.port, 'admin', srv.admin.key.privateKey, '--osh info --json')));
  for (const r of results) assert.equal(r.code, 0);
  const added = rows().slice(before);
  assert.equal(added.length, 10);
  assert.equal(new Set(added.map((r) => r.call_id)).size, 10);
  assert.equal(new Set(added.map((r) => r.conn_id)).size, 10);
});

test('the audit query by account uses its index', () => {
  const plan = sqliteOf(srv.gh.store).prepare('EXPLAIN QUERY PLAN SELECT * FROM audit WHERE account = ? AND at > ?').all('admin', 0) as { detail: string }[];
  assert.ok(
    plan.some((p) => /USING INDEX audit_account_at/.test(p.detail)),
    JSON.stringify(plan),
  );
});
