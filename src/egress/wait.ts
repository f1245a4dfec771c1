// --wait: poll the target's port until it accepts a TCP connection (The Bastion's "ping the host
// before connecting", one attempt per second), bounded in time and given up when the user leaves.
import net from 'node:net';

export interface WaitReport {
  info(text: string): void;
}

export async function waitForPort(ip: string, port: number, limitMs: number, abort: AbortSignal, report: WaitReport): Promise<{ ok: boolean; seconds: number }> {
  const started = Date.now();
  let loops = 0;
  while (!abort.aborted && Date.now() - started < limitMs) {
    if (await probe(ip, port, Math.min(1000, limitMs), abort)) {
      return { ok: true, seconds: Math.floor((Date.now() - started) / 1000) };
    }
    await sleep(1000, abort);
    loops++;
    if (loops % 5 === 0) report.info(`Still trying to connect to ${ip}:${port} after ${Math.floor((Date.now() - started) / 1000)} seconds...`);
  }
  return { ok: false, seconds: Math.floor((Date.now() - started) / 1000) };
}

function probe(ip: string, port: number, timeoutMs: number, abort: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    const done = (ok: boolean): void => {
      clearTimeout(t);
      abort.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    const t = setTimeout(() => done(false), timeoutMs);
    abort.addEventListener('abort', onAbort, { once: true });
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function sleep(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      abort.removeEventListener('abort', done);
      resolve();
    }
    abort.addEventListener('abort', done, { once: true });
  });
}
