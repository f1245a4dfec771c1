// Waiting for a child process to finish while collecting what it wrote: shared by the test
// helpers (OpenSSH calls, bash pipelines, the gatehouse CLI) and the bench.
import type { ChildProcess } from 'node:child_process';

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CollectOptions {
  /** Kill the child (SIGKILL) once this much time has passed. */
  readonly timeoutMs?: number;
  /**
   * What the child is, for the error when time runs out: with it the promise rejects at once
   * (with the output so far), without it it resolves once the killed child has closed.
   */
  readonly label?: string;
}

/** Resolves when the child has closed (its streams drained), with its exit code and UTF-8 output. */
export function collect(child: ChildProcess, opts: CollectOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            if (opts.label !== undefined) reject(new Error(`${opts.label} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
