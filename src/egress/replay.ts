// Replaying a recording with its original timing (divided by the speed asked for), read line by
// line so a long session never sits in memory whole. Each event is checked as it is read; a line
// that is not a valid event stops the replay with an error instead of printing garbage. The
// replay goes no faster than the client reads (it waits for the output to drain), and stops when
// the client has gone.
import fs from 'node:fs';
import readline from 'node:readline';
import { CastFormatError, parseCastEvent, parseCastHeader, type CastHeader } from './asciicast.js';

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
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
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
    lines.close();
  }
  if (header === null) throw new CastFormatError('empty recording');
  return { header, events, stopped: stopped || signal.aborted };
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
