// Talking to a test server the way users do: the real OpenSSH client, and in-process ssh2 clients.
import { spawn } from 'node:child_process';
import ssh2 from 'ssh2';
import { collect, type Finished } from './child.js';
import { OPENSSH_BATCH_OPTIONS } from './openssh.js';
const { Client } = ssh2;

export type CallResult = Finished;

export interface Envelope {
  command: string | null;
  error_code: string;
  error_message: string;
  // biome-ignore lint/suspicious/noExplicitAny: each plugin's value has its own shape; the tests read fields of it directly (261 places would need a type per plugin)
  value: any;
}

/** Runs `ssh -i KEY -p PORT ACCOUNT@127.0.0.1 [extra] -- ARGS…` with the real OpenSSH client. */
export function sshCall(
  port: number,
  account: string,
  keyFile: string,
  args: readonly string[],
  opts: { stdin?: string; sshOptions?: readonly string[]; timeoutMs?: number } = {},
): Promise<CallResult> {
  const child = spawn('ssh', [...OPENSSH_BATCH_OPTIONS, ...(opts.sshOptions ?? []), '-i', keyFile, '-p', String(port), `${account}@127.0.0.1`, '--', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = collect(child, { timeoutMs: opts.timeoutMs ?? 20000, label: `ssh ${args.join(' ')}` });
  // A client that exits before reading its stdin (ssh -O check, a refused login) makes the write
  // fail with EPIPE: that is not the test's concern, its exit status and output are.
  child.stdin.on('error', () => {});
  child.stdin.end(opts.stdin ?? '');
  return done;
}

/** The envelope of a --json-greppable answer (exactly one JSON_OUTPUT= line is required). */
export function greppable(out: string): Envelope {
  const lines = out.split(/\r?\n/).filter((l) => l.startsWith('JSON_OUTPUT='));
  if (lines.length !== 1) throw new Error(`expected one JSON_OUTPUT line, got ${lines.length}:\n${out}`);
  return JSON.parse((lines[0] as string).slice('JSON_OUTPUT='.length)) as Envelope;
}

/** The envelope between JSON_START and JSON_END (--json / --json-pretty). */
export function framed(out: string): Envelope {
  const m = /\nJSON_START\r?\n([\s\S]*?)\r?\nJSON_END\r?\n/.exec(out);
  if (!m?.[1]) throw new Error(`no JSON_START/JSON_END frame in:\n${out}`);
  return JSON.parse(m[1]) as Envelope;
}

/** One exec over an in-process ssh2 client. */
export function ssh2Exec(
  port: number,
  account: string,
  privateKey: string,
  command: string,
  opts: { stdin?: string; pty?: boolean; endStdin?: boolean } = {},
): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let stdout = '';
    let stderr = '';
    c.on('ready', () => {
      c.exec(command, opts.pty ? { pty: { term: 'xterm', cols: 80, rows: 24 } } : {}, (err, ch) => {
        if (err) {
          c.end();
          return reject(err);
        }
        let code: number | null = null;
        ch.on('exit', (c2: number | null) => (code = c2));
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        ch.on('close', () => {
          c.end();
          resolve({ code, stdout, stderr });
        });
        if (opts.stdin !== undefined) ch.write(opts.stdin);
        if (opts.endStdin !== false) ch.end();
      });
    });
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port, username: account, privateKey, readyTimeout: 10000 });
  });
}

/** The OpenSSH command line sshCall uses, as one shell string (for bash -c pipelines). */
export function sshCommandLine(port: number, account: string, keyFile: string, sshOptions: readonly string[] = []): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return ['ssh', ...OPENSSH_BATCH_OPTIONS, ...sshOptions, '-i', keyFile, '-p', String(port), `${account}@127.0.0.1`].map(q).join(' ');
}

/** Runs a script with bash -c (pipelines with the real ssh, awk, grep, jq). */
export function bash(script: string, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<CallResult> {
  const child = spawn('bash', ['-c', `set -o pipefail\n${script}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const done = collect(child, { timeoutMs: opts.timeoutMs ?? 30000, label: `bash -c ${script}` });
  // A client that exits before reading its stdin (ssh -O check, a refused login) makes the write
  // fail with EPIPE: that is not the test's concern, its exit status and output are.
  child.stdin.on('error', () => {});
  child.stdin.end(opts.stdin ?? '');
  return done;
}
