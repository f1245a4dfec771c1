// Section "core": what one --osh call costs against what any SSH exec costs.
// 1. Latency: 30 sequential OpenSSH calls to each of Gatehouse (`--osh info --json`), the floor
//    (a bare ssh2 server answering a fixed envelope) and a throwaway OpenSSH sshd (`true`),
//    interleaved call by call so drift in the machine's load hits all three alike.
// 2. Throughput: 32 concurrent in-process ssh2 clients for 10 s, against Gatehouse and then, as
//    its baseline, the floor.
// 3. Memory: RSS (VmRSS) at start, idle after the latency runs, and peak under that load; the
//    growth per concurrent call is compared with the floor's, which is ssh2's and Node's share.
import { startFloor } from '../lib/floor.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { closedLoop } from '../lib/load.js';
import { makeKey, timedSsh, type TimedCall } from '../lib/openssh.js';
import { rssMiB, sampleRss } from '../lib/proc.js';
import { ensureSshd, startSshd } from '../lib/sshd.js';
import { median, percentile } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSection } from '../lib/types.js';

const SEQUENTIAL = 30;
const WARMUP = 3;
const CONCURRENT = 32;
const LOAD_SECONDS = 10;
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
  const gh = await startGatehouse(ctx);
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
      sshdProblem = e instanceof Error ? e.message.split('\n')[0] ?? 'failed' : String(e);
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
  const gl = await loadWithMemory(gh.pid, gh.port, gh.admin.name, clientKey.privateKey);
  const fl = await loadWithMemory(floor.pid, floor.port, 'anyone', clientKey.privateKey);
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
  rows.push({ name: 'gatehouse: RSS idle', value: gl.rssIdle, unit: 'MiB', baseline: 'floor: RSS idle', target: { atMost: 80 }, note: `after the ${WARMUP + SEQUENTIAL} latency calls` });
  rows.push({ name: `gatehouse: RSS peak, ${CONCURRENT} concurrent`, value: gl.rssPeak, unit: 'MiB', note: gl.rssNote });
  rows.push({ name: 'floor: RSS per extra concurrent call', value: fl.rssPerCall, unit: 'MiB', note: `(peak − idle) ÷ ${CONCURRENT}` });
  rows.push({
    name: 'gatehouse: RSS per extra concurrent call',
    value: gl.rssPerCall,
    unit: 'MiB',
    baseline: 'floor: RSS per extra concurrent call',
    target: { atMost: 1 },
    note: `(peak − idle) ÷ ${CONCURRENT}`,
  });
  return rows;
}

interface LoadFigures {
  readonly callsPerSecond: number;
  readonly median: number | null;
  readonly p99: number | null;
  readonly note: string;
  readonly rssIdle: number | null;
  readonly rssPeak: number | null;
  readonly rssPerCall: number | null;
  readonly rssNote: string;
}

/** Idle RSS (after a settling pause), then the closed-loop load with RSS sampled every 100 ms. */
async function loadWithMemory(pid: number, port: number, user: string, privateKey: string): Promise<LoadFigures> {
  // Let the server settle (GC, freed handshake buffers) before calling its footprint idle.
  await new Promise((r) => setTimeout(r, 1500));
  const rssIdle = rssMiB(pid);
  const sampler = sampleRss(pid, 100);
  const load = await closedLoop({ port, user, privateKey, command: OSH.join(' '), expect: ENVELOPE_OK, clients: CONCURRENT, seconds: LOAD_SECONDS });
  const samples = sampler.stop();
  const rssPeak = samples.length > 0 ? Math.max(...samples) : null;
  return {
    callsPerSecond: load.calls / load.seconds,
    median: load.latenciesMs.length ? median(load.latenciesMs) : null,
    p99: load.latenciesMs.length ? percentile(load.latenciesMs, 99) : null,
    note: `${load.calls} calls in ${load.seconds.toFixed(1)} s, ${load.failures} failed${load.firstError ? `: ${load.firstError}` : ''}`,
    rssIdle,
    rssPeak,
    rssPerCall: rssPeak !== null && rssIdle !== null ? Math.max(0, rssPeak - rssIdle) / CONCURRENT : null,
    rssNote: `max of ${samples.length} samples`,
  };
}

const core: BenchSection = {
  name: 'core',
  description: 'latency of one --osh call vs a bare ssh2 floor and OpenSSH sshd; throughput and memory under 32 concurrent clients',
  run: section,
};
export default core;
