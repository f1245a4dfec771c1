// The shapes one connection request passes between its steps (session.ts runs them in order,
// sessionSteps.ts holds them): apart from both so neither imports the other back (no-cycle).
import type { Terminal } from '../osh/terminal.js';
import type { BastionConfig } from '../config/schema.js';
import type { Keyring } from '../services/keyring.js';
import type { ResultCode } from '../kernel/result.js';
import type { Clock } from '../osh/context.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { Logger } from 'pino';
import type { AccessDecider, AccessGrant } from './access.js';
import type { CastHeader, Recording } from '../services/recording.js';
import type { SshConnectResult } from '../services/sshClient.js';
import type { KeyPlan } from './keys.js';
import type { LiveSessions } from '../services/liveSessions.js';
import type { ExitSignal, IngressChannel, PtyInfo, WindowSize } from './types.js';

export interface EgressEnv {
  readonly store: Store;
  readonly config: BastionConfig;
  readonly keyring: Keyring;
  readonly clock: Clock;
  readonly version: string;
  readonly decide: AccessDecider;
  /** Opens a recording (on the recorder thread, services/recorder.ts). */
  readonly record: (file: string, header: CastHeader) => Recording;
  readonly log: Logger;
  readonly term: Terminal;
  /** The call id: the session's id, shared with the audit row and the log lines. */
  readonly callId: string;
  readonly connId: string;
  readonly account: AccountRow;
  readonly peer: { readonly ip: string; readonly port: number };
  /** LANG / LC_* the client sent, passed on to the target. */
  readonly env: ReadonlyMap<string, string>;
  readonly ingress: IngressChannel | undefined;
  /** Where the running session registers, so that freezing the account can end it. */
  readonly live: LiveSessions;
  /**
   * Aborted by the caller that started the request (clush: the host's --timeout passed, or the
   * client left), with a CancelReason: waiting and connecting stop, a running session is closed as
   * when the bastion ends it, and the reason is its sessions row's comment. Only set by callers
   * that capture the output: a connection request bridged to the user ends with the user.
   */
  readonly cancel?: AbortSignal;
}

/** Why a caller cancelled a request (EgressEnv.cancel's reason). */
export type CancelReason = 'timeout' | 'client_gone';
export interface TargetRequest {
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number;
  /** The remote command, null for a shell. */
  readonly command: string | null;
  readonly wait: boolean;
  readonly timeoutSec: number | undefined;
  readonly tty: boolean;
  readonly noTty: boolean;
  readonly quiet: boolean;
  /** --use-key: try only the egress key with this fingerprint. */
  readonly useKey?: string;
}
export interface EgressOutcome {
  readonly exit: number;
  readonly code: ResultCode;
  readonly signal?: ExitSignal;
}

/** What every step of one request shares: its environment, the request, and what was read as it began. */
export interface EgressCall {
  readonly env: EgressEnv;
  readonly req: TargetRequest;
  /** The remote user: the one asked for, or the account's own name. */
  readonly user: string;
  readonly settings: Map<string, string>;
  readonly oshOnly: boolean;
  /** When the request began: the session row's start and the recording's day. */
  readonly nowMs: number;
  /** The bastion's own address of this connection, when known. */
  readonly via: { readonly ip: string; readonly port: number } | undefined;
  /** A line on the client's stderr, unless --quiet. */
  readonly say: (text: string) => void;
}
/** The access decision allowed the request: where it goes and by which accesses. */
export interface Granted {
  readonly ip: string;
  /** How the target is shown: user@ip:port. */
  readonly target: string;
  readonly grants: readonly AccessGrant[];
  /**
   * The command sent to the target, null for a shell: the request's as typed, or, for a
   * command-restricted account, its words re-quoted (commandCheck.ts).
   */
  readonly command: string | null;
}
/** What the session needs before it connects: the channel it bridges, the pty, the recording, the keys. */
export interface Prepared {
  readonly ingress: IngressChannel;
  readonly ingressPty: PtyInfo | null;
  readonly wantPty: boolean;
  readonly size: WindowSize;
  /** The recording's path under the data directory. */
  readonly recording: string;
  readonly plan: KeyPlan;
  /** Seconds of inactivity before the session is killed, 0 for never. */
  readonly idleKill: number;
}
/** A session's end as its sessions row records it. */
export interface SessionEnd {
  readonly exitStatus: number | null;
  readonly exitSignal: string | null;
  readonly comment: string | null;
  readonly bytesUp: number;
  readonly bytesDown: number;
}

export type Connected = Extract<SshConnectResult, { ok: true }>;

/** A step that ended the request answers its outcome instead of what the next step needs. */
export const isOutcome = (x: object): x is EgressOutcome => 'exit' in x;
