// Section "egress": what going through the bastion costs a session, against going straight to the
// same target, in the same run. The target is a throwaway OpenSSH sshd on 127.0.0.1; Gatehouse
// runs as a child with one account whose personal egress key and access reach that sshd (written
// straight into its store, as the plugins would), and the direct path uses that very key.
// 1. Memory: the bastion's RSS with 20 proxied sessions open (each an idle remote command), per
//    session over idle, measured first so the transfers below haven't grown the heap yet.
// 2. Throughput: `cat` of a 200 MiB text file, read by an in-process ssh2 client, through the
//    bastion (`-q root@127.0.0.1 -p P -- cat F`, recorded as every session is) and direct; the
//    clock runs from the first byte to the channel's close; 5 runs each, interleaved, median.
//    The CPU each party spent per MiB moved is read from /proc (the client is this process, the
//    target is sshd with its per-connection children and `cat`, the bastion is split into its
//    main thread, its recorder thread and the rest: GC helpers), because on a small machine
//    the ratio is decided by the CPU the bastion adds to what the direct path already uses.
// 3. Setup: the OpenSSH client running `true`, through the bastion and direct, interleaved, median
//    of 20 (spawn to exit: handshake(s), auth, exec, close).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import { sealedKeyPair } from '../../src/services/egressKeyGen.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { loadKeyring } from '../../src/services/keyring.js';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import { openDatabase } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { hold } from '../lib/load.js';
import { SSH_OPTS, timedSsh } from '../lib/openssh.js';
import { rssMiB } from '../lib/proc.js';
import { ensureSshd, startSshd } from '../lib/sshd.js';
import { median } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSection } from '../lib/types.js';
import { grantPersonal } from '../../test/helpers/targets.js';
const { Client } = ssh2;

const FILE_MIB = 200;
const THROUGHPUT_RUNS = 5;
const SETUP_RUNS = 20;
const OPEN_SESSIONS = 20;
// The same cipher on every hop and on the direct path, so only the bastion's work differs.
const CIPHER = 'aes128-gcm@openssh.com';

/** A text file (base64 lines) of `mib` MiB: printable, so the recording holds it as is. */
function makeFile(file: string, mib: number): void {
  const block = Buffer.from(
    crypto
      .randomBytes(768 * 1024)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n'),
  ).subarray(0, 1024 * 1024);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mib; i++) fs.writeSync(fd, block);
  fs.closeSync(fd);
}

// Linux reports CPU time in clock ticks of 1/USER_HZ s; USER_HZ is 100 on every Linux ABI.
const TICKS_PER_SECOND = 100;

/** utime, stime, cutime and cstime (fields 14-17) of a /proc stat line, in seconds. */
function statTimes(statLine: string): { self: number; children: number } {
  const f = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i] ?? 0) / TICKS_PER_SECOND;
  // After the command name the fields start at field 3 (state): utime is field 14, index 11.
  return { self: n(11) + n(12), children: n(13) + n(14) };
}

/**
 * CPU seconds of a process's threads: its main thread (its id is the pid), the threads in `late`
 * (started after the server was up: the recorder thread, started by the first session), and the
 * rest (V8's GC and compiler helpers).
 */
function bastionCpu(pid: number, late: ReadonlySet<number>): { main: number; recorder: number; others: number } {
  let main = 0;
  let recorder = 0;
  let others = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = statTimes(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')).self;
      if (Number(tid) === pid) main = t;
      else if (late.has(Number(tid))) recorder += t;
      else others += t;
    } catch {
      // A thread that ended between the listing and the read: its time moved to the process.
    }
  }
  return { main, recorder, others };
}

function threadIds(pid: number): Set<number> {
  return new Set(fs.readdirSync(`/proc/${pid}/task`).map(Number));
}

/** The pid of the sshd this run started (our child, found by its config file), or null. */
function sshdPid(configFile: string): number | null {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      // sshd rewrites its command line (setproctitle), but the config path stays in it; its
      // per-connection processes have it too, but they are sshd's children, not ours.
      if (parentOf(Number(p)) === process.pid && fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(configFile)) return Number(p);
    } catch {
      // Gone already.
    }
  }
  return null;
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * CPU seconds sshd spent on connections that ended: its per-connection processes and the commands
 * they ran are counted in its children's time once it has reaped them, so wait until it has no
 * child left (or 2 s).
 */
async function targetCpu(pid: number): Promise<number> {
  const deadline = performance.now() + 2000;
  while (performance.now() < deadline && hasChildren(pid)) await new Promise((r) => setTimeout(r, 20));
  const t = statTimes(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return t.self + t.children;
}

function hasChildren(pid: number): boolean {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (parentOf(Number(p)) === pid) return true;
    } catch {
      // Gone already.
    }
  }
  return false;
}

function clientCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Conn {
  readonly port: number;
  readonly user: string;
  readonly key: string;
}

/** Connects, runs `command`, counts stdout bytes; ms from the first byte to the channel's close. */
function transfer(c: Conn, command: string): Promise<{ bytes: number; ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(command, (err, ch) => {
        if (err) return reject(err);
        let bytes = 0;
        let first = 0;
        ch.on('data', (d: Buffer) => {
          if (bytes === 0) first = performance.now();
          bytes += d.length;
        });
        ch.stderr.resume();
        ch.on('close', (code: number | null) => {
          const ms = performance.now() - first;
          client.end();
          resolve({ bytes, ms, code });
        });
      });
    });
    client.connect({ host: '127.0.0.1', port: c.port, username: c.user, privateKey: c.key, algorithms: { cipher: [CIPHER] }, readyTimeout: 20_000 });
  });
}

/** The OpenSSH client reading a command's stdout: bytes and ms from the first byte to its exit. */
function opensshTransfer(port: number, user: string, keyFile: string, args: readonly string[]): Promise<{ bytes: number; ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...SSH_OPTS, '-o', `Ciphers=${CIPHER}`, '-i', keyFile, '-p', String(port), `${user}@127.0.0.1`, '--', ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let bytes = 0;
    let first = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (bytes === 0) first = performance.now();
      bytes += d.length;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ bytes, ms: performance.now() - first, code }));
  });
}

