// Reads what the client sends on the channel, on demand: the channel stays paused until a plugin
// asks, so nothing is consumed that nobody wanted. Every read is bounded in time and size, so a
// client that keeps stdin open and silent gets a clear refusal instead of a hang.
import type { Readable } from 'node:stream';
import type { StdinReader } from '../plugin/context.js';

export interface StdinOptions {
  readonly timeoutMs: number;
  /** With a pty there is no kernel line discipline on our side: echo and edit ourselves. */
  readonly pty: boolean;
  readonly echo: (text: string) => void;
}

const DEFAULT_MAX = 64 * 1024;

export function stdinReader(source: Readable, opts: StdinOptions): StdinReader {
  let buffered = '';
  let ended = false;
  let waiter: (() => void) | null = null;
  let attached = false;
  const wake = (): void => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  const attach = (): void => {
    if (attached) return;
    attached = true;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      buffered += chunk;
      wake();
    });
    source.on('end', () => {
      ended = true;
      wake();
    });
    source.on('close', () => {
      ended = true;
      wake();
    });
    source.resume();
  };
  const waitMore = (deadline: number): Promise<boolean> =>
    new Promise((resolve) => {
      const left = deadline - Date.now();
      if (ended || left <= 0) return resolve(false);
      const t = setTimeout(() => {
        waiter = null;
        resolve(false);
      }, left);
      waiter = () => {
        clearTimeout(t);
        resolve(true);
      };
    });

  return {
    async readLine({ maxBytes = DEFAULT_MAX } = {}) {
      attach();
      const deadline = Date.now() + opts.timeoutMs;
      let line = '';
      for (;;) {
        while (buffered.length > 0) {
          const c = buffered[0] as string;
          buffered = buffered.slice(1);
          if (c === '\n' || (opts.pty && c === '\r')) {
            if (opts.pty) opts.echo('\r\n');
            return line;
          }
          if (opts.pty) {
            if (c === '\x03' || c === '\x04') {
              opts.echo('\r\n');
              return null;
            }
            if (c === '\x7f' || c === '\b') {
              if (line.length > 0) {
                line = line.slice(0, -1);
                opts.echo('\b \b');
              }
              continue;
            }
            opts.echo(c);
          }
          if (c !== '\r') line += c;
          if (Buffer.byteLength(line) > maxBytes) return null;
        }
        if (ended) return line.length > 0 ? line : null;
        if (!(await waitMore(deadline))) return ended && line.length > 0 ? line : null;
      }
    },
    async readAll({ maxBytes = DEFAULT_MAX } = {}) {
      attach();
      const deadline = Date.now() + opts.timeoutMs;
      for (;;) {
        if (Buffer.byteLength(buffered) > maxBytes) return null;
        if (ended) {
          const all = buffered;
          buffered = '';
          return all;
        }
        if (!(await waitMore(deadline))) return null;
      }
    },
  };
}
