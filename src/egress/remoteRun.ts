// The RemoteRunner a plugin gets as ctx.remote (built by the dispatcher, which has the services):
// each host of a clush run is a connection request of its own through runEgress — the same
// access decision, egress keys, host-key checks, recording and sessions row (under an id of its
// own) as `ssh ACCOUNT@bastion -- host -- command` — with its output captured (capture.ts), at
// most N hosts in flight (fanout.ts), a time limit per host, and the client's departure
// cancelling everything.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { ResultCode } from '../kernel/result.js';
import type { RemoteHostResult, RemoteRunner, RemoteRunOptions, RemoteRunSummary, RemoteTarget } from '../osh/context.js';
import { Terminal } from '../osh/terminal.js';
import { accountStanding } from '../accounts/standing.js';
import { servicesEnv, type EgressServices } from './call.js';
import { captureChannel, type OutputBudget } from './capture.js';
import { fanOut } from './fanout.js';
import { runEgress } from './session.js';
import type { CancelReason, EgressEnv } from './sessionTypes.js';

/** Who runs the command, from where, in which call: what the dispatcher knows of the call. */
export type RemoteScope = Pick<EgressEnv, 'connId' | 'account' | 'peer' | 'env'> & {
  readonly config: BastionConfig;
  /** The call's logger: each host logs under its session id and key. */
  readonly log: Logger;
  /** The bastion's own address of the caller's connection (the sessions rows' via), when known. */
  readonly local?: { readonly ip: string; readonly port: number } | undefined;
  /** Aborted when the client leaves: nothing more starts and the hosts in flight are closed. */
  readonly signal: AbortSignal;
};

export type RemoteServices = EgressServices & { readonly hostname: string };

export function remoteRunner(svc: RemoteServices, scope: RemoteScope): RemoteRunner {
  return { run: (targets, opts) => runRemote(svc, scope, targets, opts) };
}

async function runRemote(svc: RemoteServices, scope: RemoteScope, targets: readonly RemoteTarget[], opts: RemoteRunOptions): Promise<RemoteRunSummary> {
  const budget: OutputBudget = { remaining: scope.config.clushMaxTotalOutputBytes };
  let stopped: RemoteRunSummary['stopped'] = null;
  const ran = await fanOut(targets, {
    parallel: opts.parallel,
    signal: scope.signal,
    before: async (t) => {
      // The call's account was checked when it began; a run can last long enough for it to be
      // frozen or expire since, and each host is a connection of its own.
      const refusal = accountRefusal(svc, scope);
      if (refusal) {
        stopped = refusal;
        return false;
      }
      return opts.beforeHost ? await opts.beforeHost(t) : true;
    },
    run: (t) => runHost(svc, scope, t, opts, budget),
    after: async (t, r) => {
      if (opts.afterHost && !(await opts.afterHost(t, r))) return false;
      // The account was frozen, deleted or expired: its sessions were ended, start no more.
      const refusal = accountRefusal(svc, scope);
      if (refusal) stopped = refusal;
      return refusal === null;
    },
  });
  // The client left: whatever ran, nobody reads the answer; the audit row says why it ended.
  if (stopped === null && scope.signal.aborted) {
    stopped = { code: 'KO_CLIENT_GONE', msg: 'The client has gone: the hosts not yet started were not run' };
  }
  const results = new Map<string, RemoteHostResult>();
  targets.forEach((t, i) => {
    const r = ran.results[i];
    if (r) results.set(t.key, r);
  });
  return { results, stopped };
}

/** Why the account may not connect any more (frozen, expired, deleted), or null. */
function accountRefusal(svc: RemoteServices, scope: RemoteScope): { code: ResultCode; msg: string } | null {
  const standing = accountStanding(svc.store, scope.account, scope.config, Math.floor(svc.clock.now() / 1000));
  return standing.ok ? null : { code: standing.code, msg: standing.msg };
}

async function runHost(svc: RemoteServices, scope: RemoteScope, t: RemoteTarget, opts: RemoteRunOptions, budget: OutputBudget): Promise<RemoteHostResult> {
  const started = performance.now();
  // Each host is a session of its own: its own sessions row and recording, under its own id.
  const sessionId = crypto.randomBytes(6).toString('hex');
  const log = scope.log.child({ session: sessionId, host: t.key });
  const cancel = new AbortController();
  const cancelFor = (reason: CancelReason) => (): void => cancel.abort(reason);
  const onGone = cancelFor('client_gone');
  if (scope.signal.aborted) onGone();
  else scope.signal.addEventListener('abort', onGone, { once: true });
  const timer = opts.timeoutSec === undefined ? undefined : setTimeout(cancelFor('timeout'), opts.timeoutSec * 1000);
  const cap = captureChannel({ maxBytes: scope.config.clushMaxOutputBytes, budget, local: scope.local });
  // The bastion's messages about this host, as osh.pl --quiet gives them (The Bastion's clush
  // runs each host that way): refusals and failures only, on the host's stderr.
  const term = new Terminal(cap.messages, { pty: false, quiet: true, json: 'none', boxes: false, fancyPrefixes: false, hostname: svc.hostname, version: svc.version });
  let code: ResultCode;
  let sysret: number;
  try {
    const out = await runEgress(
      {
        ...servicesEnv(svc, scope.config),
        log,
        term,
        callId: sessionId,
        connId: scope.connId,
        account: scope.account,
        peer: scope.peer,
        env: scope.env,
        ingress: cap.ingress,
        cancel: cancel.signal,
      },
      {
        user: t.user,
        host: t.host,
        port: t.port,
        command: opts.command,
        wait: false,
        // The connection gets no longer than the host as a whole (45 s without a limit).
        timeoutSec: opts.timeoutSec,
        tty: false,
        noTty: true,
        quiet: true,
        ...(opts.useKey !== undefined ? { useKey: opts.useKey } : {}),
      },
    );
    code = out.code;
    sysret = out.exit;
  } catch (err) {
    // One host's fault is that host's answer; the others go on.
    log.error({ err }, 'clush host failed');
    code = 'ERR_INTERNAL';
    sysret = EXIT.EXEC_FAILED;
    term.crit('Internal error, the details are in the bastion log', true);
  } finally {
    clearTimeout(timer);
    scope.signal.removeEventListener('abort', onGone);
  }
  const truncated = cap.stdout.truncated || cap.stderr.truncated;
  if (truncated && code === 'OK') code = 'OK_OUTPUT_TRUNCATED';
  log.info({ target: `${t.host}:${t.port}`, code, exit: sysret, out: cap.stdout.received, err: cap.stderr.received, truncated }, 'clush host done');
  return { stdout: cap.stdout.lines(), stderr: cap.stderr.lines(), sysret, error_code: code, duration_ms: Math.round(performance.now() - started), truncated };
}
