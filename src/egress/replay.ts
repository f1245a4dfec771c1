// Replaying a recording with its original timing (divided by the speed asked for), read line by
// line so a long session never sits in memory whole. Each event is checked as it is read; a line
// that is not a valid event stops the replay with an error instead of printing garbage.
import fs from 'node:fs';
import readline from 'node:readline';
import { CastFormatError, type CastHeader } from './asciicast.js';

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
        header = parseHeader(line);
        continue;
      }
      if (line === '') continue;
      const [time, code, data] = parseEvent(line, events + 1);
      if (time < last) throw new CastFormatError(`event ${events + 1} goes back in time`);
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

function parseHeader(line: string): CastHeader {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    throw new CastFormatError('the header line is not JSON');
  }
  const o = h as Record<string, unknown> | null;
  if (!o || o['version'] !== 2 || !Number.isInteger(o['width']) || !Number.isInteger(o['height'])) {
    throw new CastFormatError('not an asciicast v2 recording');
  }
  return o as unknown as CastHeader;
}

function parseEvent(line: string, n: number): [number, string, string] {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    throw new CastFormatError(`event ${n} is not JSON`);
  }
  if (!Array.isArray(ev) || ev.length !== 3 || typeof ev[0] !== 'number' || typeof ev[1] !== 'string' || typeof ev[2] !== 'string') {
    throw new CastFormatError(`event ${n} is not a [time, code, data] triple`);
  }
  return [ev[0], ev[1], ev[2]];
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
