// The one place that opens an SSH client connection (to a target, for an egress session or for
// the ACL probe): our own TCP socket (Nagle off, a connect deadline we control, errors we can
// name), then the ssh2 client with the egress algorithms, the caller's host key check, our
// identification line, and the keys tried one after the other in a single connection, as
// `ssh -i k1 -i k2 …` would. The caller gets the ready client, or why there is none.
import net from 'node:net';
import ssh2, { type Algorithms, type Client as SshClient, type ParsedKey } from 'ssh2';
const { Client } = ssh2;

export interface KeyToTry {
  readonly fingerprint: string;
  /** A parsed private key, or one in OpenSSH format (ssh2 parses it and skips it if it can't). */
  readonly key: ParsedKey | string;
}

export interface SshConnectParams {
  /** An IP address: names are resolved before (services/resolver.ts), never here. */
  readonly ip: string;
  readonly port: number;
  readonly user: string;
  readonly keys: readonly KeyToTry[];
  /** Covers TCP connect, handshake and authentication. */
  readonly timeoutMs: number;
  /** Host key algorithms in order of preference; HOST_KEY_ALGORITHMS when absent. */
  readonly hostKeyAlgorithms?: readonly string[];
  /** Called with the raw host key blob, on the first key exchange and on every rekey. */
  readonly verifyHostKey: (blob: Buffer) => boolean;
  /** Software version for the identification line (ssh2 adds the SSH-2.0- prefix). */
  readonly ident: string;
}

/** Why a connection did not come up, named as The Bastion's connect.pl comments them. */
export type SshConnectFailure = 'connection_refused' | 'connection_timeout' | 'connection_error' | 'hostkey_refused' | 'permission_denied';

export type SshConnectResult =
  | { readonly ok: true; readonly client: SshClient; readonly usedKey: string | null }
  | { readonly ok: false; readonly why: SshConnectFailure; readonly detail: string };

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

/** Host key types we accept, in order, each with the signature algorithms that prove one (no SHA-1 for RSA). */
export const HOST_KEY_ALGORITHMS_BY_TYPE: readonly (readonly [type: string, algorithms: readonly string[]])[] = [
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256']],
];

export const HOST_KEY_ALGORITHMS: readonly string[] = HOST_KEY_ALGORITHMS_BY_TYPE.flatMap(([, algos]) => algos);

/** How long a connection that came up may stay silent: a keepalive every 30 s, dropped after 3 unanswered. */
const KEEPALIVE_MS = 30_000;
const KEEPALIVE_COUNT_MAX = 3;

/**
 * Opens the connection and logs in. On failure everything is closed; on success the caller owns
 * the client (and ends it). `abort` (the client went away) ends an attempt in progress.
 */
export function openSshClient(p: SshConnectParams, abort?: AbortSignal): Promise<SshConnectResult> {
  // Aborted before the call: an abort listener added now would never be called, so no attempt.
  if (abort?.aborted) return Promise.resolve({ ok: false, why: 'connection_error', detail: 'the client went away' });
  return new Promise((resolve) => {
    const deadline = Date.now() + p.timeoutMs;
    let settled = false;
    let hostKeyRefused = false;
    let lastKey: string | null = null;
    const client = new Client();
    const sock = net.connect({ host: p.ip, port: p.port, noDelay: true });
    const finish = (r: SshConnectResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      abort?.removeEventListener('abort', onAbort);
      if (!r.ok) {
        client.end();
        sock.destroy();
      }
      resolve(r);
    };
    const onAbort = (): void => finish({ ok: false, why: 'connection_error', detail: 'the client went away' });
    abort?.addEventListener('abort', onAbort, { once: true });
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
      try {
        client.connect({
          sock,
          username: p.user,
          ident: p.ident,
          readyTimeout: Math.max(1000, deadline - Date.now()),
          keepaliveInterval: KEEPALIVE_MS,
          keepaliveCountMax: KEEPALIVE_COUNT_MAX,
          algorithms: { ...EGRESS_ALGORITHMS, serverHostKey: [...(p.hostKeyAlgorithms ?? HOST_KEY_ALGORITHMS)] as Algorithms['serverHostKey'] },
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
      } catch (e) {
        // A configuration ssh2 refuses (it throws before any byte is sent).
        finish({ ok: false, why: 'connection_error', detail: e instanceof Error ? e.message : String(e) });
      }
    });
  });
}
