// Calls for the groups/ACL end-to-end tests: one --json-greppable call, over the real OpenSSH
// client or an in-process ssh2 client, answered with the exit status and the envelope.
import { greppable, ssh2Exec, sshCall, type Envelope } from './clients.js';
import type { TestKey, TestServer } from './server.js';

export interface Answer {
  readonly exit: number | null;
  readonly env: Envelope;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Caller {
  readonly name: string;
  readonly key: TestKey;
}

/** One call with the OpenSSH client: `ssh CALLER@bastion -- --json-greppable ARGS…`. */
export async function osh(srv: TestServer, who: Caller, args: readonly string[], opts: { stdin?: string } = {}): Promise<Answer> {
  const r = await sshCall(srv.port, who.name, who.key.privateFile, ['--json-greppable', ...args], opts);
  return { exit: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

/** The same over an in-process ssh2 client (faster: used by the role matrix). */
export async function oshFast(srv: TestServer, who: Caller, args: readonly string[], opts: { stdin?: string } = {}): Promise<Answer> {
  const r = await ssh2Exec(srv.port, who.name, who.key.privateKey, ['--json-greppable', ...args].map(quote).join(' '), opts.stdin === undefined ? {} : { stdin: opts.stdin });
  return { exit: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

/** Quotes a word for the bastion's shell-like splitter (single quotes, as a POSIX shell would). */
function quote(w: string): string {
  return /^[a-zA-Z0-9._\-/:@=,+]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The short summary a failing assertion prints. */
export function brief(a: Answer): string {
  return `exit ${a.exit} ${a.env.command} ${a.env.error_code}: ${a.env.error_message}`;
}
