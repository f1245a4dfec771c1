// asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one
// [seconds, code, data] line per event. Codes we write: "o" output (a pty session's screen, or a
// non-pty session's stdout), "r" resize ("COLSxROWS"), and "e" for a non-pty session's stderr: the
// format leaves the event list open and players skip codes they don't know, so stock
// `asciinema play` shows stdout while selfPlaySession replays both streams where they belong.
import fs from 'node:fs';
import path from 'node:path';
import { CastEncoder, Utf8Stream } from './castEncoding.js';

export interface CastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  /** Seconds since the epoch when the recording started. */
  readonly timestamp: number;
  readonly title?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export type CastCode = 'o' | 'e' | 'r' | 'i' | 'm';

export interface CastEvent {
  readonly time: number;
  readonly code: CastCode;
  readonly data: string;
}

const CODES: ReadonlySet<string> = new Set(['o', 'e', 'r', 'i', 'm']);

/** What the session side records into (a CastWriter here, or one in the recorder thread). */
export interface Recording {
  /** Output of the session (stdout, or everything with a pty). Returns false when the file lags. */
  output(chunk: Buffer): boolean;
  /** stderr of a session without a pty. */
  errorOutput(chunk: Buffer): boolean;
  resize(cols: number, rows: number): boolean;
  /** Called once when the recording can take more after output() returned false. */
  onDrain(fn: () => void): void;
  /** Resolves once the file is open (null) or could not be created (the error). */
  ready(): Promise<Error | null>;
  close(): Promise<void>;
}

/**
 * Writes one recording as the session goes, on the calling thread (the recorder thread writes
 * its own with castFile.ts; both encode alike). Events are timed from the writer's creation.
 */
export class CastWriter implements Recording {
  private readonly out: fs.WriteStream;
  private readonly streams = { o: new Utf8Stream(), e: new Utf8Stream() };
  private readonly enc = new CastEncoder(4096);
  private readonly started = performance.now();
  private failed: Error | null = null;
  private last = 0;

  constructor(
    readonly file: string,
    header: CastHeader,
  ) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    } catch {
      // The file can't be opened then either: that error is the one ready() reports.
    }
    // 'wx': a recording is never overwritten; 0600: it may hold anything the target printed.
    this.out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 });
    this.out.on('error', (err) => (this.failed = err));
    this.out.write(JSON.stringify(header) + '\n');
  }

  /** Resolves once the file is open (null) or could not be created (the error). */
  ready(): Promise<Error | null> {
    if (this.failed) return Promise.resolve(this.failed);
    if (this.out.pending === false) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.out.once('ready', () => resolve(null));
      this.out.once('error', (err) => resolve(err));
    });
  }

  output(chunk: Buffer): boolean {
    return this.text('o', this.streams.o.write(chunk));
  }

  errorOutput(chunk: Buffer): boolean {
    return this.text('e', this.streams.e.write(chunk));
  }

  resize(cols: number, rows: number): boolean {
    return this.event('r', `${cols}x${rows}`);
  }

  /** Whether the file has accepted everything so far (false: wait for drain before more). */
  get writable(): boolean {
    return !this.out.writableNeedDrain;
  }

  onDrain(fn: () => void): void {
    this.out.once('drain', fn);
  }

  get error(): Error | null {
    return this.failed;
  }

  /** Flushes what the UTF-8 streams held back (a cut character, as U+FFFD) and closes the file. */
  close(): Promise<void> {
    this.text('o', this.streams.o.end());
    this.text('e', this.streams.e.end());
    return new Promise((resolve) => {
      if (this.out.destroyed) return resolve();
      this.out.end(() => resolve());
      this.out.once('error', () => resolve());
    });
  }

  private text(code: 'o' | 'e', data: Uint8Array): boolean {
    return data.length === 0 ? this.writable : this.event(code, data);
  }

  private event(code: CastCode, data: Uint8Array | string): boolean {
    if (this.failed || this.out.destroyed || this.out.writableEnded) return true;
    // Seconds since the start, to the microsecond (asciinema writes 6 decimals too), never
    // before the previous event.
    const t = Math.max(this.last, Math.round((performance.now() - this.started) * 1000) / 1e6);
    this.last = t;
    // A copy: the encoder's buffer is reused by the next event, the stream writes later.
    return this.out.write(Buffer.from(this.enc.event(t, code, data)));
  }
}

export class CastFormatError extends Error {}

/** Reads and checks a whole recording: the header, then well-formed events in time order. */
export function parseCast(text: string): { header: CastHeader; events: CastEvent[] } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const first = lines.shift();
  if (first === undefined) throw new CastFormatError('empty recording');
  const header = parseCastHeader(first);
  const events: CastEvent[] = [];
  let last = 0;
  for (const [i, line] of lines.entries()) {
    const ev = parseCastEvent(line, i + 1, last);
    last = ev.time;
    events.push(ev);
  }
  return { header, events };
}

/** The header line, checked (shared by parseCast and the line-by-line replay). */
export function parseCastHeader(line: string): CastHeader {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new CastFormatError('the header line is not JSON');
  }
  if (!isHeader(header)) throw new CastFormatError('the header is not an asciicast v2 header');
  return header;
}

/** Event number `n`, checked, and not before `last` (the previous event's time). */
export function parseCastEvent(line: string, n: number, last: number): CastEvent {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    throw new CastFormatError(`event ${n} is not JSON`);
  }
  if (!Array.isArray(ev) || ev.length !== 3) throw new CastFormatError(`event ${n} is not a [time, code, data] triple`);
  const [time, code, data] = ev as unknown[];
  if (typeof time !== 'number' || !Number.isFinite(time) || time < last) throw new CastFormatError(`event ${n} has a bad time`);
  if (typeof code !== 'string' || !CODES.has(code) || typeof data !== 'string') throw new CastFormatError(`event ${n} has a bad code or data`);
  return { time, code: code as CastCode, data };
}

function isHeader(h: unknown): h is CastHeader {
  if (typeof h !== 'object' || h === null) return false;
  const o = h as Record<string, unknown>;
  return o['version'] === 2 && Number.isInteger(o['width']) && Number.isInteger(o['height']) && typeof o['timestamp'] === 'number';
}
