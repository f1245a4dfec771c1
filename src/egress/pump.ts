// Moving bytes from one stream to several sinks with backpressure: the source is paused while any
// sink says it is full and resumed when every one of them has drained. stream.pipe() can't do this
// for two sinks (each pipe would resume the source on its own drain), and the recording must slow
// the session down rather than buffer without bound.
import type { Readable } from 'node:stream';

export interface Sink {
  /** Takes a chunk; false when it wants no more until it drains. */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
}

export interface PumpHandle {
  /** Bytes moved so far. */
  readonly bytes: number;
  /** Stops moving and lets the source flow into nothing, so it can reach its end (the peer is gone). */
  release(): void;
}

export function pump(source: Readable, sinks: readonly Sink[], onChunk?: (chunk: Buffer) => void): PumpHandle {
  let bytes = 0;
  let waiting = 0;
  let stopped = false;
  const drained = (): void => {
    waiting--;
    if (waiting === 0 && !stopped) source.resume();
  };
  const onData = (chunk: Buffer): void => {
    bytes += chunk.length;
    onChunk?.(chunk);
    for (const s of sinks) {
      if (!s.write(chunk)) {
        waiting++;
        s.onDrain(drained);
      }
    }
    if (waiting > 0) source.pause();
  };
  source.on('data', onData);
  source.resume();
  return {
    get bytes() {
      return bytes;
    },
    release() {
      stopped = true;
      source.off('data', onData);
      source.resume();
    },
  };
}

/** A writable stream seen as a sink; writes after it ended are dropped (the peer is gone). */
export function streamSink(w: NodeJS.WritableStream & { writableEnded?: boolean; destroyed?: boolean }): Sink {
  return {
    write: (chunk) => (w.writableEnded || w.destroyed ? true : w.write(chunk)),
    onDrain: (fn) => void w.once('drain', fn),
  };
}
