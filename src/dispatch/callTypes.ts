// What a call is given and what it answers: the shared services, the facts of one call, and its
// outcome. Apart from the dispatcher so that the modules it calls (connectRequest, refuse) can
// name them without importing the dispatcher back (no-cycle).
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { GroupRoleCheck } from '../policy/roles.js';
import type { ConfigSource } from '../config/source.js';
import type { RecorderPool } from '../services/recorder.js';
import type { LiveSessions } from '../services/liveSessions.js';
import type { ExitSignal, IngressChannel } from '../egress/types.js';
import type { Keyring } from '../services/keyring.js';
import type { Clock } from '../osh/context.js';
import type { AnyPlugin } from '../osh/define.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { Sink } from '../osh/terminal.js';

export interface Services {
  readonly store: Store;
  readonly config: ConfigSource;
  readonly keyring: Keyring;
  readonly plugins: ReadonlyMap<string, AnyPlugin>;
  readonly clock: Clock;
  readonly hostname: string;
  readonly version: string;
  /** Whether an account holds a group role on some group (the group-* plugin categories). */
  readonly groupRoles: GroupRoleCheck;
  /** Writes egress session recordings, on its own thread. */
  readonly recorder: RecorderPool;
  /** The connections, calls and egress sessions open now, so that accountFreeze can end them. */
  readonly liveSessions: LiveSessions;
}

export interface CallInput {
  readonly account: AccountRow;
  readonly peer: { readonly ip: string; readonly port: number };
  /** The bastion's own address of the client's connection, when known: the `via` of the sessions rows its clush hosts write. */
  readonly local?: { readonly ip: string; readonly port: number } | undefined;
  readonly connId: string;
  readonly command: string;
  readonly kind: 'exec' | 'shell';
  readonly pty: boolean;
  readonly env: ReadonlyMap<string, string>;
  readonly stdin: Readable;
  readonly sink: Sink;
  /** Aborted when the client has gone (the channel closed): becomes the plugin's ctx.signal. */
  readonly gone: AbortSignal;
  readonly log: Logger;
  /** The session channel itself, for connections to a target (egress bridges it byte for byte). */
  readonly ingress?: IngressChannel;
  /** Set for a sub-call (src/dispatch/subCalls.ts): the call that made it, and its plugin. */
  readonly parent?: { readonly callId: string; readonly plugin: string };
}

export interface CallOutcome {
  readonly exit: number;
  readonly code: string;
  readonly plugin: string | null;
  /** 'egress' when the call was a connection request that reached the egress path. */
  readonly kind?: 'egress';
  /** The target's command was killed by a signal: the client gets exit-signal instead of a status. */
  readonly signal?: ExitSignal;
}
