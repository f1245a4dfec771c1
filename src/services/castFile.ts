// One recording written by the recorder thread: synchronous writes, one per event line. That
// thread does nothing else, so blocking it costs no session anything, and an event is on disk
// (in the page cache) when the call returns, which is when its bytes are acknowledged to the
// session; no stream buffers or callbacks in between.
import fs from 'node:fs';
import path from 'node:path';
import type { CastHeader } from './recording.js';
import { Utf8Stream, type CastEncoder } from './castEncoding.js';

export class CastFile {
  private fd: number | null = null;
  private failed: Error | null = null;
  private readonly streams = { o: new Utf8Stream(), e: new Utf8Stream() };
  private last = 0;

  /** Creates the file (never over an existing one, mode 0600); `error` says if that failed. */
  constructor(
    file: string,
    header: CastHeader,
    private readonly enc: CastEncoder,
  ) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    } catch {
      // The file can't be opened then either: that error is the one reported.
    }
    try {
      this.fd = fs.openSync(file, 'wx', 0o600);
      this.writeAll(Buffer.from(JSON.stringify(header) + '\n'));
    } catch (e) {
      this.fail(e);
    }
  }

  get error(): Error | null {
    return this.failed;
  }

  /** Output bytes ('o') or a non-pty session's stderr ('e'), `atMs` after the recording started. */
  write(code: 'o' | 'e', bytes: Uint8Array, atMs: number): void {
    const text = this.streams[code].write(bytes);
    if (text.length > 0) this.event(code, text, atMs);
  }

  resize(cols: number, rows: number, atMs: number): void {
    this.event('r', `${cols}x${rows}`, atMs);
  }

  /** Writes what the UTF-8 streams held back (a cut character, as U+FFFD) and closes the file. */
  close(): void {
    for (const code of ['o', 'e'] as const) {
      const rest = this.streams[code].end();
      if (rest.length > 0) this.event(code, rest, this.last * 1000);
    }
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Nothing more to write: a failing close loses nothing that the writes did not report.
      }
      this.fd = null;
    }
  }

  private event(code: 'o' | 'e' | 'r', data: Uint8Array | string, atMs: number): void {
    if (this.fd === null || this.failed) return;
    // Seconds to the microsecond (as asciinema writes them), never before the previous event.
    const t = Math.max(this.last, Math.round(atMs * 1000) / 1e6);
    this.last = t;
    try {
      this.writeAll(this.enc.event(t, code, data));
    } catch (e) {
      this.fail(e);
    }
  }

  private writeAll(line: Uint8Array): void {
    if (this.fd === null) return;
    for (let done = 0; done < line.length; ) done += fs.writeSync(this.fd, line, done, line.length - done);
  }

  private fail(e: unknown): void {
    this.failed = e instanceof Error ? e : new Error(String(e));
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already failing: the first error is the one kept.
      }
      this.fd = null;
    }
  }
}
