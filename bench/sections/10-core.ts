// Section "core": what one --osh call costs against what any SSH exec costs.
// 1. Latency: 30 sequential OpenSSH calls to each of Gatehouse (`--osh info --json`), the floor
//    (a bare ssh2 server answering a fixed envelope) and a throwaway OpenSSH sshd (`true`),
//    interleaved call by call so drift in the machine's load hits all three alike.
// 2. Throughput: 32 concurrent in-process ssh2 clients for 10 s, against Gatehouse and then, as
//    its baseline, the floor.
// 3. Memory: RSS (VmRSS) at start, idle after the latency runs, then under load: first 8
//    concurrent clients, then the 32 of the throughput run, each averaged over its steady state
//    (samples every 100 ms after the first 2 s). What one more concurrent call costs is the slope
//    between the two levels, (mean at 32 − mean at 8) ÷ 24: under load V8 grows its young
//    generation by tens of MiB whatever the concurrency (the floor shows it too), and
//    (peak − idle) ÷ 32, printed next to it, spreads that growth over the calls. Both servers are
//    CPU-bound at 8 clients already, so the allocation rate, and the heap sizing it drives, is the
//    same at both levels and only what each open call holds differs. And directly, before any
//    load: 64 calls held open at once (`--osh selfAddIngressKey` waiting for the key on stdin;
//    for the floor, 64 authenticated connections with nothing running), RSS over idle ÷ 64.
import { startFloor } from '../lib/floor.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { closedLoop, hold } from '../lib/load.js';
import { makeKey, timedSsh, type TimedCall } from '../lib/openssh.js';
import { rssMiB } from '../lib/proc.js';
import { ensureSshd, startSshd } from '../lib/sshd.js';
import { median, percentile } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSection } from '../lib/types.js';

