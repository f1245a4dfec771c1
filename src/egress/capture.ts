// A connection request whose output is kept instead of bridged to the user (clush): an in-memory
// ingress channel that collects the target's stdout and stderr into bounded buffers, gives the
// command an empty stdin (end of input at once), asks for no pty and sends no events. The egress
// path runs on it unchanged: same decision, keys, host keys, recording and sessions row.
//
// Why stdin is empty: several hosts run at once, and one input can't be shared between them (The
// Bastion's clush runs one host at a time and passes its own stdin to whichever host runs, so in
// practice only the first host can read it); the caller's stdin also answers clush's prompts.
import { EventEmitter } from 'node:events';
import { Duplex, Writable } from 'node:stream';
import type { Sink } from '../osh/terminal.js';
import type { IngressChannel } from './types.js';

/** What a whole call may still keep, shared by the captures of all its hosts. */
export interface OutputBudget {
  remaining: number;
}

/**
 * One stream's bytes, kept up to its own limit and while the call's budget lasts; what comes
 * after is read (so the target is never held back) and dropped, and the stream is marked truncated.
 */
export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Bytes the target sent, kept or not. */
  received = 0;
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly budget: OutputBudget,
  ) {}

  add(chunk: Buffer): void {
    this.received += chunk.length;
    const room = Math.max(0, Math.min(this.limit - this.kept, this.budget.remaining));
    const take = Math.min(chunk.length, room);
    if (take < chunk.length) this.truncated = true;
    if (take === 0) return;
    // A copy: the chunk's memory belongs to the SSH layer, which may use it again.
    this.chunks.push(Buffer.from(chunk.subarray(0, take)));
    this.kept += take;
    this.budget.remaining -= take;
  }

  /**
   * The lines, as The Bastion returns a command's output (Perl's split /\n/: a trailing newline,
   * or several, make no empty last lines; no output is no line). Decoded as UTF-8, a byte that
   * is not (or a character cut by the limit) becoming U+FFFD.
   */
  lines(): string[] {
    return perlSplitLines(Buffer.concat(this.chunks, this.kept).toString('utf8'));
  }
}

/** Perl's split /\n/, $text: empty fields at the end are dropped (all of them: "a\n\n" is ["a"]). */
export function perlSplitLines(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface Capture {
  /** The channel the egress path bridges: stdin at its end, writes kept as stdout. */
  readonly ingress: IngressChannel;
  /**
   * A Terminal's sink for the bastion's own messages about this host (a refusal, a failed
   * connection, a warning): they join the host's stderr, never its stdout.
   */
  readonly messages: Sink;
  readonly stdout: BoundedOutput;
  readonly stderr: BoundedOutput;
}

export interface CaptureOptions {
  /** Bytes kept per stream (clushMaxOutputBytes). */
  readonly maxBytes: number;
  readonly budget: OutputBudget;
  /** The bastion's own address of the user's connection, for the sessions row's via. */
  readonly local?: { readonly ip: string; readonly port: number } | undefined;
}

export function captureChannel(o: CaptureOptions): Capture {
  const stdout = new BoundedOutput(o.maxBytes, o.budget);
  const stderr = new BoundedOutput(o.maxBytes, o.budget);
  const channel = new Duplex({
    // The command's stdin: ended as soon as it is read.
    read() {
      this.push(null);
    },
    write(chunk: Buffer, _enc, done) {
      stdout.add(chunk);
      done();
    },
  });
  const errStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      stderr.add(chunk);
      done();
    },
  });
  // No pty, so no window changes; no signals from a user either.
  const events = new EventEmitter();
  // Quiet terminals put a blank line before an error: in a list of lines it would be an empty one.
  const message = (text: string): void => stderr.add(Buffer.from(text.replace(/^\n+/, '')));
  return {
    ingress: { channel, stderr: errStream, pty: () => null, events, ...(o.local ? { local: o.local } : {}) },
    messages: { stdout: message, stderr: message },
    stdout,
    stderr,
  };
}
