// Opening the SSH connection to the target: our own TCP socket (Nagle off, a connect deadline we
// control, errors we can name), then the ssh2 client with the host key check and the egress keys
// tried one after the other in a single connection, as `ssh -i k1 -i k2 …` would.
import net from 'node:net';
import ssh2, { type Algorithms, type Client as SshClient, type ParsedKey } from 'ssh2';
const { Client } = ssh2;

export interface KeyToTry {
  readonly fingerprint: string;
  readonly key: ParsedKey;
}

export interface ConnectParams {
  readonly ip: string;
  readonly port: number;
  readonly user: string;
  readonly keys: readonly KeyToTry[];
  /** Covers TCP connect, handshake and authentication (--timeout). */
  readonly timeoutMs: number;
  readonly hostKeyAlgorithms: readonly string[];
  /** Called with the raw host key blob, on the first key exchange and on every rekey. */
  readonly verifyHostKey: (blob: Buffer) => boolean;
  /** Software version for the identification line (ssh2 adds the SSH-2.0- prefix). */
  readonly ident: string;
}

/** Why a connection did not come up, named as The Bastion's connect.pl comments them. */
export type ConnectFailure = 'connection_refused' | 'connection_timeout' | 'connection_error' | 'hostkey_refused' | 'permission_denied';

export type ConnectResult =
  | { readonly ok: true; readonly client: SshClient; readonly usedKey: string | null }
  | { readonly ok: false; readonly why: ConnectFailure; readonly detail: string };

// Kex and ciphers without SHA-1 or CBC; diffie-hellman groups kept for older targets.
const EGRESS_ALGORITHMS: Omit<Algorithms, 'serverHostKey'> = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

export function connectTarget(p: ConnectParams, abort: AbortSignal): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const deadline = Date.now() + p.timeoutMs;
    let settled = false;
    let hostKeyRefused = false;
    let lastKey: string | null = null;
    const client = new Client();
    const sock = net.connect({ host: p.ip, port: p.port, noDelay: true });
    const finish = (r: ConnectResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      abort.removeEventListener('abort', onAbort);
      if (!r.ok) {
        client.end();
        sock.destroy();
      }
      resolve(r);
    };
    const onAbort = (): void => finish({ ok: false, why: 'connection_error', detail: 'the client went away' });
    abort.addEventListener('abort', onAbort, { once: true });
    const connectTimer = setTimeout(() => {
      finish({ ok: false, why: 'connection_timeout', detail: `no answer from ${p.ip} port ${p.port} within ${Math.round(p.timeoutMs / 1000)}s` });
    }, p.timeoutMs);
    sock.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ ok: false, why: 'connection_refused', detail: 'Connection refused' });
      else if (err.code === 'ETIMEDOUT') finish({ ok: false, why: 'connection_timeout', detail: 'Connection timed out' });
      else finish({ ok: false, why: 'connection_error', detail: err.message });
    });
    sock.once('connect', () => {
      const keys = [...p.keys];
      client.on('error', (err: Error & { level?: string }) => {
        if (hostKeyRefused) finish({ ok: false, why: 'hostkey_refused', detail: 'host key verification failed' });
        else if (err.level === 'client-authentication') finish({ ok: false, why: 'permission_denied', detail: 'Permission denied (publickey)' });
        else if (err.level === 'client-timeout') finish({ ok: false, why: 'connection_timeout', detail: 'timed out during the SSH handshake' });
        else finish({ ok: false, why: 'connection_error', detail: err.message });
      });
      client.on('close', () => finish({ ok: false, why: 'connection_error', detail: 'the target closed the connection' }));
      client.on('ready', () => finish({ ok: true, client, usedKey: lastKey }));
      client.connect({
        sock,
        username: p.user,
        ident: p.ident,
        readyTimeout: Math.max(1000, deadline - Date.now()),
        keepaliveInterval: 30_000,
        keepaliveCountMax: 3,
        algorithms: { ...EGRESS_ALGORITHMS, serverHostKey: [...p.hostKeyAlgorithms] as Algorithms['serverHostKey'] },
        hostVerifier: (key: Buffer) => {
          const ok = p.verifyHostKey(key);
          if (!ok) hostKeyRefused = true;
          return ok;
        },
        // One key per attempt, in order; false when none is left ("All configured authentication
        // methods failed", level client-authentication).
        authHandler: (methodsLeft, _partial, next) => {
          if (methodsLeft && !methodsLeft.includes('publickey')) return next(false as never);
          const k = keys.shift();
          if (!k) return next(false as never);
          lastKey = k.fingerprint;
          return next({ type: 'publickey', username: p.user, key: k.key });
        },
      });
    });
  });
}
