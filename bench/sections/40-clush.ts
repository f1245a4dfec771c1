// Section "clush": `--osh clush --command true` on 1, 8, 32 and 100 loopback hosts, against the
// same hosts reached straight from a shell script (`ssh … & … wait`) and against one host after
// the other, in the same run.
// The hosts are 127.0.140.1 … 127.0.140.100 on one port, served by OpenSSH sshd (a few sshd
// processes: one can't listen on more than 16 addresses). Gatehouse runs as a child with one
// account whose personal egress key and accesses (one per address) are written straight into its
// store, as the plugins would; the direct script logs in with that very key, the same algorithms.
// 1. Memory: the bastion's RSS idle (after one single-host call), then its peak during its first
//    call with 100 hosts in flight (sampled every 25 ms, with its open descriptors, which show
//    the hosts really in flight).
// 2. Σ single host: single-host clush calls to each host (OpenSSH client, spawn to exit; the
//    median of 3 per host); the sequential bound for N hosts is the sum over those N hosts.
// 3. Per size, interleaved run by run: the direct script, then clush with --parallel 1 (The
//    Bastion's order), the default --parallel and --parallel N; the median of each. Before every
//    run, the sshd processes have reaped the previous run's connections. At 100 hosts, the CPU
//    every party spent (the OpenSSH clients, the sshd processes, the bastion): on a machine with
//    few CPUs the targets share them, and that says where the time goes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import { sealedKeyPair } from '../../src/services/egressKeyGen.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { loadKeyring } from '../../src/services/keyring.js';
import { openDatabase } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';
import { grantPersonal } from '../../test/helpers/targets.js';
import { collect } from '../../test/helpers/child.js';
import { forkingServersCpu, openFds, reapedChildrenCpu, cpuOf } from '../lib/cpu.js';
import { startGatehouse, type GatehouseChild } from '../lib/gatehouse.js';
import { SSH_OPTS } from '../lib/openssh.js';
import { rssMiB, sampleRss } from '../lib/proc.js';
import { ensureSshd } from '../lib/sshd.js';
import { loopbackHosts, startSshdFleet, type SshdFleet } from '../lib/sshdFleet.js';
import { median } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSection } from '../lib/types.js';

const SIZES = [1, 8, 32, 100] as const;
const MAX_HOSTS = 100;
/** Runs of each measure per size (interleaved), fewer at 100 hosts where one run is long. */
const RUNS = (n: number): number => (n >= 100 ? 3 : n >= 32 ? 5 : n >= 8 ? 7 : 9);
/** Single-host clush calls per host: its single-host time is their median. */
const SINGLE_PASSES = 3;
/** The egress cipher's first choice, pinned on the direct path too. */
const CIPHER = 'aes128-gcm@openssh.com';
const DEFAULT_PARALLEL = CONFIG_SCHEMA.clushDefaultParallel.default;
const MAX_PARALLEL = CONFIG_SCHEMA.clushMaxParallel.default;
const CALL_TIMEOUT_MS = 180_000;
/** How often the bastion's RSS and open descriptors are read during a 100-host call. */
const WATCH_MS = 25;

interface HostResult {
  readonly sysret: number;
  readonly error_code: string;
  readonly duration_ms: number;
}

interface ClushRun {
  readonly ms: number;
  /** duration_ms of each host, as the bastion measured it (connection included). */
  readonly hostMs: readonly number[];
}

/** The envelope's value, checked: every host ran `true` to a 0 exit, or the run is no measure. */
function hostResults(stdout: string, hosts: readonly string[]): HostResult[] {
  const m = /\nJSON_START\r?\n([\s\S]*?)\r?\nJSON_END\r?\n/.exec(stdout);
  if (!m?.[1]) throw new Error(`clush answered no JSON envelope: ${stdout.slice(-300)}`);
  const env = JSON.parse(m[1]) as { error_code?: unknown; error_message?: unknown; value?: Record<string, HostResult> };
  if (env.error_code !== 'OK' || !env.value) throw new Error(`clush answered ${String(env.error_code)}: ${String(env.error_message)}`);
  const value = env.value;
  return hosts.map((h) => {
    const r = value[h];
    if (r === undefined) throw new Error(`clush answered no entry for ${h}`);
    if (r.sysret !== 0 || r.error_code !== 'OK') throw new Error(`clush on ${h}: ${r.error_code} sysret ${r.sysret}`);
    return r;
  });
}

