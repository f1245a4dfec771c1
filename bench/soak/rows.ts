// One soak row: a well-behaved client times `--osh info --json`, on a fresh connection per call
// and on one connection kept open, while one attack (in a worker thread) loads the server; the
// row holds its latencies against the idle row's, the server's peak RSS, what the server did to
// the attacker, and a verdict. Whatever the server does, a row ends: every call has a deadline,
// the attack is stopped and its worker terminated, and a crash of the server becomes a FAIL.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sampleRss } from '../lib/proc.js';
import { median, percentile } from '../lib/stats.js';
import type { AttackKind, AttackReport, AttackSpec, SoakSizes } from './attacks.js';
import type { WorkerMessage } from './attackWorker.js';
import { Tally } from './tally.js';
import { call, connect, outcomeLabel, type CallOutcome, type Login, type SshClient } from './ssh.js';

export interface SoakTarget {
  /** The well-behaved client's login (the one timed). */
  readonly good: Login;
  /** The attacker's login: another account, connecting from another loopback address. */
  readonly attacker: Login;
  /** The server's process, for its RSS. */
  readonly pid: number;
  /** Bytes in the server's log so far, when it writes one to a file. */
  logBytes(): number | null;
  /** False once the server has exited. */
  alive(): boolean;
  /** A call that asks for a line on stdin, and one with a long output. */
  readonly stdinCommand: string;
  readonly longOutputCommand: string;
}

export interface LatencyStats {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  /** Failed or timed-out good calls, by outcome. */
  readonly failures: Record<string, number>;
  /** Calls that answered the right envelope but with something off (no exit status), by what. */
  readonly quirks: Record<string, number>;
}

export interface SoakRow {
  readonly attack: AttackKind | 'idle';
  readonly fresh: LatencyStats;
  readonly kept: LatencyStats;
  /** The worse of the two medians over its idle median (null for the idle row itself). */
  readonly ratio: number | null;
  readonly rssPeakMiB: number | null;
  readonly logGrowthBytes: number | null;
  readonly serverDid: string;
  readonly verdict: 'baseline' | 'PASS' | 'FAIL';
  /** Why FAIL, or ''. */
  readonly why: string;
  /** Remarks that don't change the verdict (the good calls answered, but something was off). */
  readonly note: string;
  /** After the attack stopped: how long until a fresh call succeeded again. */
  readonly recoveryMs: number | null;
}

export interface RowOptions {
  readonly seconds: number;
  readonly sizes: SoakSizes;
  /** Deadline of one good call (connection included). */
  readonly callTimeoutMs: number;
  /** The idle row, to compare with (absent for the idle row). */
  readonly idle?: SoakRow;
}

