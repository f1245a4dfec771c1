// What a handler gets besides its options: who calls, the store, the configuration in force,
// a child logger, the clock, stdin and the output, and the capabilities only the dispatcher can
// build (running commands on targets through the egress path). Nothing else is reachable from a
// plugin.
import type { Logger } from 'pino';
import type { BastionConfig } from '../config/schema.js';
import type { ResolvedHost } from '../services/targetHost.js';
import type { Category, Roles } from '../policy/roles.js';
import type { Terminal } from './terminal.js';
import type { BastionOptions } from './bastionOptions.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { Keyring } from '../services/keyring.js';
import type { LiveSessions } from '../services/liveSessions.js';
import type { Envelope } from './envelope.js';
import type { ResultCode } from '../kernel/result.js';

export interface Caller {
  readonly account: AccountRow;
  readonly name: string;
  readonly roles: Roles;
  readonly peer: { readonly ip: string; readonly port: number };
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface StdinReader {
  /**
   * One line the client sends (without its line ending), or null at end of input or when nothing
   * arrives within the configured time. With a pty the typed characters are echoed, backspace
   * edits and ^C / ^D cancel (null). A line longer than maxBytes (and never longer than
   * stdinMaxLineBytes) is not read further: the read throws, and the dispatcher answers the call
   * with KO_INPUT_TOO_LONG, so a plugin needs no code for it.
   */
  readLine(opts?: { maxBytes?: number }): Promise<string | null>;
  /**
   * Everything until end of input, or null when it does not end in time. Past maxBytes (and
   * never past stdinMaxBytes) the read throws like readLine's.
   */
  readAll(opts?: { maxBytes?: number }): Promise<string | null>;
}

/**
 * What a plugin sees of the others: enough to list them and to check who may run them, not their
 * handlers. (Naming the whole definition here would make this module and osh/define, whose
 * handlers take a PluginContext, import each other.)
 */
export interface PluginListing {
  readonly name: string;
  readonly category: Category;
  /** One line: what the plugin does. */
  readonly summary: string;
}

export interface ServerInfo {
  readonly hostname: string;
  readonly version: string;
  /** Every plugin, for help and listings. */
  readonly plugins: ReadonlyMap<string, PluginListing>;
}

export interface PluginContext {
  readonly caller: Caller;
  readonly store: Store;
  readonly config: BastionConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly stdin: StdinReader;
  readonly out: Terminal;
  /** The bastion-level options of the request (--host, --user, --port …), which some plugins read. */
  readonly request: BastionOptions;
  /**
   * The request's --host as the dispatcher resolved it before the plugin ran (osh.pl checks it
   * first), null when none was given: plugins use this answer rather than asking DNS again.
   */
  readonly target: ResolvedHost | null;
  readonly server: ServerInfo;
  readonly keyring: Keyring;
  /** The egress sessions open now (accountFreeze ends the frozen account's). */
  readonly liveSessions: LiveSessions;
  /**
   * Aborted when the client has gone (its channel closed): long work (a replay, a long listing)
   * stops instead of writing to nobody.
   */
  readonly signal: AbortSignal;
  /** Whether the caller may run a plugin (for help and listings). */
  mayRun(plugin: PluginListing): boolean;
  /** `--osh` calls made as the caller, each a call of its own (batch). */
  readonly osh: SubCalls;
  /** Runs a command on targets as the caller, each host through the egress path (clush). */
  readonly remote: RemoteRunner;
}

/** What one sub-call answered: its envelope, as its JSON frame would carry it, and its exit status. */
export interface SubCallAnswer {
  readonly envelope: Envelope;
  readonly exit: number;
}

/**
 * `--osh` calls a plugin makes for its caller, one at a time, as The Bastion's batch runs each line
 * through osh.pl again: each is a new call of the same account on the same connection, through the
 * same checks (account state, category, options), with its own audit row and log line (which names
 * the call that made it). A sub-call reads no stdin (its reads see end of input) and has no pty;
 * its text goes to the caller's output as it comes, its envelope comes back here instead of being
 * printed.
 */
export interface SubCalls {
  /**
   * False within a sub-call: a sub-call makes no sub-calls of its own (no batch inside a batch),
   * and run() answers KO_NESTED_CALL without running anything.
   */
  readonly available: boolean;
  /** Runs `--osh LINE` (LINE split as an exec string is) and answers once it is done. */
  run(line: string): Promise<SubCallAnswer>;
}

/** One host of a remote run: where to connect, and the key its result is filed under. */
export interface RemoteTarget {
  /** The host as the caller named it (the value's key). */
  readonly key: string;
  /** A name or an address, resolved and decided on as a connection request's host is. */
  readonly host: string;
  /** The remote user; undefined for the account's own name, as for a connection request. */
  readonly user: string | undefined;
  readonly port: number;
}

/** What one host's run gave: The Bastion's three fields (clush's value), then Gatehouse's. */
export interface RemoteHostResult {
  /** The command's stdout, split into lines as Perl's split /\n/ does (no trailing empty lines). */
  readonly stdout: string[];
  /** Its stderr, with the bastion's own messages about this host (a refusal, a failed connection). */
  readonly stderr: string[];
  /**
   * The exit status the same request would give as `ssh ACCOUNT@bastion -- host -- command`: the
   * remote command's, or the bastion's refusal (107, 105 …), 117 after --timeout.
   */
  readonly sysret: number;
  /** OK when the command ran to its end (whatever its status), else why it did not. */
  readonly error_code: ResultCode;
  readonly duration_ms: number;
  /** Output past clushMaxOutputBytes (or the call's clushMaxTotalOutputBytes) was dropped. */
  readonly truncated: boolean;
}

export interface RemoteRunOptions {
  /** The command, given to the target's shell as typed. */
  readonly command: string;
  /** Hosts in flight at most; 1 runs them one after the other, in the list's order. */
  readonly parallel: number;
  /** Seconds a host may take, connection included; undefined for no limit but the connection's. */
  readonly timeoutSec: number | undefined;
  /** --use-key: only the egress key with this fingerprint is tried. */
  readonly useKey?: string | undefined;
  /**
   * Called before a host starts, while no other host starts and no other hook runs (a prompt):
   * false starts no more hosts.
   */
  readonly beforeHost?: (target: RemoteTarget) => Promise<boolean> | boolean;
  /** Called as each host ends, one at a time, in the order they end: false starts no more hosts. */
  readonly afterHost?: (target: RemoteTarget, result: RemoteHostResult) => Promise<boolean> | boolean;
}

export interface RemoteRunSummary {
  /** The hosts that ran, by key, in the order of the targets given. */
  readonly results: ReadonlyMap<string, RemoteHostResult>;
  /**
   * Why hosts were left unstarted other than a hook's false: the client left (KO_CLIENT_GONE) or
   * the account may no longer connect (frozen, expired, deleted: its refusal). null otherwise.
   */
  readonly stopped: { readonly code: ResultCode; readonly msg: string } | null;
}

/** The capability a plugin uses to run commands on targets (built by the dispatcher on the egress path). */
export interface RemoteRunner {
  run(targets: readonly RemoteTarget[], opts: RemoteRunOptions): Promise<RemoteRunSummary>;
}
