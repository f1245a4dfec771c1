// Turning a session's output bytes into asciicast event lines without going through JS strings.
// The obvious way (decode UTF-8, JSON.stringify([t, code, text]), encode UTF-8 again) costs about
// 1.5 ns per byte in Node 20's V8, more than both SSH hops' AES-GCM together, and allocates three
// strings per chunk. Valid UTF-8 is already the text JSON wants: only control characters, '"' and
// '\' need escaping, so the bytes are copied as they are, four at a time when a 32-bit word holds
// none of those (about 0.8 ns per byte, no allocation). The result is byte for byte what
// JSON.stringify writes for the decoded text. Input that is not valid UTF-8 (binary output) takes
// the string path, whose decoder puts U+FFFD where the bytes are invalid, as before.
import { isUtf8 } from 'node:buffer';

/**
 * Splits a byte stream into whole UTF-8 characters: a character cut at the end of one chunk is held
 * back and joined to the next, so every piece can be checked and escaped on its own.
 */
export class Utf8Stream {
  private carry: Buffer | null = null;

  /** The complete characters of what came so far (the chunk, after what was held back). */
  write(chunk: Uint8Array): Uint8Array {
    const input = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = cutTail(input);
    this.carry = cut > 0 ? Buffer.from(input.subarray(input.length - cut)) : null;
    return cut > 0 ? input.subarray(0, input.length - cut) : input;
  }

  /** What is still held back at the end of the stream (an incomplete character, or nothing). */
  end(): Uint8Array {
    const rest = this.carry ?? new Uint8Array(0);
    this.carry = null;
    return rest;
  }
}

/** How many bytes at the end of `b` are the start of a character that continues in the next chunk. */
function cutTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const byte = b[n - k] ?? 0;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return need > k ? k : 0;
    }
    // A continuation byte: its lead byte is further back.
  }
  return 0;
}

// JSON.stringify's escapes: the short forms where JSON has one, \u00XX (lower-case hex) otherwise.
const SHORT_ESCAPE = new Uint8Array(0x60);
for (const [byte, letter] of [
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x22, '"'],
  [0x5c, '\\'],
] as const) {
  SHORT_ESCAPE[byte] = letter.charCodeAt(0);
}
const HEX = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];
const BACKSLASH = 0x5c;

/**
 * Builds asciicast event lines (`[time, "code", "data"]\n`) in a buffer it reuses: the line
 * returned is valid until the next call. One per thread is enough.
 */
export class CastEncoder {
  private buf: Buffer;
  private view: DataView;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** One event line; `data` is whole UTF-8 characters (see Utf8Stream) or a string. */
  event(seconds: number, code: string, data: Uint8Array | string): Buffer {
    const head = `[${JSON.stringify(seconds)},${JSON.stringify(code)},`;
    this.ensure(0, head.length);
    let o = this.buf.write(head, 0, 'latin1');
    if (typeof data === 'string' || !isUtf8(data)) {
      // Text given as a string, or bytes that are not valid UTF-8: V8's decoder and JSON.stringify.
      const json = JSON.stringify(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8'));
      this.ensure(o, Buffer.byteLength(json) + 3);
      o += this.buf.write(json, o, 'utf8');
    } else {
      this.buf[o++] = 0x22;
      o = this.escapeValid(data, o);
      this.buf[o++] = 0x22;
    }
    this.ensure(o, 3);
    this.buf[o++] = 0x5d;
    this.buf[o++] = 0x0a;
    return this.buf.subarray(0, o);
  }

  /** Room for `more` bytes after the first `used`, keeping what is written so far. */
  private ensure(used: number, more: number): void {
    if (used + more <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, used + more));
    this.buf.copy(bigger, 0, 0, used);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }

  /** Copies valid UTF-8 into the buffer at `o` with JSON's escapes; returns the new end. */
  private escapeValid(src: Uint8Array, o: number): number {
    const n = src.length;
    // Room for every byte unescaped and the closing `"]\n`; escapes make more room as they go.
    this.ensure(o, n + 3);
    let i = 0;
    // Whole 32-bit words need the input aligned: the first bytes one at a time until it is.
    const misaligned = Math.min(n, (4 - (src.byteOffset & 3)) & 3);
    for (; i < misaligned; i++) o = this.byte(src[i] ?? 0, o, n - i);
    // this.byte() may have moved the buffer to a bigger one: take it after, and after every escape.
    let out = this.buf;
    let view = this.view;
    const words = (n - i) >> 2;
    if (words > 0) {
      const w32 = new Int32Array(src.buffer, src.byteOffset + i, words);
      for (let k = 0; k < words; k++) {
        const w = w32[k] ?? 0;
        // Any byte below 0x20, or equal to '"' (0x22) or '\' (0x5c)? The "has a byte less than n"
        // and "has a zero byte" word tricks (exact for n <= 0x80); bytes of 0x80 and more pass.
        const q = w ^ 0x22222222;
        const s = w ^ 0x5c5c5c5c;
        if ((((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) {
          for (let j = i + (k << 2), end = j + 4; j < end; j++) {
            const b = src[j] ?? 0;
            if (b >= 0x20 && b !== 0x22 && b !== BACKSLASH) out[o++] = b;
            else {
              o = this.byte(b, o, n - j);
              out = this.buf;
              view = this.view;
            }
          }
        } else {
          // Little-endian read, little-endian write: the same four bytes in the same order.
          view.setInt32(o, w, true);
          o += 4;
        }
      }
      i += words << 2;
    }
    for (; i < n; i++) o = this.byte(src[i] ?? 0, o, n - i);
    return o;
  }

  /** One byte, escaped if JSON wants it; `left` counts it and the input bytes after it. */
  private byte(b: number, o: number, left: number): number {
    if (b >= 0x20 && b !== 0x22 && b !== BACKSLASH) {
      this.buf[o] = b;
      return o + 1;
    }
    // An escape is up to 6 bytes for 1: keep room for the rest unescaped and the closing `"]\n`.
    this.ensure(o, left + 5 + 3);
    const short = SHORT_ESCAPE[b] ?? 0;
    const out = this.buf;
    out[o++] = BACKSLASH;
    if (short !== 0) {
      out[o++] = short;
      return o;
    }
    out[o++] = 0x75; // u
    out[o++] = 0x30;
    out[o++] = 0x30;
    out[o++] = HEX[b >> 4] ?? 0x30;
    out[o++] = HEX[b & 15] ?? 0x30;
    return o;
  }
}
