// The call's output side of a session channel: writes with backpressure, and a signal for when the
// client has gone. ssh2 buffers a write the client's window has no room for, and never finishes a
// write made after the channel closed: without this, a client that stops reading (or leaves)
// would make everything written for it pile up in the server's memory.
import { once, type EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Sink } from '../command/terminal.js';

export interface ChannelSink {
  readonly sink: Sink;
  /** Aborted when the channel closes: the client has gone, work for it stops. */
  readonly gone: AbortSignal;
}

export function channelSink(channel: Writable & { readonly stderr: Writable }, session: EventEmitter): ChannelSink {
  const ac = new AbortController();
  const leave = (): void => ac.abort();
  // ssh2 emits the channel's 'close' only once its unread input has been read, and the call
  // leaves a client's unread input unread (paused): the session's 'close' (the client closed the
  // channel) and stderr's end (ssh2 ends it when the channel or the connection goes) come first.
  channel.once('close', leave);
  session.once('close', leave);
  channel.stderr.once('finish', leave);
  channel.stderr.once('close', leave);
  const streams = [channel, channel.stderr];
  return {
    gone: ac.signal,
    sink: {
      // Nobody reads a closed channel: what is written then is dropped, not queued forever.
      stdout: (t) => void (ac.signal.aborted || channel.write(t)),
      stderr: (t) => void (ac.signal.aborted || channel.stderr.write(t)),
      async drain() {
        // A stream above its high-water mark (ssh2: one SSH window, 2 MiB) waits for 'drain';
        // the 'close' that ends the wait when the client leaves is the abort.
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
