// Opening the session channel on the target: a command (exec) or a shell, with a pty of the
// user's terminal type, size and modes when the session has one, and the environment we pass on.
import type { Client as SshClient, ClientChannel, PseudoTtyOptions } from 'ssh2';
import { boundChannelInput } from '../kernel/channelInputBound.js';

export interface RemoteSpec {
  readonly command: string | null;
  readonly pty: (Required<Pick<PseudoTtyOptions, 'term' | 'cols' | 'rows' | 'width' | 'height'>> & { readonly modes: Readonly<Record<string, number>> }) | null;
  readonly env: Record<string, string>;
}

export type Opened = { ok: true; channel: ClientChannel } | { ok: false; msg: string };

export function openRemote(client: SshClient, spec: RemoteSpec): Promise<Opened> {
  return new Promise((resolve) => {
    const done = (err: Error | undefined, channel: ClientChannel): void => {
      if (err) resolve({ ok: false, msg: `The target refused the session: ${err.message}` });
      else {
        // A target that ignores the SSH window must not grow the bastion's memory while the user
        // side is slow: past the bound it is a protocol violation and the connection ends.
        const overrun = (): void => void client.end();
        boundChannelInput(channel, overrun);
        boundChannelInput(channel.stderr, overrun);
        resolve({ ok: true, channel });
      }
    };
    const pty: PseudoTtyOptions | undefined = spec.pty ? { ...spec.pty, modes: { ...spec.pty.modes } } : undefined;
    try {
      if (spec.command !== null) client.exec(spec.command, { env: spec.env, ...(pty ? { pty } : {}) }, done);
      else if (pty) client.shell(pty, { env: spec.env }, done);
      else client.shell(false, { env: spec.env }, done);
    } catch (e) {
      resolve({ ok: false, msg: `The target refused the session: ${(e as Error).message}` });
    }
  });
}
