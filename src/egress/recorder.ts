// Recordings written by one recorder thread shared by every session of the process (see
// recorderWorker.ts for why). The session side only copies each chunk into a message; an
// in-flight budget per recording, released as the thread acknowledges what reached the file,
// pauses a session whose recording falls behind instead of buffering without bound. If the
// thread dies, its recordings end (marked failed) and sessions go on; the next session starts a
// new thread.
import { Worker } from 'node:worker_threads';
import type { CastHeader, Recording } from './asciicast.js';
import type { FromRecorder, ToRecorder } from './recorderProtocol.js';

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface RecorderPool {
  open(file: string, header: CastHeader): Recording;
  /** Ends the thread (at shutdown); open recordings are closed as failed. */
  stop(): Promise<void>;
}

export function createRecorderPool(onFault: (err: Error) => void = () => {}): RecorderPool {
  let worker: Worker | null = null;
  let nextId = 1;
  const open = new Map<number, ThreadRecording>();

  const ensure = (): Worker => {
    if (worker) return worker;
    const w = new Worker(new URL('./recorderWorker.js', import.meta.url));
    // Only open recordings keep it busy; it never holds the process up by itself.
    w.unref();
    w.on('message', (m: FromRecorder) => open.get(m.id)?.receive(m));
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
      const rec = new ThreadRecording((m, transfer) => w.postMessage(m, transfer), () => open.delete(id), id);
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

  constructor(
    private readonly post: (m: ToRecorder, transfer?: ArrayBuffer[]) => void,
    private readonly forget: () => void,
    private readonly id: number,
  ) {
    this.readyResult = new Promise((r) => (this.resolveReady = r));
  }

  output(chunk: Buffer): boolean {
    return this.send('o', chunk);
  }

  errorOutput(chunk: Buffer): boolean {
    return this.send('e', chunk);
  }

  resize(cols: number, rows: number): boolean {
    if (this.failed || this.closing) return true;
    this.inFlight += 1;
    this.post({ op: 'data', id: this.id, code: 'r', atMs: this.now(), cols, rows, bytes: 1 });
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
    this.resolveReady(err);
    this.resolveClosed?.();
    this.releaseDrains();
  }

  private send(code: 'o' | 'e', chunk: Buffer): boolean {
    if (this.failed || this.closing || chunk.length === 0) return true;
    // A copy of just these bytes (the chunk may be a view on a larger buffer), handed over
    // without a second copy.
    const copy = new Uint8Array(chunk);
    this.inFlight += copy.length;
    this.post({ op: 'data', id: this.id, code, atMs: this.now(), buf: copy, bytes: copy.length }, [copy.buffer]);
    return this.inFlight < HIGH_WATER;
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
