// Reading asciicast v2 recordings back (selfPlaySession, replay.ts), each line checked: the
// recorder (services/recorder.ts) writes them, services/recording.ts says what they hold.
import type { CastHeader } from '../services/recording.js';

export type CastCode = 'o' | 'e' | 'r' | 'i' | 'm';

export interface CastEvent {
  readonly time: number;
  readonly code: CastCode;
  readonly data: string;
}

const CODES: ReadonlySet<string> = new Set(['o', 'e', 'r', 'i', 'm']);

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