/** `ssh bench@bastion -- --osh clush … --json`, timed from spawn to exit. */
async function clush(gh: GatehouseChild, fleet: SshdFleet, hosts: readonly string[], parallel: number | null): Promise<ClushRun> {
  const args = [
    '--osh',
    'clush',
    '--user',
    fleet.user,
    '--port',
    String(fleet.port),
    '--list',
    hosts.join(','),
    '--command',
    'true',
    ...(parallel === null ? [] : ['--parallel', String(parallel)]),
    '--no-confirm',
    '--no-pause-on-failure',
    '--json',
  ];
  const started = performance.now();
  const child = spawn('ssh', [...SSH_OPTS, '-i', gh.admin.key.privateFile, '-p', String(gh.port), `${gh.admin.name}@127.0.0.1`, '--', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await collect(child, { timeoutMs: CALL_TIMEOUT_MS, label: `clush on ${hosts.length} hosts` });
  const ms = performance.now() - started;
  if (r.code !== 0) throw new Error(`clush on ${hosts.length} hosts exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return { ms, hostMs: hostResults(r.stdout, hosts).map((h) => h.duration_ms) };
}

/**
 * The shell script a user would write without a bastion: one `ssh … true` per host in the
 * background, then wait; it prints how many failed. Same key, same pinned algorithms and cipher.
 */
function writeDirectScript(dir: string, fleet: SshdFleet, keyFile: string): string {
  const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const ssh = ['ssh', ...SSH_OPTS, '-o', `Ciphers=${CIPHER}`, '-i', keyFile, '-p', String(fleet.port)].map(q).join(' ');
  const file = path.join(dir, 'direct-parallel.sh');
  fs.writeFileSync(
    file,
    [
      '# ssh to every host given as an argument, all at once, then wait for them all',
      'pids=',
      `for h in "$@"; do ${ssh} ${q(fleet.user)}@"$h" true & pids="$pids $!"; done`,
      'failed=0',
      'for p in $pids; do wait "$p" || failed=$((failed + 1)); done',
      'echo "failed=$failed"',
      '',
    ].join('\n'),
  );
  return file;
}

async function direct(script: string, hosts: readonly string[]): Promise<number> {
  const started = performance.now();
  const r = await collect(spawn('sh', [script, ...hosts], { stdio: ['ignore', 'pipe', 'pipe'] }), { timeoutMs: CALL_TIMEOUT_MS, label: 'direct ssh script' });
  const ms = performance.now() - started;
  if (r.code !== 0 || !/^failed=0$/m.test(r.stdout))
    throw new Error(`direct ssh to ${hosts.length} hosts: ${r.stdout.trim()} ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return ms;
}

/** The modes of clush measured on n hosts: distinct effective --parallel values, labelled. */
function clushModes(n: number): { parallel: number | null; label: string }[] {
  const modes: { parallel: number | null; label: string; effective: number }[] = [
    { parallel: 1, label: '--parallel 1 (one host after the other, The Bastion’s order)', effective: 1 },
    { parallel: null, label: `default --parallel (${DEFAULT_PARALLEL})`, effective: Math.min(n, DEFAULT_PARALLEL) },
    { parallel: Math.min(n, MAX_PARALLEL), label: `--parallel ${Math.min(n, MAX_PARALLEL)}`, effective: Math.min(n, MAX_PARALLEL) },
  ];
  if (n === 1) return [{ parallel: null, label: '(one host)' }];
  // Modes that run as many hosts at once are one measure, under the later option and a remark.
  const out = new Map<number, { parallel: number | null; label: string }>();
  for (const m of modes) out.set(m.effective, { parallel: m.parallel, label: out.has(m.effective) ? `${m.label} (= the default)` : m.label });
  return [...out.values()];
}

/** What one party of a 100-host run spent, summed over the runs. */
interface CpuTally {
  runs: number;
  clients: number;
  sshd: number;
  bastion: number;
}

async function section(ctx: BenchContext): Promise<BenchRow[]> {
  const sshdPath = await ensureSshd(ctx);
  if ('error' in sshdPath) return [{ name: 'target sshd', value: null, unit: '', note: sshdPath.error }];

  const hosts = loopbackHosts(140, MAX_HOSTS);
  // One call from one client: the ingress limits are not what is measured here.
  const gh = await startGatehouse(ctx, { name: 'gatehouse-clush', config: { perSourceMaxStartups: 0 } });
  const atStart = rssMiB(gh.pid);
  const dataDir = path.join(gh.dir, 'data');
  const pair = generateCheckedKeyPair('ed25519', { comment: 'bench-clush' });
  const keyFile = path.join(ctx.tmpDir, 'egress_key');
  fs.writeFileSync(keyFile, pair.private, { mode: 0o600 });
  // 100 connections may be mid-handshake at once (the direct script's, or clush's at --parallel 100).
  const fleet = await startSshdFleet(ctx, sshdPath.path, pair.public, hosts, ['MaxStartups 200']);
  ctx.log(
    `gatehouse pid ${gh.pid} on ${gh.port}; ${hosts.length} hosts ${hosts[0]}…${hosts[hosts.length - 1]} on port ${fleet.port}, ${fleet.pids.length} sshd (user ${fleet.user})`,
  );

  // The account's egress key and one access per host, as selfGenerateEgressKey and
  // accountAddPersonalAccess would write them (the store is WAL: the running server sees them).
  const store = createStore(openDatabase(path.join(dataDir, 'gatehouse.db')));
  try {
    const account = store.accounts.byName(gh.admin.name);
    const pub = parsePublicKeyLine(pair.public).value;
    if (!account || !pub) throw new Error('could not seed the egress key and accesses');
    store.tx(() => {
      store.egressKeys.insert({ ...sealedKeyPair({ privateKey: pair.private, publicKey: pub }, loadKeyring(dataDir), Math.floor(Date.now() / 1000)), accountId: account.id });
      for (const h of hosts) grantPersonal(store, account.id, { ip: h, user: fleet.user, port: fleet.port });
    });
  } finally {
    store.close();
  }
  const script = writeDirectScript(ctx.tmpDir, fleet, keyFile);

  // 1. Memory, first, on a server that has run one single-host call (what every call shares is
  // loaded): idle, then the peak of its first call with 100 hosts in flight. That call also
  // learns the other hosts' keys (trust on first use, the default policy), so the timed calls
  // below check known keys, as every later call does.
  ctx.log('memory: one single-host call, idle, then the first call with every host in flight');
  await clush(gh, fleet, hosts.slice(0, 1), null);
  await settle(fleet);
  await new Promise((r) => setTimeout(r, 1500));
  const idle = { rss: rssMiB(gh.pid) ?? 0, fds: openFds(gh.pid) ?? 0 };
  const full = Math.min(MAX_HOSTS, MAX_PARALLEL);
  const firstWatch = watchServer(gh.pid);
  await clush(gh, fleet, hosts, full);
  const first = firstWatch.stop();
  ctx.log(`  idle ${round(idle.rss)} MiB, ${idle.fds} fds; first call with ${full} in flight: peak ${round(first.rss)} MiB, ${first.fds} fds`);
  await direct(script, hosts);

  // 2. Single-host clush calls to each host: the sequential bound for N hosts is the sum over N.
  ctx.log(`single-host clush on each of the ${hosts.length} hosts, ${SINGLE_PASSES} passes`);
  const passes: number[][] = hosts.map(() => []);
  for (let pass = 0; pass < SINGLE_PASSES; pass++) {
    for (const [i, h] of hosts.entries()) {
      await settle(fleet);
      passes[i]?.push((await clush(gh, fleet, [h], null)).ms);
    }
  }
  const single = passes.map((p) => median(p));
  ctx.log(
    `  single-host clush: median ${round(median(single))} ms, first ten ${single
      .slice(0, 10)
      .map((x) => round(x))
      .join(' ')}`,
  );

  // 3. Per size, interleaved; at 100 hosts the CPU of each party and the bastion's peaks.
  const rows: BenchRow[] = [];
  let later = { rss: 0, fds: 0 };
  const cpu = { direct: { runs: 0, clients: 0, sshd: 0, bastion: 0 } as CpuTally, clush: { runs: 0, clients: 0, sshd: 0, bastion: 0 } as CpuTally };
  let hostMsAt100: number[] = [];

  for (const n of SIZES) {
    const subset = hosts.slice(0, n);
    const modes = clushModes(n);
    const times = { direct: [] as number[], clush: modes.map(() => [] as number[]), bastionSum: modes.map(() => [] as number[]) };
    const at100 = n === MAX_HOSTS;
    ctx.log(`${n} hosts: ${RUNS(n)} runs of the direct script and ${modes.length} clush modes, interleaved`);
    for (let run = 0; run < RUNS(n); run++) {
      await settle(fleet);
      const before = at100 ? await snapshot(gh, fleet) : null;
      times.direct.push(await direct(script, subset));
      ctx.log(`  run ${run + 1}: direct ${round(times.direct[times.direct.length - 1] ?? 0)} ms`);
      if (before) tally(cpu.direct, before, await snapshot(gh, fleet));
      for (const [i, m] of modes.entries()) {
        const fullWidth = at100 && m.parallel === full;
        await settle(fleet);
        const b = fullWidth ? await snapshot(gh, fleet) : null;
        const watch = fullWidth ? watchServer(gh.pid) : null;
        const r = await clush(gh, fleet, subset, m.parallel);
        const seen = watch?.stop();
        if (b) tally(cpu.clush, b, await snapshot(gh, fleet));
        if (seen) later = { rss: Math.max(later.rss, seen.rss), fds: Math.max(later.fds, seen.fds) };
        if (fullWidth) hostMsAt100 = [...hostMsAt100, ...r.hostMs];
        times.clush[i]?.push(r.ms);
        ctx.log(`  run ${run + 1}: clush ${m.label}: ${round(r.ms)} ms (hosts' duration_ms median ${round(median(r.hostMs))})`);
        times.bastionSum[i]?.push(r.hostMs.reduce((a, x) => a + x, 0));
      }
    }

    const directRow = `${n} host${n === 1 ? '' : 's'}: direct parallel ssh (shell script)`;
    const seqRow = `${n} host${n === 1 ? '' : 's'}: sequential bound, Σ single-host clush`;
    const directMs = median(times.direct);
    const seqMs = single.slice(0, n).reduce((a, x) => a + x, 0);
    rows.push({ name: directRow, value: round(directMs), unit: 'ms', note: `median of ${RUNS(n)}; \`ssh … true &\` per host, then wait; ${CIPHER}` });
    rows.push({
      name: seqRow,
      value: round(seqMs),
      unit: 'ms',
      baseline: directRow,
      note: `Σ over the ${n} host${n === 1 ? '' : 's'} of its single-host clush time (median of ${SINGLE_PASSES} calls, spawn to exit); median host ${round(median(single.slice(0, n)))} ms`,
    });
    for (const [i, m] of modes.entries()) {
      const ms = median(times.clush[i] ?? []);
      const goal = n === MAX_HOSTS && m.parallel === full;
      rows.push({
        name: `${n} host${n === 1 ? '' : 's'}: clush ${m.label}`,
        value: round(ms),
        unit: 'ms',
        baseline: directRow,
        ...(goal ? { target: { atMost: 1.5, on: 'ratio' as const } } : {}),
        note: `median of ${RUNS(n)}; ${(ms / seqMs).toFixed(2)}× the sequential bound; Σ hosts' duration_ms ${round(median(times.bastionSum[i] ?? []))} ms`,
      });
    }
  }

  // Memory and CPU at 100 hosts.
  rows.push({
    name: 'bastion RSS, idle',
    value: round(idle.rss),
    unit: 'MiB',
    note: `after one single-host call and 1.5 s without calls; ${idle.fds} open fds; ${atStart === null ? '?' : round(atStart)} MiB at start`,
  });
  rows.push({
    name: `bastion RSS peak, 100 hosts at --parallel ${full}`,
    value: round(first.rss),
    unit: 'MiB',
    baseline: 'bastion RSS, idle',
    note: `the server's first call with ${full} hosts in flight, sampled every ${WATCH_MS} ms; peak open fds ${first.fds} (idle ${idle.fds}); the ${RUNS(MAX_HOSTS)} timed runs (after all the other calls) peaked at ${round(later.rss)} MiB`,
  });
  rows.push({
    name: 'memory per host in flight',
    value: round((first.rss - idle.rss) / full, 2),
    unit: 'MiB',
    note: `(peak − idle) ÷ ${full} hosts in flight, in that first call; V8 growing its heap (garbage not yet collected) is in it: an upper bound of what a host holds`,
  });
  const cpus = os.cpus().length;
  const per = (t: CpuTally, x: number): number => (x * 1000) / Math.max(1, t.runs);
  const d = cpu.direct;
  const c = cpu.clush;
  const directCpu = per(d, d.clients + d.sshd);
  const clushCpu = per(c, c.clients + c.sshd + c.bastion);
  rows.push({
    name: '100 hosts: CPU per run, direct parallel ssh',
    value: round(directCpu),
    unit: 'ms',
    note: `ssh clients + sh ${round(per(d, d.clients))}, sshd ${round(per(d, d.sshd))}; ÷ ${cpus} CPUs = ${round(directCpu / cpus)} ms`,
  });
  rows.push({
    name: `100 hosts: CPU per run, clush --parallel ${full}`,
    value: round(clushCpu),
    unit: 'ms',
    baseline: '100 hosts: CPU per run, direct parallel ssh',
    note: `bastion ${round(per(c, c.bastion))}, sshd ${round(per(c, c.sshd))}, ssh client ${round(per(c, c.clients))}; ÷ ${cpus} CPUs = ${round(clushCpu / cpus)} ms; hosts' duration_ms median ${round(median(hostMsAt100))}, max ${round(Math.max(...hostMsAt100))}`,
  });
  return rows;
}

/** Waits until the sshd processes have reaped every connection of the previous run (or 3 s). */
async function settle(fleet: SshdFleet): Promise<void> {
  await forkingServersCpu(fleet.pids);
}

/** CPU seconds so far: this process's reaped clients, the sshd processes (reaped included), the bastion. */
async function snapshot(gh: GatehouseChild, fleet: SshdFleet): Promise<{ clients: number; sshd: number; bastion: number }> {
  const sshd = await forkingServersCpu(fleet.pids);
  return { clients: reapedChildrenCpu(), sshd, bastion: cpuOf(gh.pid)?.self ?? 0 };
}

function tally(t: CpuTally, a: { clients: number; sshd: number; bastion: number }, b: { clients: number; sshd: number; bastion: number }): void {
  t.runs++;
  t.clients += b.clients - a.clients;
  t.sshd += b.sshd - a.sshd;
  t.bastion += b.bastion - a.bastion;
}

/** The bastion's RSS and open descriptors, sampled every WATCH_MS until stopped: their peaks. */
function watchServer(pid: number): { stop(): { rss: number; fds: number } } {
  const rss = sampleRss(pid, WATCH_MS);
  let fds = openFds(pid) ?? 0;
  const t = setInterval(() => (fds = Math.max(fds, openFds(pid) ?? 0)), WATCH_MS);
  return {
    stop() {
      clearInterval(t);
      return { rss: Math.max(...rss.stop()), fds: Math.max(fds, openFds(pid) ?? 0) };
    },
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const clushSection: BenchSection = {
  name: 'clush',
  description: '--osh clush --command true on 1, 8, 32 and 100 loopback hosts vs direct parallel ssh and vs one host after the other; RSS per host in flight',
  run: section,
};
export default clushSection;