const SEQUENTIAL = 30;
const WARMUP = 3;
const CONCURRENT = 32;
const LOAD_SECONDS = 10;
/** The lower load level for the memory slope, and how long it runs. */
const FEW = 8;
const FEW_SECONDS = 6;
/** Samples in the first seconds of a load (connections ramping up) are not steady state. */
const RAMP_MS = 2000;
const SAMPLE_MS = 100;
/** Calls held open at once for the direct per-call measure. */
const HELD = 64;
/** A call that waits for its input: it holds everything a call holds, for as long as we like. */
const HELD_CALL = '--osh selfAddIngressKey';
const HELD_READY = 'Please paste';
const OSH = ['--osh', 'info', '--json'];
const ENVELOPE_OK = /JSON_START\r?\n\{"command":"info","error_code":"OK"/;

interface Target {
  readonly label: string;
  call(): Promise<TimedCall>;
  ok(r: TimedCall): boolean;
  readonly samples: number[];
  failures: number;
  firstError: string | null;
}

async function section(ctx: BenchContext): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // The load comes from one address, 32 handshakes at a time: above the per-source cap on
  // unauthenticated connections, which is a defence against one source, not what is measured here.
  const gh = await startGatehouse(ctx, { config: { perSourceMaxStartups: 0 } });
  const rssStart = rssMiB(gh.pid);
  ctx.log(`gatehouse pid ${gh.pid} on port ${gh.port}`);
  const clientKey = gh.admin.key;
  const floor = await startFloor(ctx, clientKey.publicLine);
  ctx.log(`floor pid ${floor.pid} on port ${floor.port}`);

  const targets: Target[] = [
    {
      label: 'gatehouse',
      call: () => timedSsh(gh.port, gh.admin.name, clientKey.privateFile, OSH),
      ok: (r) => r.code === 0 && ENVELOPE_OK.test(r.stdout),
      samples: [],
      failures: 0,
      firstError: null,
    },
    {
      label: 'floor',
      call: () => timedSsh(floor.port, 'anyone', clientKey.privateFile, OSH),
      ok: (r) => r.code === 0 && ENVELOPE_OK.test(r.stdout),
      samples: [],
      failures: 0,
      firstError: null,
    },
  ];
  let sshdProblem: string | null = null;
  const sshdPath = await ensureSshd(ctx);
  if ('error' in sshdPath) sshdProblem = sshdPath.error;
  else {
    try {
      const sshKey = makeKey(ctx.tmpDir, 'sshd_client_key');
      const sshd = await startSshd(ctx, sshdPath.path, sshKey.publicLine);
      ctx.log(`sshd (${sshdPath.path}) on port ${sshd.port}`);
      targets.push({
        label: 'sshd',
        call: () => timedSsh(sshd.port, sshd.user, sshKey.privateFile, ['true']),
        ok: (r) => r.code === 0,
        samples: [],
        failures: 0,
        firstError: null,
      });
    } catch (e) {
      sshdProblem = e instanceof Error ? (e.message.split('\n')[0] ?? 'failed') : String(e);
    }
  }

  ctx.log(`latency: ${WARMUP} warm-up + ${SEQUENTIAL} sequential calls to each of ${targets.map((t) => t.label).join(', ')}`);
  for (let i = 0; i < WARMUP + SEQUENTIAL; i++) {
    for (const t of targets) {
      const r = await t.call();
      if (!t.ok(r)) {
        t.failures++;
        t.firstError ??= `exit ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 160)}`;
      } else if (i >= WARMUP) t.samples.push(r.ms);
    }
  }
  const stat = (label: string): { med: number | null; p90: number | null; note: string } => {
    const t = targets.find((x) => x.label === label);
    if (!t) return { med: null, p90: null, note: sshdProblem ?? 'not run' };
    const note = `n=${t.samples.length}${t.failures ? `, ${t.failures} failed: ${t.firstError}` : ''}`;
    if (t.samples.length === 0) return { med: null, p90: null, note };
    return { med: median(t.samples), p90: percentile(t.samples, 90), note };
  };
  const s = stat('sshd');
  const f = stat('floor');
  const g = stat('gatehouse');
  rows.push({ name: 'sshd: ssh … true, median', value: s.med, unit: 'ms', note: s.note });
  rows.push({ name: 'sshd: ssh … true, p90', value: s.p90, unit: 'ms' });
  rows.push({ name: 'floor: --osh info --json, median', value: f.med, unit: 'ms', baseline: 'sshd: ssh … true, median', note: f.note });
  rows.push({ name: 'floor: --osh info --json, p90', value: f.p90, unit: 'ms', baseline: 'sshd: ssh … true, p90' });
  rows.push({
    name: 'gatehouse: --osh info --json, median',
    value: g.med,
    unit: 'ms',
    baseline: 'floor: --osh info --json, median',
    target: { atMost: 1.3, on: 'ratio' },
    note: g.note,
  });
  rows.push({ name: 'gatehouse: --osh info --json, p90', value: g.p90, unit: 'ms', baseline: 'floor: --osh info --json, p90' });
  rows.push({ name: 'gatehouse: median, vs sshd', value: g.med, unit: 'ms', baseline: 'sshd: ssh … true, median' });

  ctx.log(`load: ${CONCURRENT} concurrent ssh2 clients for ${LOAD_SECONDS} s, against Gatehouse then the floor`);
  const gl = await loadWithMemory(gh.pid, gh.port, gh.admin.name, clientKey.privateKey, { command: HELD_CALL, marker: HELD_READY });
  const fl = await loadWithMemory(floor.pid, floor.port, 'anyone', clientKey.privateKey, { command: null, marker: '' });
  rows.push({ name: `floor: calls/s, ${CONCURRENT} concurrent`, value: fl.callsPerSecond, unit: 'calls/s', note: fl.note });
  rows.push({
    name: `gatehouse: calls/s, ${CONCURRENT} concurrent`,
    value: gl.callsPerSecond,
    unit: 'calls/s',
    baseline: `floor: calls/s, ${CONCURRENT} concurrent`,
    target: { atLeast: 150 },
    note: gl.note,
  });
  rows.push({ name: 'gatehouse: latency under load, median', value: gl.median, unit: 'ms' });
  rows.push({ name: 'gatehouse: latency under load, p99', value: gl.p99, unit: 'ms' });
  rows.push({ name: 'floor: RSS idle', value: fl.rssIdle, unit: 'MiB' });
  rows.push({ name: 'gatehouse: RSS at start', value: rssStart, unit: 'MiB' });
  rows.push({
    name: 'gatehouse: RSS idle',
    value: gl.rssIdle,
    unit: 'MiB',
    baseline: 'floor: RSS idle',
    target: { atMost: 80 },
    note: `after the ${WARMUP + SEQUENTIAL} latency calls`,
  });
  rows.push({ name: `floor: RSS mean, ${FEW} concurrent`, value: fl.rssFew, unit: 'MiB', note: fl.fewNote });
  rows.push({ name: `floor: RSS mean, ${CONCURRENT} concurrent`, value: fl.rssMany, unit: 'MiB', note: fl.manyNote });
  rows.push({ name: `gatehouse: RSS mean, ${FEW} concurrent`, value: gl.rssFew, unit: 'MiB', baseline: `floor: RSS mean, ${FEW} concurrent`, note: gl.fewNote });
  rows.push({ name: `gatehouse: RSS mean, ${CONCURRENT} concurrent`, value: gl.rssMany, unit: 'MiB', baseline: `floor: RSS mean, ${CONCURRENT} concurrent`, note: gl.manyNote });
  rows.push({ name: `gatehouse: RSS peak, ${CONCURRENT} concurrent`, value: gl.rssPeak, unit: 'MiB', note: `max of ${gl.samples} samples` });
  rows.push({ name: 'floor: RSS per extra concurrent call', value: fl.rssPerCall, unit: 'MiB', note: `(mean at ${CONCURRENT} − mean at ${FEW}) ÷ ${CONCURRENT - FEW}` });
  rows.push({
    name: 'gatehouse: RSS per extra concurrent call',
    value: gl.rssPerCall,
    unit: 'MiB',
    baseline: 'floor: RSS per extra concurrent call',
    target: { atMost: 1 },
    note: `(mean at ${CONCURRENT} − mean at ${FEW}) ÷ ${CONCURRENT - FEW}`,
  });
  rows.push({ name: `floor: RSS per held connection (${HELD} open)`, value: fl.rssPerHeld, unit: 'MiB', note: 'authenticated, no call running' });
  rows.push({
    name: `gatehouse: RSS per held call (${HELD} open)`,
    value: gl.rssPerHeld,
    unit: 'MiB',
    baseline: `floor: RSS per held connection (${HELD} open)`,
    note: `${HELD_CALL} waiting for stdin`,
  });
  rows.push({ name: 'floor: (RSS peak − idle) ÷ concurrent calls', value: fl.rssPeakPerCall, unit: 'MiB', note: `÷ ${CONCURRENT}; includes the heap's growth under load` });
  rows.push({
    name: 'gatehouse: (RSS peak − idle) ÷ concurrent calls',
    value: gl.rssPeakPerCall,
    unit: 'MiB',
    baseline: 'floor: (RSS peak − idle) ÷ concurrent calls',
    note: `÷ ${CONCURRENT}; includes the heap's growth under load`,
  });
  return rows;
}

