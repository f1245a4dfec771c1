// The call's output side of a session channel: writes with backpressure, and a signal for when the
// client has gone. ssh2 buffers a write the client's window has no room for, and never finishes a
// write made after the channel closed: without this, a client that stops reading (or leaves)
// would make everything written for it pile up in the server's memory.
import { once, type EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Sink } from '../osh/terminal.js';

export interface ChannelSink {
  readonly sink: Sink;
  /** Aborted when the channel closes: the client has gone, work for it stops. */
  readonly gone: AbortSignal;
  /** Stop watching (the call is over): a long-lived connection does not collect listeners. */
  dispose(): void;
}

/**
 * `leaving` are the other emitters whose 'close' means the client has gone: the session (the
 * client closed the channel) and the connection (it dropped). ssh2 emits the channel's own
 * 'close' only once its unread input has been read, and a call leaves a client's unread input
 * unread (paused); stderr's end (ssh2 ends it when the channel goes) waits for writes the client
 * never took.
 */
export function channelSink(channel: Writable & { readonly stderr: Writable }, leaving: readonly EventEmitter[]): ChannelSink {
  const ac = new AbortController();
  const leave = (): void => ac.abort();
  const watched: [EventEmitter, string][] = [
    [channel, 'close'],
    [channel.stderr, 'finish'],
    [channel.stderr, 'close'],
    ...leaving.map((e): [EventEmitter, string] => [e, 'close']),
  ];
  for (const [e, ev] of watched) e.once(ev, leave);
  // A connection carries up to MaxSessions calls at once, each with its listener here: counted in
  // the emitter's limit so that its leak warning keeps meaning something.
  for (const e of leaving) e.setMaxListeners(e.getMaxListeners() + 1);
  const streams = [channel, channel.stderr];
  let disposed = false;
  return {
    gone: ac.signal,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const [e, ev] of watched) e.off(ev, leave);
      for (const e of leaving) e.setMaxListeners(Math.max(0, e.getMaxListeners() - 1));
    },
    sink: {
      // Nobody reads a closed channel: what is written then is dropped, not queued forever.
      stdout: (t) => void (ac.signal.aborted || channel.write(t)),
      stderr: (t) => void (ac.signal.aborted || channel.stderr.write(t)),
      async drain() {
        // A stream above its high-water mark (ssh2: one SSH window, 2 MiB) waits for 'drain';
        // the wait ends too when the client leaves.
        for (const s of streams) {
          if (ac.signal.aborted) return;
          if (!s.writableNeedDrain) continue;
          try {
            await once(s, 'drain', { signal: ac.signal });
          } catch {
            return;
          }
        }
      },
    },
  };
}
