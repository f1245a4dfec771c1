// Every call, refused or not, leaves exactly one audit row in SQLite and one pino line, tied to
// one connection line and one auth line by the connection id. Here what only a real connection
// gives the row: the peer's address and port, the connection id and its log lines, a shell
// channel, parallel connections. The rest of the audit rules run in-process, in
// test/plugins/core-audit.test.ts.
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
before(async () => {
  srv = await startTestServer();
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

test('calls in parallel: one row each, each with its own call id', async () => {
  const before = rows().length;
  const results = await Promise.all(Array.from({ length: 10 }, () => ssh2Exec(srv.port, 'admin', srv.admin.key.privateKey, '--osh info --json')));
  for (const r of results) assert.equal(r.code, 0);
  const added = rows().slice(before);
  assert.equal(added.length, 10);
  assert.equal(new Set(added.map((r) => r.call_id)).size, 10);
  assert.equal(new Set(added.map((r) => r.conn_id)).size, 10);
});
