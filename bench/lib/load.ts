// Closed-loop load: N in-process ssh2 clients, each connecting, authenticating, running one
// exec and disconnecting, again and again until the time is up. Every call is a whole SSH
// connection, as with the OpenSSH client. Kex pinned as in every other comparison.
import ssh2 from 'ssh2';
import { ssh2Login } from './openssh.js';
const { Client } = ssh2;

export interface LoadResult {
  readonly calls: number;
  readonly failures: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly firstError: string | null;
}

function oneCall(port: number, user: string, privateKey: string, command: string, expect: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let settled = false;
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      c.end();
      if (err) reject(err);
      else resolve();
    };
    c.on('ready', () => {
      c.exec(command, (err, ch) => {
        if (err) return done(err);
        let out = '';
        let code: number | null = null;
        ch.on('data', (d: Buffer) => (out += d.toString()));
        ch.stderr.resume();
        ch.on('exit', (n: number | null) => (code = n));
        ch.on('close', () => done(code === 0 && expect.test(out) ? undefined : new Error(`exit ${code}: ${out.slice(-200)}`)));
      });
    });
    c.on('error', (e) => done(e));
    c.connect(ssh2Login(port, user, privateKey, 20_000));
    c.setNoDelay(true);
  });
}

export async function closedLoop(opts: { port: number; user: string; privateKey: string; command: string; expect: RegExp; clients: number; seconds: number }): Promise<LoadResult> {
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstError: string | null = null;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await oneCall(opts.port, opts.user, opts.privateKey, opts.command, opts.expect);
        latenciesMs.push(performance.now() - t);
      } catch (e) {
        failures++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { calls: latenciesMs.length, failures, seconds, latenciesMs, firstError };
}

/**
 * Opens `n` connections (`batch` at a time) that each stay open: running `command` until its output
 * shows `marker`, or only authenticated when command is null. Resolves with a function that
 * closes them all.
 */
export async function hold(port: number, user: string, privateKey: string, n: number, command: string | null, marker: string, batch = 8): Promise<() => Promise<void>> {
  const clients: InstanceType<typeof Client>[] = [];
  const closeAll = async (): Promise<void> => {
    const closed = clients.map((c) => new Promise<void>((r) => c.once('close', () => r())));
    for (const c of clients) c.end();
    await Promise.all(closed);
  };
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = new Client();
      clients.push(c);
      c.on('error', reject);
      c.on('ready', () => {
        if (command === null) return resolve();
        c.exec(command, (err, ch) => {
          if (err) return reject(err);
          let out = '';
          const seen = (d: Buffer): void => {
            out += d.toString();
            if (out.includes(marker)) resolve();
          };
          ch.on('data', seen);
          ch.stderr.on('data', seen);
          ch.on('close', () => reject(new Error(`held call ended: ${out.slice(-200)}`)));
        });
      });
      c.connect(ssh2Login(port, user, privateKey, 20_000));
    });
  try {
    for (let i = 0; i < n; i += batch) await Promise.all(Array.from({ length: Math.min(batch, n - i) }, one));
  } catch (e) {
    await closeAll();
    throw e;
  }
  return closeAll;
}
