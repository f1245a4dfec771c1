// `npm run soak [-- --seconds N] [-- ATTACK…]`: how a well-behaved client fares while the server is
// under hostile load. One Gatehouse child (as `npm run bench` starts it); a row at idle, then one
// per attack (bench/soak/attacks.ts), each for a bounded time; a markdown table on stdout,
// progress on stderr. A row that misses "within 2× of idle" is a FAIL in the table, not an error:
// the exit status is 0 whatever the server did, and non-zero only when the harness itself broke.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatehouse } from './lib/gatehouse.js';
import { makeKey } from './lib/openssh.js';
import type { BenchContext } from './lib/types.js';
import { openStore } from '../src/store/store.js';
import { ATTACKS, FULL_SIZES, type AttackKind } from './soak/attacks.js';
import { fileBytes, markdownTable, rowLine, runRow, WITHIN, type SoakRow, type SoakTarget } from './soak/rows.js';
import { seedAccounts } from './soak/seed.js';
import { canBind } from './soak/ssh.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_SECONDS = 12;
const CALL_TIMEOUT_MS = 10_000;
/** Accounts seeded so that the long output below is long: about 13 MB, which no SSH window holds. */
const SEEDED_ACCOUNTS = 10_000;
const LONG_OUTPUT = '--osh accountList --audit --json-pretty';
/** Whatever happens, the run ends: 7 rows of ≤ ~1 min each at worst. */
const HARD_LIMIT_MS = 10 * 60_000;
const ATTACKER = 'soakattacker';
const ATTACKER_ADDRESS = '127.0.0.2';

function parseArgs(argv: readonly string[]): { seconds: number; attacks: AttackKind[] } {
  let seconds = DEFAULT_SECONDS;
  const attacks: AttackKind[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--seconds') {
      seconds = Number(argv[++i]);
      if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120) throw new Error('--seconds takes 1 to 120');
    } else if ((ATTACKS as readonly string[]).includes(a)) attacks.push(a as AttackKind);
    else throw new Error(`unknown argument ${a}; attacks: ${ATTACKS.join(', ')}`);
  }
  return { seconds, attacks: attacks.length > 0 ? attacks : [...ATTACKS] };
}

async function main(argv: string[]): Promise<number> {
  const { seconds, attacks } = parseArgs(argv);
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-soak-'));
  const cleanups: (() => void | Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  const log = (msg: string): void => void process.stderr.write(`[soak] ${msg}\n`);
  const ctx: BenchContext = { tmpDir, repoRoot: REPO_ROOT, log, onCleanup: (fn) => cleanups.push(fn) };
  const onSignal = (): void => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: SoakRow[] = [];
  const hardStop = setTimeout(() => {
    log(`hard limit of ${HARD_LIMIT_MS / 60_000} min reached: printing what was measured`);
    process.stdout.write(markdownTable(rows));
    void cleanUp().finally(() => process.exit(2));
  }, HARD_LIMIT_MS);
  try {
    const gh = await startGatehouse(ctx, { name: 'gatehouse-soak' });
    const attackerKey = makeKey(gh.dir, 'attacker_key');
    await gh.addAdmin(ATTACKER, attackerKey);
    const store = openStore(path.join(gh.dir, 'data', 'gatehouse.db'));
    seedAccounts(store, SEEDED_ACCOUNTS);
    store.close();
    const source = (await canBind(ATTACKER_ADDRESS)) ? ATTACKER_ADDRESS : undefined;
    if (!source) log(`cannot use ${ATTACKER_ADDRESS}: attackers share 127.0.0.1 with the good client`);
    const target: SoakTarget = {
      good: { port: gh.port, user: gh.admin.name, privateKey: gh.admin.key.privateKey },
      attacker: { port: gh.port, user: ATTACKER, privateKey: attackerKey.privateKey, ...(source ? { localAddress: source } : {}) },
      pid: gh.pid,
      logBytes: () => fileBytes(path.join(gh.dir, 'gatehouse.log')),
      alive: () => gh.process.exitCode === null && gh.process.signalCode === null,
      stdinCommand: '--osh selfAddIngressKey',
      longOutputCommand: LONG_OUTPUT,
    };
    log(`gatehouse pid ${gh.pid} on port ${gh.port}; ${SEEDED_ACCOUNTS} accounts seeded; ${seconds} s per row; attacker ${ATTACKER}@${source ?? '127.0.0.1'}`);
    const opts = { seconds, sizes: FULL_SIZES, callTimeoutMs: CALL_TIMEOUT_MS };
    const idle = await runRow(target, 'idle', opts);
    rows.push(idle);
    log(rowLine(idle));
    for (const [i, a] of attacks.entries()) {
      log(`${a}…`);
      // Each attack from its own address: a source penalised by one row (the auth flood) would
      // otherwise be refused at accept in every later row, which would then measure nothing.
      const own = source ? `127.0.0.${2 + i}` : undefined;
      const attacker = own && (await canBind(own)) ? { ...target.attacker, localAddress: own } : target.attacker;
      const row = await runRow({ ...target, attacker }, a, { ...opts, idle });
      rows.push(row);
      log(rowLine(row));
    }
  } catch (e) {
    clearTimeout(hardStop);
    log(`harness failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (rows.length > 0) process.stdout.write(markdownTable(rows));
    await cleanUp();
    return 1;
  }
  clearTimeout(hardStop);
  await cleanUp();
  const failed = rows.filter((r) => r.verdict === 'FAIL').length;
  process.stdout.write(
    `\nGatehouse soak: node ${process.version}, ${os.cpus().length} CPU, ${seconds} s per row; PASS = the good client's medians within ${WITHIN}× of idle and none of its calls failed\n\n`,
  );
  process.stdout.write(markdownTable(rows));
  process.stdout.write(`\n${rows.length - 1 - failed} PASS, ${failed} FAIL\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`soak: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
