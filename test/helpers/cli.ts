// Runs the `gatehouse` command line as a child process, the way an operator would, and frees
// ports for it: `serve` is given a port picked just before (port 0 would print a useless line).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, type Finished } from './child.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/cli.js');

export { freePort } from './ports.js';

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** pino lines written on stdout, parsed. */
  logs(): Record<string, unknown>[];
  /** Resolves when the output so far matches, rejects if the process exits first or time runs out. */
  waitFor(stream: 'stdout' | 'stderr', re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startCli(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async waitFor(stream, re, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = (stream === 'stdout' ? out : err).match(re);
        if (m) return m;
        if (exited !== undefined) throw new Error(`gatehouse exited (${exited}) before ${re}\nstdout: ${out}\nstderr: ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (exited === undefined) child.kill('SIGTERM');
      return exit;
    },
  };
}

/** Runs the CLI to completion (setup-admin, help, errors); killed after 30 s (code null). */
export function runCli(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Finished> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, { timeoutMs: 30000 });
}