async function section(ctx: BenchContext): Promise<BenchRow[]> {
  const sshdPath = await ensureSshd(ctx);
  if ('error' in sshdPath) return [{ name: 'target sshd', value: null, unit: '', note: sshdPath.error }];

  // As in the core section: many handshakes at once from one address are the load, not an attack.
  const gh = await startGatehouse(ctx, { name: 'gatehouse-egress', config: { perSourceMaxStartups: 0 } });
  const dataDir = path.join(gh.dir, 'data');
  const pair = generateCheckedKeyPair('ed25519', { comment: 'bench-egress' });
  const keyFile = path.join(ctx.tmpDir, 'egress_key');
  fs.writeFileSync(keyFile, pair.private, { mode: 0o600 });
  const sshd = await startSshd(ctx, sshdPath.path, pair.public);
  ctx.log(`gatehouse pid ${gh.pid} on ${gh.port}, target sshd on ${sshd.port} (user ${sshd.user})`);

  // The account's egress key and its access to the target, as selfGenerateEgressKey and
  // accountAddPersonalAccess would write them (the store is WAL: the running server sees them).
  const store = createStore(openDatabase(path.join(dataDir, 'gatehouse.db')));
  try {
    const account = store.accounts.byName(gh.admin.name);
    const pub = parsePublicKeyLine(pair.public).value;
    if (!account || !pub) throw new Error('could not seed the egress key and access');
    store.tx(() => {
      store.egressKeys.insert({ ...sealedKeyPair({ privateKey: pair.private, publicKey: pub }, loadKeyring(dataDir), Math.floor(Date.now() / 1000)), accountId: account.id });
      grantPersonal(store, account.id, { ip: '127.0.0.1', user: sshd.user, port: sshd.port });
    });
  } finally {
    store.close();
  }

  const direct: Conn = { port: sshd.port, user: sshd.user, key: pair.private };
  const viaBastion: Conn = { port: gh.port, user: gh.admin.name, key: gh.admin.key.privateKey };
  const through = (cmd: string): string => `-q ${sshd.user}@127.0.0.1 -p ${sshd.port} -- ${cmd}`;

  const rows: BenchRow[] = [];
  // 1. Memory per open proxied session, first: before the transfers grow the heap. One session
  // beforehand, so what every session shares (the recorder thread, loaded modules) counts as idle.
  const startupThreads = threadIds(gh.pid);
  await transfer(viaBastion, through('true'));
  // The threads the first session started: the recorder thread (Node names no thread, so it is
  // told apart this way).
  const lateThreads = new Set([...threadIds(gh.pid)].filter((t) => !startupThreads.has(t)));
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rssMiB(gh.pid);
  // In fives: sshd's MaxStartups drops unauthenticated connections beyond 10 at once.
  const closeAll = await hold(viaBastion.port, viaBastion.user, viaBastion.key, OPEN_SESSIONS, through('echo ready; exec sleep 120'), 'ready', 5);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const busy = rssMiB(gh.pid);
    rows.push({ name: 'bastion RSS, idle', value: idle === null ? null : round(idle), unit: 'MiB' });
    rows.push({
      name: `bastion RSS per open proxied session (${OPEN_SESSIONS} open)`,
      value: idle === null || busy === null ? null : round((busy - idle) / OPEN_SESSIONS, 2),
      unit: 'MiB',
      note: `${busy === null ? '?' : round(busy)} MiB with ${OPEN_SESSIONS} open`,
    });
  } finally {
    await closeAll();
  }
  // 2. Throughput.
  const file = path.join(ctx.tmpDir, 'payload.txt');
  ctx.log(`writing a ${FILE_MIB} MiB file`);
  makeFile(file, FILE_MIB);
  const size = fs.statSync(file).size;
  const mib = size / (1024 * 1024);
  const targetPid = sshdPid(path.join(ctx.tmpDir, 'sshd', 'sshd_config'));
  const rates = { direct: [] as number[], bastion: [] as number[] };
  // CPU seconds per party, summed over the runs of each path.
  const cpu = {
    direct: { client: 0, target: 0, main: 0, recorder: 0, others: 0 },
    bastion: { client: 0, target: 0, main: 0, recorder: 0, others: 0 },
  };
  for (let i = 0; i < THROUGHPUT_RUNS; i++) {
    for (const [label, c, cmd] of [
      ['direct', direct, `cat ${file}`],
      ['bastion', viaBastion, through(`cat ${file}`)],
    ] as const) {
      const t0 = targetPid === null ? 0 : await targetCpu(targetPid);
      const b0 = bastionCpu(gh.pid, lateThreads);
      const c0 = clientCpu();
      const r = await transfer(c, cmd);
      const c1 = clientCpu();
      const b1 = bastionCpu(gh.pid, lateThreads);
      const t1 = targetPid === null ? 0 : await targetCpu(targetPid);
      if (r.bytes !== size || r.code !== 0) throw new Error(`${label} cat moved ${r.bytes} of ${size} bytes (exit ${r.code})`);
      const acc = cpu[label];
      acc.client += c1 - c0;
      acc.target += t1 - t0;
      acc.main += b1.main - b0.main;
      acc.recorder += b1.recorder - b0.recorder;
      acc.others += b1.others - b0.others;
      const mibs = mib / (r.ms / 1000);
      rates[label].push(mibs);
      ctx.log(`cat ${FILE_MIB} MiB ${label}: ${mibs.toFixed(1)} MiB/s`);
    }
  }
  rows.push({ name: `cat ${FILE_MIB} MiB, direct ssh2 → sshd`, value: round(median(rates.direct)), unit: 'MiB/s', note: `median of ${THROUGHPUT_RUNS}, ${CIPHER}` });
  rows.push({
    name: `cat ${FILE_MIB} MiB, through the bastion (recorded)`,
    value: round(median(rates.bastion)),
    unit: 'MiB/s',
    baseline: `cat ${FILE_MIB} MiB, direct ssh2 → sshd`,
    target: { atLeast: 0.8, on: 'ratio' },
    note: `median of ${THROUGHPUT_RUNS}`,
  });
  // Where the CPU goes, in ms per MiB moved (handshakes included, a few ms per run).
  const perMib = (seconds: number): number => round((seconds * 1000) / (mib * THROUGHPUT_RUNS), 2);
  const noTarget = targetPid === null ? 'sshd not found in /proc' : undefined;
  const d = cpu.direct;
  const b = cpu.bastion;
  rows.push({ name: 'CPU per MiB, direct: client', value: perMib(d.client), unit: 'ms', note: 'the ssh2 client in the bench process' });
  rows.push({ name: 'CPU per MiB, direct: target', value: targetPid === null ? null : perMib(d.target), unit: 'ms', note: noTarget ?? 'sshd, its connection processes and cat' });
  rows.push({ name: 'CPU per MiB, bastion path: client', value: perMib(b.client), unit: 'ms', baseline: 'CPU per MiB, direct: client' });
  rows.push({
    name: 'CPU per MiB, bastion path: target',
    value: targetPid === null ? null : perMib(b.target),
    unit: 'ms',
    baseline: 'CPU per MiB, direct: target',
    ...(noTarget ? { note: noTarget } : {}),
  });
  rows.push({ name: 'CPU per MiB, bastion path: bastion main thread', value: perMib(b.main), unit: 'ms', note: 'both SSH hops: decrypt, encrypt, socket writes, the bridge' });
  rows.push({
    name: 'CPU per MiB, bastion path: recorder thread',
    value: perMib(b.recorder),
    unit: 'ms',
    note: lateThreads.size === 1 ? 'escaping and writing the recording' : `${lateThreads.size} threads started by the first session`,
  });
  rows.push({ name: 'CPU per MiB, bastion path: bastion other threads', value: perMib(b.others), unit: 'ms', note: "V8's GC and compiler helpers" });
  const directTotal = d.client + d.target;
  const bastionTotal = b.client + b.target + b.main + b.recorder + b.others;
  const cpus = os.cpus().length;
  rows.push({ name: 'CPU per MiB, whole direct path', value: targetPid === null ? null : perMib(directTotal), unit: 'ms' });
  rows.push({ name: 'CPU per MiB, whole bastion path', value: targetPid === null ? null : perMib(bastionTotal), unit: 'ms', baseline: 'CPU per MiB, whole direct path' });
  // Upper bounds from those figures: no schedule moves bytes faster than the machine's CPUs can do
  // all the path's work, nor faster than the bastion's main thread can do its share on one CPU.
  rows.push({
    name: `CPU ceiling of the bastion path on ${cpus} CPUs`,
    value: targetPid === null ? null : round((cpus * mib * THROUGHPUT_RUNS) / bastionTotal),
    unit: 'MiB/s',
    baseline: `cat ${FILE_MIB} MiB, direct ssh2 → sshd`,
    note: 'every CPU busy with this path only',
  });
  rows.push({
    name: 'CPU ceiling of the bastion main thread',
    value: round((mib * THROUGHPUT_RUNS) / b.main),
    unit: 'MiB/s',
    baseline: `cat ${FILE_MIB} MiB, direct ssh2 → sshd`,
    note: 'the main thread alone on one CPU',
  });

  // The same with the OpenSSH client on the user's side (what people use), for context.
  const viaOpenssh = { direct: [] as number[], bastion: [] as number[] };
  for (let i = 0; i < THROUGHPUT_RUNS; i++) {
    const d = await opensshTransfer(sshd.port, sshd.user, keyFile, ['cat', file]);
    const b = await opensshTransfer(gh.port, gh.admin.name, gh.admin.key.privateFile, ['-q', `${sshd.user}@127.0.0.1`, '-p', String(sshd.port), '--', 'cat', file]);
    if (d.bytes !== size || b.bytes !== size) throw new Error(`OpenSSH cat moved ${d.bytes} / ${b.bytes} of ${size} bytes`);
    viaOpenssh.direct.push(size / (1024 * 1024) / (d.ms / 1000));
    viaOpenssh.bastion.push(size / (1024 * 1024) / (b.ms / 1000));
  }
  rows.push({ name: `cat ${FILE_MIB} MiB, direct OpenSSH client → sshd`, value: round(median(viaOpenssh.direct)), unit: 'MiB/s', note: `median of ${THROUGHPUT_RUNS}, context` });
  rows.push({
    name: `cat ${FILE_MIB} MiB, OpenSSH client through the bastion`,
    value: round(median(viaOpenssh.bastion)),
    unit: 'MiB/s',
    baseline: `cat ${FILE_MIB} MiB, direct OpenSSH client → sshd`,
    note: `median of ${THROUGHPUT_RUNS}, context`,
  });

  // 3. Setup time with the OpenSSH client.
  const setup = { direct: [] as number[], bastion: [] as number[] };
  for (let i = 0; i < SETUP_RUNS + 2; i++) {
    const d = await timedSsh(sshd.port, sshd.user, keyFile, ['true']);
    const b = await timedSsh(gh.port, gh.admin.name, gh.admin.key.privateFile, ['-q', `${sshd.user}@127.0.0.1`, '-p', String(sshd.port), '--', 'true']);
    if (d.code !== 0 || b.code !== 0) throw new Error(`setup calls failed: direct ${d.code} ${d.stderr}, bastion ${b.code} ${b.stderr}`);
    if (i < 2) continue; // warm-up
    setup.direct.push(d.ms);
    setup.bastion.push(b.ms);
  }
  rows.push({ name: 'ssh … true, direct to sshd', value: round(median(setup.direct)), unit: 'ms', note: `median of ${SETUP_RUNS}, OpenSSH client` });
  rows.push({
    name: 'ssh … true, through the bastion',
    value: round(median(setup.bastion)),
    unit: 'ms',
    baseline: 'ssh … true, direct to sshd',
    target: { atMost: 1.3, on: 'ratio' },
    note: `median of ${SETUP_RUNS}; two handshakes`,
  });

  return rows;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const egress: BenchSection = {
  name: 'egress',
  description: `sessions through the bastion vs direct to the same sshd: cat of ${FILE_MIB} MiB, setup time, RSS per open session`,
  run: section,
};
export default egress;
