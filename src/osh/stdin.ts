// Reads what the client sends on the channel, on demand. The channel flows only while a read is
// waiting for bytes and is paused as soon as the read has what it wanted, so a client streaming
// without end fills its SSH window (ssh2 then stops granting more), never the server's memory.
// Bytes are handled as they arrive, chunk by chunk: a read costs time linear in what it consumed
// and keeps at most its limit, and a line or input past its limit is refused (InputRefused) at
// the byte that crosses it, without reading further.
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { StdinReader } from './context.js';

export interface StdinOptions {
  readonly timeoutMs: number;
  /** With a pty there is no kernel line discipline on our side: echo and edit ourselves. */
  readonly pty: boolean;
  /**
   * Echo to the client's terminal. It only ever gets text the line accepted (no control
   * characters but tab), '\r\n' and the '\b \b' that erases a character.
   */
  readonly echo: (text: string) => void;
  /** The longest line a read may return (a plugin's own maxBytes can only lower it). */
  readonly maxLineBytes: number;
  /** The most readAll may return (a plugin's own maxBytes can only lower it). */
  readonly maxAllBytes: number;
}

/** A read that the client made too long: the dispatcher answers it with KO_INPUT_TOO_LONG. */
export class InputRefused extends Error {
  constructor(
    readonly what: 'line' | 'input',
    readonly limit: number,
  ) {
    super(what === 'line' ? `The line sent on stdin is longer than ${limit} bytes: nothing was done` : `The input sent on stdin is longer than ${limit} bytes: nothing was done`);
    this.name = 'InputRefused';
  }
}

/** The reader a call hands to its plugin, plus release() for the dispatcher once the plugin is done. */
export interface StdinSession extends StdinReader {
  /** Stop listening and leave the channel paused; later reads get null. */
  release(): void;
}

/**
 * What one read does with the bytes it is given: `null` to ask for more, or the bytes it did not
 * use (possibly empty) once it has finished; they stay for the next read.
 */
type Consume = (chunk: Buffer) => Buffer | null;

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BS = 0x08;
const DEL = 0x7f;
const ETX = 0x03; // ^C
const EOT = 0x04; // ^D