interface LoadFigures {
  readonly callsPerSecond: number;
  readonly median: number | null;
  readonly p99: number | null;
  readonly note: string;
  readonly rssIdle: number | null;
  /** Steady-state means under FEW and CONCURRENT clients, and the peak under CONCURRENT. */
  readonly rssFew: number | null;
  readonly rssMany: number | null;
  readonly rssPeak: number | null;
  readonly samples: number;
  readonly fewNote: string;
  readonly manyNote: string;
  readonly rssPerCall: number | null;
  readonly rssPeakPerCall: number | null;
  readonly rssPerHeld: number | null;
}

/** RSS samples of a closed-loop load: the mean after the ramp-up, the peak, and how many. */
async function loadRss(
  pid: number,
  opts: Parameters<typeof closedLoop>[0],
): Promise<{ load: Awaited<ReturnType<typeof closedLoop>>; mean: number | null; peak: number | null; count: number; note: string }> {
  const started = performance.now();
  const steady: number[] = [];
  const all: number[] = [];
  const timer = setInterval(() => {
    const r = rssMiB(pid);
    if (r === null) return;
    all.push(r);
    if (performance.now() - started >= RAMP_MS) steady.push(r);
  }, SAMPLE_MS);
  try {
    const load = await closedLoop(opts);
    const mean = steady.length > 0 ? steady.reduce((a, b) => a + b, 0) / steady.length : null;
    const peak = all.length > 0 ? Math.max(...all) : null;
    return { load, mean, peak, count: all.length, note: `${steady.length} samples after ${RAMP_MS / 1000} s, ${load.calls} calls` };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Idle RSS (after a settling pause), then FEW clients for FEW_SECONDS, then the CONCURRENT-client
 * closed loop whose calls/s and latencies are the section's figures, RSS sampled throughout.
 */
async function loadWithMemory(pid: number, port: number, user: string, privateKey: string, held: { command: string | null; marker: string }): Promise<LoadFigures> {
  // Let the server settle (GC, freed handshake buffers) before calling its footprint idle.
  await new Promise((r) => setTimeout(r, 1500));
  const rssIdle = rssMiB(pid);
  // Held calls first, while the heap has not yet grown under load: later, freed heap space would
  // take them in without any RSS change.
  const release = await hold(port, user, privateKey, HELD, held.command, held.marker);
  await new Promise((r) => setTimeout(r, 1000));
  const rssHeld = rssMiB(pid);
  await release();
  await new Promise((r) => setTimeout(r, 1000));
  const base = { port, user, privateKey, command: OSH.join(' '), expect: ENVELOPE_OK };
  const few = await loadRss(pid, { ...base, clients: FEW, seconds: FEW_SECONDS });
  const many = await loadRss(pid, { ...base, clients: CONCURRENT, seconds: LOAD_SECONDS });
  const load = many.load;
  const round2 = (n: number): number => Math.round(n * 100) / 100;
  return {
    callsPerSecond: load.calls / load.seconds,
    median: load.latenciesMs.length ? median(load.latenciesMs) : null,
    p99: load.latenciesMs.length ? percentile(load.latenciesMs, 99) : null,
    note: `${load.calls} calls in ${load.seconds.toFixed(1)} s, ${load.failures} failed${load.firstError ? `: ${load.firstError}` : ''}`,
    rssIdle,
    rssFew: few.mean === null ? null : round2(few.mean),
    rssMany: many.mean === null ? null : round2(many.mean),
    rssPeak: many.peak,
    samples: many.count,
    fewNote: `${few.note}${few.load.failures ? `, ${few.load.failures} failed` : ''}`,
    manyNote: many.note,
    rssPerCall: few.mean !== null && many.mean !== null ? round2((many.mean - few.mean) / (CONCURRENT - FEW)) : null,
    rssPeakPerCall: many.peak !== null && rssIdle !== null ? round2(Math.max(0, many.peak - rssIdle) / CONCURRENT) : null,
    rssPerHeld: rssHeld !== null && rssIdle !== null ? Math.round(((rssHeld - rssIdle) / HELD) * 1000) / 1000 : null,
  };
}

const core: BenchSection = {
  name: 'core',
  description: 'latency of one --osh call vs a bare ssh2 floor and OpenSSH sshd; throughput under 32 concurrent clients, memory at 8 and 32',
  run: section,
};
export default core;
