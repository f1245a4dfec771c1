// Replaying a recording with its original timing (divided by the speed asked for), read line by
// line so a long session never sits in memory whole. Each event is checked as it is read; a line
// that is not a valid event stops the replay with an error instead of printing garbage. The
// replay goes no faster than the client reads (it waits for the output to drain), and stops when
// the client has gone.
import fs from 'node:fs';
import type { CastHeader } from '../services/recording.js';
import { CastFormatError, parseCastEvent, parseCastHeader } from './asciicast.js';

export interface ReplayOutput {
  /** Screen output (and a non-pty session's stdout). */
  out(data: string): void;
  /** A non-pty session's stderr. */
  err(data: string): void;
  /** Resolves once the client has taken what was written so far. */
  drain(): Promise<void>;
}

export interface ReplayResult {
  readonly header: CastHeader;
  readonly events: number;
  /** The replay stopped before the end because the signal was aborted (the client has gone). */
  readonly stopped: boolean;
}

export async function replayCast(
  file: string,
  speed: number,
  output: ReplayOutput,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void> = delay,
): Promise<ReplayResult> {
  const lines = fileLines(file);
  let header: CastHeader | null = null;
  let last = 0;
  let events = 0;
  let stopped = false;
  try {
    for await (const line of lines) {
      if (header === null) {
        header = parseCastHeader(line);
        continue;
      }
      if (signal.aborted) {
        stopped = true;
        break;
      }
      if (line === '') continue;
      const { time, code, data } = parseCastEvent(line, events + 1, last);
      const wait = ((time - last) * 1000) / speed;
      if (wait >= 1) await sleep(wait, signal);
      last = time;
      events++;
      if (code === 'o') output.out(data);
      else if (code === 'e') output.err(data);
      await output.drain();
    }
  } finally {
    await lines.return(undefined);
  }
  if (header === null) throw new CastFormatError('empty recording');
  return { header, events, stopped: stopped || signal.aborted };
}

/**
 * The lines of a file, read one chunk (64 KiB) ahead at most. readline's async iterator is not
 * used: it queues up to 1024 lines while the loop waits, which for a recording of 32 KiB events
 * is 32 MiB held per replay.
 */
async function* fileLines(file: string): AsyncGenerator<string, void, undefined> {
  const stream = fs.createReadStream(file, { encoding: 'utf8' });
  let carry = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (carry + chunk).split('\n');
      carry = parts.pop() ?? '';
      for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
    }
    if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
  } finally {
    stream.destroy();
  }
}

/** A pause that ends early when the signal is aborted (the loop then sees it and stops). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
