// Where the dispatcher hands over a connection request it has validated (host, user, port): the
// remote command is taken as osh.pl takes it, then the session runs.
import type { Logger } from 'pino';
import type { Terminal } from '../osh/terminal.js';
import { writeRefusal } from '../osh/refusal.js';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import { isTimeoutSeconds, type BastionOptions } from '../osh/bastionOptions.js';
import { decideEgressAccess } from './decide.js';
import type { LiveSessions } from '../services/liveSessions.js';
import type { RecorderPool } from '../services/recorder.js';
import { runEgress } from './session.js';
import type { EgressEnv } from './sessionTypes.js';
import type { ExitSignal, IngressChannel } from './types.js';

// The dispatcher calls down into egress, so egress names what it needs of the dispatcher's
// services and call input here rather than importing them back: command/callTypes' Services and
// CallInput have these fields (and more), and EgressCallOutcome is one of its CallOutcomes.

/** What egressCall uses of the dispatcher's services. */
export type EgressServices = Pick<EgressEnv, 'store' | 'keyring' | 'clock' | 'version'> & {
  /** Writes recordings, on its own thread. */
  readonly recorder: RecorderPool;
  readonly liveSessions: LiveSessions;
};

/** What egressCall uses of the call: who, from where, over which channel, with which words. */
export type EgressCallInput = Pick<EgressEnv, 'connId' | 'account' | 'peer' | 'env'> & {
  /** The exec string as received: the remote command is cut from it as typed. */
  readonly command: string;
  readonly ingress?: IngressChannel | undefined;
};

/** What an egress request takes from the bastion's services: the same for every request. */
export type ServicesEnv = Pick<EgressEnv, 'store' | 'config' | 'keyring' | 'clock' | 'version' | 'decide' | 'record' | 'live'>;

/** The services' part of a request's environment (a connection request, or one clush host). */
export function servicesEnv(svc: EgressServices, config: BastionConfig): ServicesEnv {
  return {
    store: svc.store,
    config,
    keyring: svc.keyring,
    clock: svc.clock,
    version: svc.version,
    decide: decideEgressAccess,
    record: (file, header) => svc.recorder.open(file, header),
    live: svc.liveSessions,
  };
}

export interface EgressCallOutcome {
  readonly exit: number;
  readonly code: string;
  readonly plugin: null;
  readonly kind?: 'egress';
  readonly signal?: ExitSignal;
}

export interface CallScope {
  readonly input: EgressCallInput;
  readonly config: BastionConfig;
  readonly term: Terminal;
  readonly log: Logger;
  readonly callId: string;
}

export interface ValidatedTarget {
  readonly user: string | undefined;
  readonly host: string;
  /** Words left after the host (a remote command given without "--"). */
  readonly rest: readonly string[];
  readonly options: BastionOptions;
  /** Words after a standalone "--", null when there was none. */
  readonly afterDashes: readonly string[] | null;
}

export async function egressCall(svc: EgressServices, scope: CallScope, target: ValidatedTarget): Promise<EgressCallOutcome> {
  const { input, term } = scope;
  const opts = target.options;
  if (opts.timeout !== undefined && !isTimeoutSeconds(opts.timeout)) {
    const msg = `Error parsing command line options: --timeout expects a number of seconds, got '${opts.timeout}'`;
    writeRefusal(term, 'KO_GETOPTS_FAILED', msg);
    return { exit: EXIT.GETOPTS_FAILED, code: 'KO_GETOPTS_FAILED', plugin: null };
  }
  const r = await runEgress(
    {
      ...servicesEnv(svc, scope.config),
      log: scope.log,
      term,
      callId: scope.callId,
      connId: input.connId,
      account: input.account,
      peer: input.peer,
      env: input.env,
      ingress: input.ingress,
    },
    {
      user: target.user,
      host: target.host,
      port: opts.port === undefined ? 22 : Number(opts.port),
      command: remoteCommand(input.command, target.rest, target.afterDashes),
      wait: opts.wait,
      timeoutSec: opts.timeout === undefined ? undefined : Number(opts.timeout),
      tty: opts.tty,
      noTty: opts.noTty,
      quiet: opts.quiet,
      ...(opts.useKey !== undefined ? { useKey: opts.useKey } : {}),
    },
  );
  return { exit: r.exit, code: r.code, plugin: null, kind: 'egress', ...(r.signal ? { signal: r.signal } : {}) };
}

/**
 * The remote command, as osh.pl builds it: everything after the first " -- " of the request kept
 * as typed (quotes included, so the target's shell reads it as the user wrote it); without "--",
 * the words left after the host, joined by spaces. null when there is none: a shell is opened.
 */
export function remoteCommand(raw: string, restAfterHost: readonly string[], afterDashes: readonly string[] | null): string | null {
  if (afterDashes !== null) {
    const m = /^(.*?) -- (.*)$/s.exec(raw);
    const after = m ? (m[2] as string) : afterDashes.join(' ');
    const leading = restAfterHost.length > 0 ? restAfterHost.join(' ') + ' ' : '';
    const cmd = (leading + after).trim();
    return cmd === '' ? null : cmd;
  }
  return restAfterHost.length > 0 ? restAfterHost.join(' ') : null;
}
