// What the egress side needs from the ingress session, in plain terms: the channel to bridge, the
// pty the client asked for and a source of window-change and signal events. The SSH adapter fills
// it from ssh2 objects; nothing here depends on ssh2's server types.
import type { Duplex, Writable } from 'node:stream';

export interface WindowSize {
  readonly cols: number;
  readonly rows: number;
  /** Pixels, 0 when the client does not say. */
  readonly width: number;
  readonly height: number;
}

export interface PtyInfo extends WindowSize {
  readonly term: string;
  /** Terminal modes as ssh2 decodes them (RFC 4254 section 8), passed on unchanged. */
  readonly modes: Readonly<Record<string, number>>;
}

/** Events the client sends on its session after the command started. */
export interface IngressEvents {
  on(event: 'window-change', listener: (size: WindowSize) => void): unknown;
  on(event: 'signal', listener: (name: string) => void): unknown;
  off(event: 'window-change', listener: (size: WindowSize) => void): unknown;
  off(event: 'signal', listener: (name: string) => void): unknown;
}

export interface IngressChannel {
  /** The session channel: reading gives the client's stdin, writing goes to its stdout. */
  readonly channel: Duplex;
  /** The client's stderr (extended data). */
  readonly stderr: Writable;
  /** The pty as last sized (window-change updates it), or null when the client asked for none. */
  pty(): PtyInfo | null;
  readonly events: IngressEvents;
  /** The bastion's own address of this connection (The Bastion's "via"), when known. */
  readonly local?: { readonly ip: string; readonly port: number };
}

/** How a call ended when the target's command was killed by a signal (RFC 4254 6.10 exit-signal). */
export interface ExitSignal {
  /** Without the SIG prefix, e.g. TERM. */
  readonly name: string;
  readonly coreDumped: boolean;
  readonly message: string;
}
