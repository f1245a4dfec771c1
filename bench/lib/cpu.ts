// CPU time of processes, from /proc: a child's own time, the time of the children a process has
// reaped, and this process's reaped children (the OpenSSH clients and shells the bench ran).
import fs from 'node:fs';

// Linux reports CPU time in clock ticks of 1/USER_HZ s; USER_HZ is 100 on every Linux ABI.
const TICKS_PER_SECOND = 100;

export interface CpuTimes {
  /** utime + stime: the process's own threads, in seconds. */
  readonly self: number;
  /** cutime + cstime: the children it has waited for, in seconds. */
  readonly children: number;
}

/** utime, stime, cutime and cstime (fields 14-17) of a /proc stat line, in seconds. */
export function statTimes(statLine: string): CpuTimes {
  // After the command name (in parentheses) the fields start at field 3 (state): utime is index 11.
  const f = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i] ?? 0) / TICKS_PER_SECOND;
  return { self: n(11) + n(12), children: n(13) + n(14) };
}

/** A process's CPU times, or null when it is gone. */
export function cpuOf(pid: number | 'self'): CpuTimes | null {
  try {
    return statTimes(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** CPU seconds of the children this process has reaped (the clients it ran and waited for). */
export function reapedChildrenCpu(): number {
  return cpuOf('self')?.children ?? 0;
}

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

function anyChildOf(pids: ReadonlySet<number>): boolean {
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const parent = parentOf(Number(p));
    if (parent !== null && pids.has(parent)) return true;
  }
  return false;
}

/**
 * CPU seconds of servers that fork a process per connection (sshd), own and reaped, summed: the
 * per-connection processes and the commands they ran count once their server has reaped them, so
 * this waits until none of them has a child left (or waitMs passed).
 */
export async function forkingServersCpu(pids: readonly number[], waitMs = 3000): Promise<number> {
  const set = new Set(pids);
  const deadline = performance.now() + waitMs;
  while (performance.now() < deadline && anyChildOf(set)) await new Promise((r) => setTimeout(r, 20));
  let total = 0;
  for (const pid of pids) {
    const t = cpuOf(pid);
    if (t) total += t.self + t.children;
  }
  return total;
}

/** How many file descriptors a process holds open (sockets, files), or null. */
export function openFds(pid: number): number | null {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}
