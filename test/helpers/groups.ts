// Calls for the groups/ACL end-to-end tests: one --json-greppable call over the real OpenSSH
// client, answered with the exit status and the envelope. Its in-process twin, for plugin
// behaviour, is inProcess.ts's oshInProcess (same arguments, same answer).
import { greppable, sshCall, type Envelope } from './clients.js';
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

/** The short summary a failing assertion prints. */
export function brief(a: Answer): string {
  return `exit ${a.exit} ${a.env.command} ${a.env.error_code}: ${a.env.error_message}`;
}