export function stdinReader(source: Readable, opts: StdinOptions): StdinSession {
  // Bytes that arrived after the last read finished (at most the chunk that was being handled
  // when the channel was paused, and whatever ssh2 had already pushed): the next read starts there.
  const queue: Buffer[] = [];
  let ended = false;
  let released = false;
  let attached = false;
  let deliver: ((chunk: Buffer | null) => void) | null = null;
  // With a pty, a line ended by CR may be followed by the LF of a CRLF: that LF is not an empty line.
  let skipLf = false;

  const onData = (chunk: Buffer | string): void => {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (deliver) deliver(b);
    else {
      queue.push(b);
      source.pause();
    }
  };
  const onEnd = (): void => {
    ended = true;
    deliver?.(null);
  };
  const attach = (): void => {
    if (attached) return;
    attached = true;
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('close', onEnd);
  };

  /** Feeds the queue, then the channel, to `consume` until it is done, the input ends or time runs out. */
  const run = (consume: Consume): Promise<'done' | 'end' | 'timeout'> =>
    new Promise((resolve, reject) => {
      if (released) return resolve('end');
      attach();
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (how: 'done' | 'end' | 'timeout' | Error): void => {
        if (settled) return;
        settled = true;
        deliver = null;
        clearTimeout(timer);
        source.pause();
        if (how instanceof Error) reject(how);
        else resolve(how);
      };
      const feed = (chunk: Buffer): void => {
        let rest: Buffer | null;
        try {
          rest = consume(chunk);
        } catch (err) {
          settle(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (rest === null) return;
        if (rest.length > 0) queue.unshift(rest);
        settle('done');
      };
      while (queue.length > 0 && !settled) feed(queue.shift() as Buffer);
      if (settled) return;
      if (ended) return settle('end');
      timer = setTimeout(() => settle('timeout'), opts.timeoutMs);
      deliver = (chunk) => (chunk === null ? settle('end') : feed(chunk));
      source.resume();
    });

  return {
    async readLine({ maxBytes } = {}) {
      const limit = Math.min(maxBytes ?? opts.maxLineBytes, opts.maxLineBytes);
      const line = new LineBuffer(limit);
      const typed = opts.pty ? new TypedLine(line, skipLf, opts.echo) : null;
      skipLf = false;
      const consume: Consume = typed
        ? (chunk) => typed.consume(chunk)
        : (chunk) => {
            const nl = chunk.indexOf(LF);
            line.append(nl < 0 ? chunk : chunk.subarray(0, nl));
            return nl < 0 ? null : chunk.subarray(nl + 1);
          };
      const how = await run(consume);
      if (typed?.endedByCr) skipLf = true;
      if (how === 'done') return typed?.cancelled ? null : line.text(!opts.pty);
      // End of input: what was typed before it is the last line, as a shell's `read` takes it.
      if (how === 'end' && line.length > 0) return line.text(!opts.pty);
      return null;
    },
    async readAll({ maxBytes } = {}) {
      const limit = Math.min(maxBytes ?? opts.maxAllBytes, opts.maxAllBytes);
      const decoder = new StringDecoder('utf8');
      const parts: string[] = [];
      let size = 0;
      const how = await run((chunk) => {
        size += chunk.length;
        if (size > limit) throw new InputRefused('input', limit);
        parts.push(decoder.write(chunk));
        return null;
      });
      if (how !== 'end') return null;
      parts.push(decoder.end());
      return parts.join('');
    },
    release() {
      released = true;
      deliver = null;
      queue.length = 0;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onEnd);
      source.pause();
    },
  };
}

/**
 * The bytes of one line, kept as UTF-8 in a buffer that grows by doubling up to the limit:
 * appending is linear, and erasing a character (backspace) is constant time.
 */
class LineBuffer {
  private buf = Buffer.alloc(256);
  length = 0;

  constructor(private readonly limit: number) {}

  append(bytes: Buffer): void {
    const need = this.length + bytes.length;
    if (need > this.limit) throw new InputRefused('line', this.limit);
    if (need > this.buf.length) {
      const grown = Buffer.alloc(Math.min(Math.max(need, this.buf.length * 2), this.limit));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    bytes.copy(this.buf, this.length);
    this.length = need;
  }

  /** Drops the last character (a UTF-8 lead byte and its continuation bytes). */
  eraseChar(): boolean {
    if (this.length === 0) return false;
    let i = this.length - 1;
    while (i > 0 && ((this.buf[i] as number) & 0xc0) === 0x80) i--;
    this.length = i;
    return true;
  }

  text(dropCr: boolean): string {
    const s = this.buf.toString('utf8', 0, this.length);
    return dropCr ? s.replace(/\r/g, '') : s;
  }
}

const isControl = (b: number): boolean => b < 0x20 || b === DEL;

/**
 * What a terminal user types, chunk by chunk, handled as a tty in canonical mode would: CR or LF
 * ends the line, ^C and ^D cancel it, backspace and DEL erase a character, other control
 * characters (escape sequences from arrow keys included) are dropped. Runs of plain text are
 * appended and echoed whole: one echo per chunk, not one per character.
 */
class TypedLine {
  /** The line ended with CR (a following LF belongs to it), or was cancelled with ^C / ^D. */
  endedByCr = false;
  cancelled = false;
  // One decoder for the whole read: a character split between two chunks is echoed whole.
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    readonly line: LineBuffer,
    private skipLf: boolean,
    private readonly echo: (text: string) => void,
  ) {}

  consume(chunk: Buffer): Buffer | null {
    let shown = '';
    const flush = (): void => {
      // C1 controls (U+0080-U+009F) typed as UTF-8 are not echoed: some terminals obey them.
      if (shown !== '') this.echo(shown.replace(/[\u0080-\u009f]/g, ''));
      shown = '';
    };
    let i = this.skipLf && chunk[0] === LF ? 1 : 0;
    this.skipLf = false;
    while (i < chunk.length) {
      let j = i;
      while (j < chunk.length && !isControl(chunk[j] as number)) j++;
      if (j > i) {
        const run = chunk.subarray(i, j);
        try {
          this.line.append(run);
        } catch (err) {
          flush();
          this.echo('\r\n');
          throw err;
        }
        shown += this.decoder.write(run);
      }
      if (j === chunk.length) break;
      const c = chunk[j] as number;
      i = j + 1;
      if (c === CR || c === LF || c === ETX || c === EOT) {
        shown += this.decoder.end();
        flush();
        this.echo('\r\n');
        this.endedByCr = c === CR;
        this.cancelled = c === ETX || c === EOT;
        return chunk.subarray(i);
      }
      if (c === BS || c === DEL) {
        if (this.line.eraseChar()) {
          flush();
          this.echo('\b \b');
        }
      } else if (c === TAB) {
        this.line.append(chunk.subarray(j, i));
        shown += '\t';
      }
    }
    flush();
    return null;
  }
}
