// Calls through the real dispatcher (src/dispatch/dispatch.ts) of a running test bastion, in-process:
// the same store, configuration, plugins, audit and log as over SSH, without a client process, a
// key exchange or a channel. What only SSH shows (authentication, framing on the wire, pty, egress
// bridging) stays in test/e2e/; plugin behaviour is tested here, much faster.
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import ssh2 from 'ssh2';
import { runCall } from '../../src/dispatch/dispatch.js';
import { checkIngressAttempt, checkSignedAfterQuery } from '../../src/ssh/ingressAuth.js';
import type { Finished } from './child.js';
import { greppable, type Envelope } from './clients.js';
import type { TestServer } from './server.js';

export interface InProcessOptions {
  /** What the client sends on stdin (then end of input); nothing by default. */
  readonly stdin?: string;
  /** Call as if the client had asked for a pty (the terminal writer then sends stderr to stdout, as over SSH). */
  readonly pty?: boolean;
  /** LANG / LC_* the client sent. */
  readonly env?: Readonly<Record<string, string>>;
  /** The client's address, 127.0.0.1 by default. */
  readonly peerIp?: string;
}

/**
 * `ssh ACCOUNT@bastion -- ARGS…` without SSH: the words are joined by spaces as OpenSSH sends them
 * and split back by the bastion's own parser, so quoting behaves as it does over the wire.
 * Answers as sshCall does: exit status, stdout, stderr.
 */
export async function callInProcess(srv: TestServer, account: string, args: readonly string[], opts: InProcessOptions = {}): Promise<Finished> {
  const row = srv.gh.store.accounts.byName(account);
  if (!row) throw new Error(`no account ${account}: authentication is tested over SSH`);
  let stdout = '';
  let stderr = '';
  const outcome = await runCall(srv.gh.services, {
    account: row,
    peer: { ip: opts.peerIp ?? '127.0.0.1', port: 40000 },
    connId: randomUUID(),
    command: args.join(' '),
    kind: 'exec',
    pty: opts.pty === true,
    env: new Map(Object.entries(opts.env ?? {})),
    stdin: Readable.from(opts.stdin === undefined || opts.stdin === '' ? [] : [Buffer.from(opts.stdin)]),
    // No channel to close: the client never goes away.
    gone: new AbortController().signal,
    sink: {
      stdout(text) {
        stdout += text;
      },
      stderr(text) {
        stderr += text;
      },
    },
    log: srv.gh.log,
  });
  return { code: outcome.exit, stdout, stderr };
}

export interface InProcessAnswer {
  readonly exit: number | null;
  readonly env: Envelope;
  readonly stdout: string;
  readonly stderr: string;
}

/** One `--json-greppable` call in-process, answered with its exit status and envelope (as helpers/groups.ts's osh). */
export async function oshInProcess(srv: TestServer, who: { readonly name: string }, args: readonly string[], opts: InProcessOptions = {}): Promise<InProcessAnswer> {
  const r = await callInProcess(srv, who.name, ['--json-greppable', ...args], opts);
  return { exit: r.code, env: greppable(r.stdout), stdout: r.stdout, stderr: r.stderr };
}

export type LoginVerdict = { readonly ok: true } | { readonly ok: false; readonly why: string };

/**
 * Whether `account` logs in with `privateKey` (an OpenSSH or PEM private key's text) from
 * `peerIp`, decided by the SSH server's own functions in its order (src/ssh/server.ts): OpenSSH
 * first asks whether the key would do (checkIngressAttempt without a signature), then signs, and
 * the signed attempt reuses the query's match (checkSignedAfterQuery: the key policy again, then
 * the signature). Random bytes stand in for the session identifier and request the client signs;
 * an RSA key signs with rsa-sha2-512, as OpenSSH does. Not covered: the pre-authentication limits
 * the server applies at TCP accept (loopback is exempt from penalties by default), and the limits
 * on connections and calls per account it applies once logged in (an in-process call holds no
 * connection). An account's state (frozen, expired, TTL) is not a login matter: the dispatcher
 * checks it at every call.
 */
export function loginInProcess(srv: TestServer, account: string, privateKey: string, peerIp = '127.0.0.1'): LoginVerdict {
  const key = ssh2.utils.parseKey(privateKey);
  if (key instanceof Error) throw key;
  const config = srv.gh.services.config.current();
  const offered = { username: account, algo: key.type, data: key.getPublicSSH() };
  const query = checkIngressAttempt(srv.gh.services.store, config, offered, peerIp);
  if (!query.ok) return { ok: false, why: query.why };
  const hashAlgo = key.type === 'ssh-rsa' ? 'sha512' : undefined;
  const blob = randomBytes(64);
  // ssh2 answers a failed signing with an Error in place of the signature (its types don't say so).
  const signature = key.sign(blob, hashAlgo) as Buffer | Error;
  if (signature instanceof Error) throw signature;
  const signed = checkSignedAfterQuery(query.match, config, { blob, signature, hashAlgo }, peerIp);
  return signed.ok ? { ok: true } : { ok: false, why: signed.why };
}
