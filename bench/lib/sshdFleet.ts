// Many loopback "servers" served by OpenSSH: one port, each address 127.0.x.y a host of its own.
// One sshd can't listen on more than 16 addresses (MAX_LISTEN_SOCKS), so the addresses are split
// over as few sshd processes as that allows, sharing the port, the authorized key and the config;
// every connection still costs what it costs any sshd (a fork and re-exec per connection).
import type { BenchContext } from './types.js';
import { freePort } from '../../test/helpers/ports.js';
import { SSHD_MAX_LISTEN, type Sshd, startSshd } from './sshd.js';

export interface SshdFleet {
  readonly port: number;
  readonly user: string;
  readonly addresses: readonly string[];
  /** The listening sshd processes (the per-connection processes are their children). */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/** `count` addresses 127.0.`third`.1, .2, … (at most 254). */
export function loopbackHosts(third: number, count: number): string[] {
  if (third < 0 || third > 255 || count < 1 || count > 254) throw new Error(`no ${count} hosts in 127.0.${third}.0/24`);
  return Array.from({ length: count }, (_, i) => `127.0.${third}.${i + 1}`);
}

export async function startSshdFleet(
  ctx: BenchContext,
  sshdPath: string,
  authorizedPublicLine: string,
  addresses: readonly string[],
  extraConfig: readonly string[] = [],
): Promise<SshdFleet> {
  const port = await freePort();
  const started: Sshd[] = [];
  for (let i = 0; i < addresses.length; i += SSHD_MAX_LISTEN) {
    const listen = addresses.slice(i, i + SSHD_MAX_LISTEN);
    started.push(await startSshd(ctx, sshdPath, authorizedPublicLine, { listen, port, name: `sshd-${i / SSHD_MAX_LISTEN}`, extraConfig }));
  }
  const first = started[0];
  if (!first) throw new Error('no address to listen on');
  return {
    port,
    user: first.user,
    addresses,
    pids: started.map((s) => s.pid),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
