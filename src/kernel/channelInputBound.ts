// ssh2 drops a peer's CHANNEL_DATA only when the channel's receive window is exactly 0: a peer
// that ignores flow control overshoots it, the window goes negative, and from then on every packet
// is pushed into the channel's readable buffer, however long nobody reads it (ssh2 1.17,
// lib/server.js and lib/client.js, "TODO: raise error on data with not enough window?"). A
// paused channel then grows without bound. A peer that respects the window can never have more
// than about two windows buffered (ssh2 refills the window while the buffer is under its 2 MiB
// high-water mark), so anything past `maxBuffered` is a protocol violation: the push is refused
// and `onOverrun` ends the connection.
import type { Readable } from 'node:stream';

/** ssh2's window is 2 MiB and its buffer's high-water mark too: a compliant peer stays under ~4 MiB. */
const CHANNEL_INPUT_MAX_BUFFERED = 8 * 1024 * 1024;

export function boundChannelInput(stream: Readable, onOverrun: () => void, maxBuffered = CHANNEL_INPUT_MAX_BUFFERED): void {
  const push = stream.push.bind(stream);
  let tripped = false;
  stream.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (chunk === null) return push(null, encoding);
    if (tripped) return false;
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk instanceof Uint8Array ? chunk.length : 0;
    if (stream.readableLength + size > maxBuffered) {
      tripped = true;
      onOverrun();
      return false;
    }
    return push(chunk, encoding);
  };
}
