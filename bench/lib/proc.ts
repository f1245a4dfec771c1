// Child processes the bench starts, and their memory as the kernel reports it.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { collect, type Finished } from '../../test/helpers/child.js';

/** Resident set size of a process in MiB (VmRSS in /proc/PID/status), or null if unreadable. */
export function rssMiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every intervalMs until stopped; returns the samples. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): number[] } {
  const samples: number[] = [];
  const take = (): void => {
    const r = rssMiB(pid);
    if (r !== null) samples.push(r);
  };
  take();
  const t = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return samples;
    },
  };
}

/** Runs a command to completion (argument array, no shell); resolves with its status and output. */
export function run(cmd: string, args: readonly string[], opts: SpawnOptions = {}): Promise<Finished> {
  return collect(spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Stops a child we started (by its own handle, never by name) and waits for it to exit. */
export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}