/** The bound each row is judged against: the good client's medians within this factor of idle. */
export const WITHIN = 2;
const INFO = '--osh info --json';
const INFO_OK = /JSON_START\r?\n\{"command":"info","error_code":"OK"/;
const ENGAGE_MS = 8000;
const STOP_MS = 25_000;
const RECOVER_MS = 30_000;
const PROBE_GAP_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A deadline to race against: it must not keep the process alive once the race is won. */
const deadline = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

class Sample {
  readonly ms: number[] = [];
  readonly failures = new Tally();
  readonly quirks = new Tally();
  fail(label: string): void {
    this.failures.add(label);
  }
  /** A call that answered; its envelope must be info's OK one, its exit status should be 0. */
  check(r: CallOutcome): void {
    if (!INFO_OK.test(r.stdout)) throw new Error(`info answered exit ${r.code} without its OK envelope`);
    // The user got the answer, so the call is timed; a wrong or missing exit status is counted apart.
    if (r.code !== 0) this.quirks.add(`exit status ${r.code}`);
  }
  stats(): LatencyStats {
    return { n: this.ms.length, median: median(this.ms), p90: percentile(this.ms, 90), failures: this.failures.counts, quirks: this.quirks.counts };
  }
}

async function freshCall(t: SoakTarget, timeoutMs: number): Promise<CallOutcome> {
  const deadline = Date.now() + timeoutMs;
  const c = await connect(t.good, timeoutMs);
  try {
    return await call(c, INFO, Math.max(1, deadline - Date.now()));
  } finally {
    c.end();
  }
}

/** Alternates a fresh-connection call and a call on the kept connection until `until`. */
async function probe(t: SoakTarget, until: number, timeoutMs: number, fresh: Sample, kept: Sample, keptClient: { c: SshClient | null }): Promise<void> {
  while (Date.now() < until && t.alive()) {
    let t0 = performance.now();
    try {
      fresh.check(await freshCall(t, timeoutMs));
      fresh.ms.push(performance.now() - t0);
    } catch (e) {
      fresh.fail(outcomeLabel(e));
    }
    t0 = performance.now();
    try {
      if (!keptClient.c) {
        // The kept connection was lost (the server ended it): count it, and keep measuring.
        kept.fail('kept connection lost');
        keptClient.c = await connect(t.good, timeoutMs);
        t0 = performance.now();
      }
      kept.check(await call(keptClient.c, INFO, timeoutMs));
      kept.ms.push(performance.now() - t0);
    } catch (e) {
      kept.fail(outcomeLabel(e));
      keptClient.c?.destroy();
      keptClient.c = null;
    }
    // A well-behaved client pauses between calls instead of adding a load of its own.
    await sleep(PROBE_GAP_MS);
  }
}

/** Starts the attack in a worker; resolves once it is engaged (or after ENGAGE_MS). */
function startWorker(spec: AttackSpec): { engaged: Promise<void>; stop(): Promise<AttackReport> } {
  const w = new Worker(new URL('./attackWorker.js', import.meta.url), { workerData: spec });
  let report: (r: AttackReport) => void = () => {};
  const reported = new Promise<AttackReport>((r) => (report = r));
  let engaged: () => void = () => {};
  const isEngaged = new Promise<void>((r) => (engaged = r));
  w.on('message', (m: WorkerMessage) => {
    if ('engaged' in m) engaged();
    else if ('report' in m) report(m.report);
    else report({ counts: {}, summary: `attack failed: ${m.error}` });
  });
  w.on('error', (e) => {
    engaged();
    report({ counts: {}, summary: `attack worker failed: ${e.message}` });
  });
  w.on('exit', () => {
    engaged();
    report({ counts: {}, summary: 'attack worker exited early' });
  });
  return {
    engaged: Promise.race([isEngaged, deadline(ENGAGE_MS)]),
    async stop() {
      w.postMessage('stop');
      const r = await Promise.race([reported, deadline(STOP_MS).then((): AttackReport => ({ counts: {}, summary: 'attack did not stop in time (terminated)' }))]);
      await w.terminate();
      return r;
    },
  };
}

export async function runRow(t: SoakTarget, attack: AttackKind | 'idle', opts: RowOptions): Promise<SoakRow> {
  const started = Date.now();
  const rss = sampleRss(t.pid, 100);
  const logBefore = t.logBytes();
  const fresh = new Sample();
  const kept = new Sample();
  const keptClient: { c: SshClient | null } = { c: null };
  try {
    keptClient.c = await connect(t.good, opts.callTimeoutMs);
  } catch (e) {
    kept.fail(`kept connection: ${outcomeLabel(e)}`);
  }
  const worker =
    attack === 'idle' ? null : startWorker({ kind: attack, login: t.attacker, sizes: opts.sizes, stdinCommand: t.stdinCommand, longOutputCommand: t.longOutputCommand });
  let serverDid = 'nothing to do';
  let recoveryMs: number | null = null;
  try {
    if (worker) await worker.engaged;
    // At least half the window is measured under load, however long the attack took to engage.
    const until = Math.max(started + opts.seconds * 1000, Date.now() + (opts.seconds * 1000) / 2);
    await probe(t, until, opts.callTimeoutMs, fresh, kept, keptClient);
  } finally {
    if (worker) serverDid = (await worker.stop()).summary;
    keptClient.c?.end();
  }
  if (worker) {
    const t0 = Date.now();
    while (t.alive() && Date.now() - t0 < RECOVER_MS) {
      try {
        new Sample().check(await freshCall(t, opts.callTimeoutMs));
        recoveryMs = Date.now() - t0;
        break;
      } catch {
        await sleep(200);
      }
    }
  }
  const samples = rss.stop();
  const logAfter = t.logBytes();
  const row = {
    attack,
    fresh: fresh.stats(),
    kept: kept.stats(),
    rssPeakMiB: samples.length > 0 ? Math.max(...samples) : null,
    logGrowthBytes: logBefore !== null && logAfter !== null ? logAfter - logBefore : null,
    serverDid: t.alive() ? serverDid : `${serverDid}; SERVER EXITED`,
    recoveryMs,
  };
  return { ...row, ...judge(row, t.alive(), opts.idle) };
}

function judge(row: Pick<SoakRow, 'fresh' | 'kept'>, alive: boolean, idle: SoakRow | undefined): Pick<SoakRow, 'ratio' | 'verdict' | 'why' | 'note'> {
  const why: string[] = [];
  const notes: string[] = [];
  if (!alive) why.push('server exited');
  for (const [label, s] of [
    ['fresh', row.fresh],
    ['kept', row.kept],
  ] as const) {
    const failed = Object.values(s.failures).reduce((a, b) => a + b, 0);
    const how = Object.entries(s.failures)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    if (failed > 0) why.push(`${failed} ${label} call(s) failed (${how})`);
    if (s.n === 0) why.push(`no ${label} call succeeded`);
  }
  const quirks = (['fresh', 'kept'] as const).flatMap((label) => Object.entries(row[label].quirks).map(([k, v]) => `${label}: ${k} on ${v} call(s)`));
  if (quirks.length > 0) notes.push(`answered, but ${quirks.join(', ')}`);
  const note = notes.join('; ');
  if (!idle) return { ratio: null, verdict: why.length > 0 ? 'FAIL' : 'baseline', why: why.join('; '), note };
  const r = (a: number, b: number): number => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
  const ratios = [r(row.fresh.median, idle.fresh.median), r(row.kept.median, idle.kept.median)];
  const ratio = ratios.some((x) => Number.isNaN(x)) ? null : Math.max(...ratios);
  if (ratio !== null && ratio > WITHIN) why.push(`median ${ratio.toFixed(2)}× idle`);
  return { ratio, verdict: why.length > 0 ? 'FAIL' : 'PASS', why: why.join('; '), note };
}

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x >= 100 ? 0 : 1) : '–');
const kib = (b: number | null): string => (b === null ? '–' : b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The rows as a markdown table. */
export function markdownTable(rows: readonly SoakRow[]): string {
  const head = [
    'attack',
    'fresh median / p90 (ms)',
    'kept median / p90 (ms)',
    '× idle',
    'RSS peak',
    'log growth',
    'recovery',
    'what the server did',
    `verdict (≤ ${WITHIN}× idle)`,
  ];
  const lines = rows.map((r) => [
    r.attack,
    `${ms(r.fresh.median)} / ${ms(r.fresh.p90)} (n=${r.fresh.n})`,
    `${ms(r.kept.median)} / ${ms(r.kept.p90)} (n=${r.kept.n})`,
    r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`,
    r.rssPeakMiB === null ? '–' : `${r.rssPeakMiB.toFixed(0)} MiB`,
    kib(r.logGrowthBytes),
    r.recoveryMs === null ? '–' : `${r.recoveryMs} ms`,
    r.serverDid,
    verdictText(r),
  ]);
  return [head, head.map(() => '---'), ...lines].map((l) => `| ${l.map(cell).join(' | ')} |`).join('\n') + '\n';
}

/** One progress line per row, for stderr. */
export function rowLine(r: SoakRow): string {
  return `${r.attack}: fresh ${ms(r.fresh.median)}/${ms(r.fresh.p90)} ms, kept ${ms(r.kept.median)}/${ms(r.kept.p90)} ms${r.ratio === null ? '' : ` (${r.ratio.toFixed(2)}× idle)`}, RSS peak ${r.rssPeakMiB?.toFixed(0) ?? '–'} MiB — ${r.serverDid} — ${verdictText(r)}`;
}

function verdictText(r: SoakRow): string {
  return `${r.verdict}${r.why ? `: ${r.why}` : ''}${r.note ? ` (note: ${r.note})` : ''}`;
}

/** Bytes in a file, or null when it can't be read. */
export function fileBytes(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}
