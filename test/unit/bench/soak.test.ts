// The soak harness (`npm run soak`, bench/soak/) is a measuring instrument that only runs by hand;
// this keeps it from rotting: every attack's row function runs for under a second of load, at toy sizes,
// against a test server, and must give a well-formed row (latencies, what the server did, a
// verdict) and a markdown table with one line per row. What the figures are is not asserted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ATTACKS, type SoakSizes } from '../../../bench/soak/attacks.js';
import { markdownTable, runRow, type SoakRow, type SoakTarget } from '../../../bench/soak/rows.js';
import { seedAccounts } from '../../../bench/soak/seed.js';
import { canBind } from '../../../bench/soak/ssh.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const TOY: SoakSizes = {
  idleSockets: 20,
  authConcurrency: 2,
  stdinBytes: 512 * 1024,
  lineBytes: 64 * 1024,
  userBytes: 2000,
  execBytes: 4096,
  slowSessions: 2,
};

let srv: TestServer;
let target: SoakTarget;
before(async () => {
  srv = await startTestServer();
  const attacker = srv.addAccount('soakattacker');
  srv.writeConfig({ adminAccounts: ['admin', 'soakattacker'] });
  seedAccounts(srv.gh.store, 50);
  const source = (await canBind('127.0.0.2')) ? { localAddress: '127.0.0.2' } : {};
  target = {
    good: { port: srv.port, user: 'admin', privateKey: srv.admin.key.privateKey },
    attacker: { port: srv.port, user: attacker.name, privateKey: attacker.key.privateKey, ...source },
    pid: process.pid,
    logBytes: () => null,
    alive: () => true,
    stdinCommand: '--osh selfAddIngressKey',
    longOutputCommand: '--osh accountList --json',
  };
});
after(async () => {
  await srv.close();
});

function assertWellFormed(row: SoakRow): void {
  for (const s of [row.fresh, row.kept]) {
    assert.ok(Number.isInteger(s.n) && s.n >= 0);
    assert.equal(typeof s.failures, 'object');
    if (s.n > 0) assert.ok(s.median > 0 && s.p90 >= s.median, `${row.attack}: median ${s.median}, p90 ${s.p90}`);
  }
  assert.ok(row.rssPeakMiB !== null && row.rssPeakMiB > 0);
  assert.ok(['baseline', 'PASS', 'FAIL'].includes(row.verdict));
  assert.equal(row.verdict === 'FAIL', row.why !== '', `${row.attack}: a FAIL says why, and only a FAIL`);
}

test('every attack row of the soak harness runs briefly and comes out well formed', { timeout: 120_000 }, async () => {
  const opts = { seconds: 0.6, sizes: TOY, callTimeoutMs: 10_000 };
  const idle = await runRow(target, 'idle', opts);
  assertWellFormed(idle);
  assert.ok(idle.fresh.n > 0 && idle.kept.n > 0, 'the good client got answers at idle');
  assert.equal(idle.ratio, null);
  const rows: SoakRow[] = [idle];
  for (const attack of ATTACKS) {
    const row = await runRow(target, attack, { ...opts, idle });
    assertWellFormed(row);
    assert.equal(row.attack, attack);
    assert.notEqual(row.verdict, 'baseline');
    // The attack ran and reported (it did not fail, hang or get terminated).
    assert.match(row.serverDid, /\d/, `${attack}: ${row.serverDid}`);
    assert.doesNotMatch(row.serverDid, /attack (worker )?failed|exited early|did not stop/, `${attack}: ${row.serverDid}`);
    assert.ok(row.recoveryMs !== null, `${attack}: the server answered again after the attack`);
    rows.push(row);
  }
  const table = markdownTable(rows).trimEnd().split('\n');
  assert.equal(table.length, 2 + rows.length);
  for (const [i, line] of table.entries()) assert.match(line, /^\| .* \|$/, `table line ${i}`);
  for (const a of ATTACKS)
    assert.ok(
      table.some((l) => l.startsWith(`| ${a} |`)),
      a,
    );
});
