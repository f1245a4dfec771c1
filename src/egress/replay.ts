// Replaying a recording with its original timing (divided by the speed asked for), read line by
// line so a long session never sits in memory whole. Each event is checked as it is read; a line
// that is not a valid event stops the replay with an error instead of printing garbage.
import fs from 'node:fs';
import readline from 'node:readline';
import { CastFormatError, parseCastEvent, parseCastHeader, type CastHeader } from './asciicast.js';

export interface ReplayOutput {
  /** Screen output (and a non-pty session's stdout). */
  out(data: string): void;
  /** A non-pty session's stderr. */
  err(data: string): void;
}

export interface ReplayResult {
  readonly header: CastHeader;
  readonly events: number;
}

export async function replayCast(file: string, speed: number, output: ReplayOutput, sleep: (ms: number) => Promise<void> = delay): Promise<ReplayResult> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header: CastHeader | null = null;
  let last = 0;
  let events = 0;
  try {
    for await (const line of lines) {
      if (header === null) {
        header = parseCastHeader(line);
        continue;
      }
      if (line === '') continue;
      const { time, code, data } = parseCastEvent(line, events + 1, last);
      const wait = ((time - last) * 1000) / speed;
      if (wait >= 1) await sleep(wait);
      last = time;
      events++;
      if (code === 'o') output.out(data);
      else if (code === 'e') output.err(data);
    }
  } finally {
    lines.close();
  }
  if (header === null) throw new CastFormatError('empty recording');
  return { header, events };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
