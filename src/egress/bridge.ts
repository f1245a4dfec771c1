// The running session: the user's channel and the target's channel joined both ways with
// backpressure, the target's output recorded, window-change and signals passed on, and the end
// decided by the target channel's close (OpenSSH sends EOF before exit-status, so the user's
// channel is never ended on the target's EOF: see SSH2-NOTES.md).
import type { ClientChannel } from 'ssh2';
import type { Recording } from '../services/recording.js';
import { pump, streamSink, type Sink } from './pump.js';
import type { ExitSignal, IngressChannel, WindowSize } from './types.js';

export interface BridgeOptions {
  /** The target's channel had a pty: its output is a screen (stderr, if any, joins it). */
  readonly pty: boolean;
  /** Seconds without a byte either way before the session is closed; 0 = never. */
  readonly idleKillSeconds: number;
  /** Told once when the idle limit closes the session, to say so to the user. */
  readonly onIdleKill: () => void;
  /** Aborted from outside (e.g. the account was frozen): the session closes, its reason is the comment. */
  readonly stop?: AbortSignal;
}

export interface BridgeResult {
  /** The remote exit status, or null when it ended by a signal or never said. */
  readonly code: number | null;
  readonly signal: ExitSignal | null;
  readonly bytesUp: number;
  readonly bytesDown: number;
  /** Why it ended when it's not the remote command's own end: idle_timeout, client_gone, or the stop reason (account_frozen, account_deleted, account_expired, bastion_shutdown). */
  readonly comment: string | null;
}

export function bridge(ingress: IngressChannel, target: ClientChannel, rec: Recording, o: BridgeOptions): Promise<BridgeResult> {
  return new Promise((resolve) => {
    let lastActivity = Date.now();
    let comment: string | null = null;
    const touch = (): void => {
      lastActivity = Date.now();
    };
    const recorder = (write: (c: Buffer) => boolean): Sink => ({ write, onDrain: (fn) => rec.onDrain(fn) });

    // Target → user: stdout always, stderr to stderr without a pty (separate streams, both read so
    // the shared window never stalls), merged into the screen with one.
    const userOut = streamSink(ingress.channel);
    const down = pump(target, [userOut, recorder((c) => rec.output(c))], touch);
    const downErr = o.pty
      ? pump(target.stderr, [userOut, recorder((c) => rec.output(c))], touch)
      : pump(target.stderr, [streamSink(ingress.stderr), recorder((c) => rec.errorOutput(c))], touch);
    // User → target; the user's EOF becomes the target's EOF.
    const up = pump(ingress.channel, [streamSink(target)], touch);
    const onUserEnd = (): void => void target.end();
    ingress.channel.once('end', onUserEnd);

    const onResize = (s: WindowSize): void => {
      touch();
      target.setWindow(s.rows, s.cols, s.height, s.width);
      rec.resize(s.cols, s.rows);
    };
    const onSignal = (name: string): void => {
      touch();
      target.signal(name);
    };
    ingress.events.on('window-change', onResize);
    ingress.events.on('signal', onSignal);

    // The user left: nothing more to deliver, close the target side so its close ends us.
    const onUserClose = (): void => {
      comment ??= 'client_gone';
      down.release();
      downErr.release();
      target.close();
    };
    ingress.channel.once('close', onUserClose);

    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      if (o.idleKillSeconds <= 0) return;
      const due = lastActivity + o.idleKillSeconds * 1000 - Date.now();
      idleTimer = setTimeout(
        () => {
          if (Date.now() - lastActivity >= o.idleKillSeconds * 1000) {
            comment = 'idle_timeout';
            o.onIdleKill();
            target.close();
          } else armIdle();
        },
        Math.max(due, 50),
      );
    };
    armIdle();

    const onStop = (): void => {
      comment = String(o.stop?.reason ?? 'terminated');
      target.close();
    };
    if (o.stop?.aborted) onStop();
    else o.stop?.addEventListener('abort', onStop, { once: true });

    let exitCode: number | null = null;
    let exitSignal: ExitSignal | null = null;
    const closed = new Promise<void>((r) =>
      target.once('close', (code: number | null, signal?: string, dump?: boolean, desc?: string) => {
        exitCode = typeof code === 'number' ? code : null;
        if (typeof signal === 'string') exitSignal = { name: signal.replace(/^SIG/, ''), coreDumped: dump === true, message: desc ?? '' };
        r();
      }),
    );
    // stderr may still hold data when the channel closes: deliver it first.
    const stderrDone = new Promise<void>((r) => {
      if (target.stderr.readableEnded || target.stderr.destroyed) return r();
      target.stderr.once('end', () => r());
      target.stderr.once('close', () => r());
    });
    void Promise.all([closed, stderrDone]).then(() => {
      clearTimeout(idleTimer);
      o.stop?.removeEventListener('abort', onStop);
      up.release();
      ingress.channel.off('end', onUserEnd);
      ingress.channel.off('close', onUserClose);
      ingress.events.off('window-change', onResize);
      ingress.events.off('signal', onSignal);
      resolve({ code: exitCode, signal: exitSignal, bytesUp: up.bytes, bytesDown: down.bytes + downErr.bytes, comment });
    });
  });
}
