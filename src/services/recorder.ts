// Recordings written by one recorder thread shared by every session of the process (see
// recorderWorker.ts for why). The session side copies the chunks of one stream into a batch
// buffer for up to BATCH_MS or BATCH_BYTES and hands the buffer over (transferred, not copied);
// the thread hands it back with its acknowledgement, so in a long transfer the same few buffers
// go round and nothing is allocated per chunk. Before, a 200 MiB transfer was 6,400 messages, as
// many fresh buffers, and the GC work to free them. An event's time is when its first byte went
// by, so timings are at most BATCH_MS coarser; the bytes are all there. An in-flight budget per
// recording, released as the thread acknowledges what reached the file, pauses a session whose
// recording falls behind instead of buffering without bound. If the thread dies, its recordings
// end (marked failed) and sessions go on; the next session starts a new thread.
import { Worker } from 'node:worker_threads';
import type { CastHeader, Recording } from './recording.js';
import type { FromRecorder, ToRecorder } from './recorderProtocol.js';

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const BATCH_BYTES = 256 * 1024;
const BATCH_MS = 20;
/** Idle batch buffers kept for reuse (2 MiB): enough for one busy session's round trip. */
const KEEP_BUFFERS = 8;

export interface RecorderPool {
  open(file: string, header: CastHeader): Recording;
  /** Ends the thread (at shutdown); open recordings are closed as failed. */
  stop(): Promise<void>;
}

/** Batch buffers going round between the sessions and the thread. */
class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of at least `bytes` (BATCH_BYTES for any batch that fits one). */
  take(bytes: number): ArrayBuffer {
    if (bytes > BATCH_BYTES) return new ArrayBuffer(bytes);
    return this.free.pop() ?? new ArrayBuffer(BATCH_BYTES);
  }

  give(buf: ArrayBuffer): void {
    if (buf.byteLength === BATCH_BYTES && this.free.length < KEEP_BUFFERS) this.free.push(buf);
  }
}

export function createRecorderPool(onFault: (err: Error) => void = () => {}): RecorderPool {
  let worker: Worker | null = null;
  let nextId = 1;
  const open = new Map<number, ThreadRecording>();
  const buffers = new BufferPool();

  const ensure = (): Worker => {
    if (worker) return worker;
    const w = new Worker(new URL('./recorderWorker.js', import.meta.url));
    // Only open recordings keep it busy; it never holds the process up by itself.
    w.unref();
    w.on('message', (m: FromRecorder) => {
      if (m.op === 'ack' && m.buf) buffers.give(m.buf);
      open.get(m.id)?.receive(m);
    });
    const lost = (err: Error): void => {
      if (worker !== w) return;
      worker = null;
      onFault(err);
      for (const r of open.values()) r.fail(err);
      open.clear();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`recorder thread exited (${code})`)));
    worker = w;
    return w;
  };

  return {
    open(file, header) {
      const w = ensure();
      const id = nextId++;
      const rec = new ThreadRecording(
        (m, transfer) => w.postMessage(m, transfer),
        buffers,
        () => open.delete(id),
        id,
      );
      open.set(id, rec);
      w.postMessage({ op: 'open', id, file, header } satisfies ToRecorder);
      return rec;
    },
    async stop() {
      const w = worker;
      worker = null;
      for (const r of open.values()) r.fail(new Error('recorder stopped'));
      open.clear();
      if (w) await w.terminate();
    },
  };
}

class ThreadRecording implements Recording {
  private inFlight = 0;
  private drains: (() => void)[] = [];
  private failed: Error | null = null;
  private readonly started = performance.now();
  private readyResult: Promise<Error | null>;
  private resolveReady: (e: Error | null) => void = () => {};
  private resolveClosed: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  // The batch being filled: bytes of one stream, from the time of its first byte.
  private batch: Uint8Array | null = null;
  private batchUsed = 0;
  private batchCode: 'o' | 'e' = 'o';
  private batchAt = 0;
  private batchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly post: (m: ToRecorder, transfer?: ArrayBuffer[]) => void,
    private readonly buffers: BufferPool,
    private readonly forget: () => void,
    private readonly id: number,
  ) {
    this.readyResult = new Promise((r) => (this.resolveReady = r));
  }

  output(chunk: Buffer): boolean {
    return this.add('o', chunk);
  }

  errorOutput(chunk: Buffer): boolean {
    return this.add('e', chunk);
  }

  resize(cols: number, rows: number): boolean {
    if (this.failed || this.closing !== null) return true;
    this.send();
    this.inFlight += 1;
    this.post({ op: 'resize', id: this.id, atMs: this.now(), cols, rows });
    return this.inFlight < HIGH_WATER;
  }

  onDrain(fn: () => void): void {
    if (this.failed || this.inFlight < HIGH_WATER) queueMicrotask(fn);
    else this.drains.push(fn);
  }

  ready(): Promise<Error | null> {
    return this.readyResult;
  }

  close(): Promise<void> {
    this.closing ??= this.failed
      ? Promise.resolve()
      : new Promise<void>((r) => {
          this.send();
          this.resolveClosed = r;
          this.post({ op: 'close', id: this.id });
        });
    return this.closing;
  }

  receive(m: FromRecorder): void {
    if (m.op === 'ready') this.resolveReady(m.error === null ? null : new Error(m.error));
    else if (m.op === 'ack') {
      this.inFlight -= m.bytes;
      if (this.inFlight <= LOW_WATER) this.releaseDrains();
    } else if (m.op === 'closed') {
      this.forget();
      this.resolveClosed?.();
    }
  }

  fail(err: Error): void {
    this.failed = err;
    this.inFlight = 0;
    clearTimeout(this.batchTimer);
    if (this.batch) this.buffers.give(this.batch.buffer as ArrayBuffer);
    this.batch = null;
    this.resolveReady(err);
    this.resolveClosed?.();
    this.releaseDrains();
  }

  private add(code: 'o' | 'e', chunk: Buffer): boolean {
    if (this.failed || this.closing !== null || chunk.length === 0) return true;
    // Events stay in the order the bytes came: the other stream's batch goes first.
    if (this.batch && (code !== this.batchCode || this.batchUsed + chunk.length > this.batch.length)) this.send();
    if (!this.batch) {
      this.batch = new Uint8Array(this.buffers.take(chunk.length));
      this.batchUsed = 0;
      this.batchCode = code;
      this.batchAt = this.now();
    }
    this.batch.set(chunk, this.batchUsed);
    this.batchUsed += chunk.length;
    this.inFlight += chunk.length;
    if (this.batchUsed >= BATCH_BYTES) this.send();
    else this.batchTimer ??= setTimeout(() => this.send(), BATCH_MS);
    return this.inFlight < HIGH_WATER;
  }

  /** Hands the batch to the thread (its buffer moves there, and comes back with the ack). */
  private send(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const batch = this.batch;
    if (!batch || this.failed) return;
    this.batch = null;
    const buf = batch.buffer as ArrayBuffer;
    this.post({ op: 'data', id: this.id, code: this.batchCode, atMs: this.batchAt, buf, bytes: this.batchUsed }, [buf]);
  }

  private releaseDrains(): void {
    const fns = this.drains;
    this.drains = [];
    for (const fn of fns) fn();
  }

  private now(): number {
    return performance.now() - this.started;
  }
}
