// One connection request, from `[user@]host [-- command]` to the remote exit status, in the order
// of bin/shell/osh.pl (resolve, say where we go, refuse osh-only accounts, ask the access decision,
// list the keys to try, wait for the port if asked, then connect, bridge and record), except that
// for a name what needs no address is decided before resolving it. Every request
// that reaches the decision leaves a sessions row (allowed or not) under the call's id.
import path from 'node:path';
import type { Logger } from 'pino';
import { isFlagOn, SETTING } from '../accounts/settings.js';
import type { Terminal } from '../command/terminal.js';
import type { BastionConfig } from '../config/schema.js';
import { EXIT, SSH_CLIENT_NO_STATUS } from '../kernel/exitCodes.js';
import type { Keyring } from '../keys/keyring.js';
import type { Clock } from '../plugin/context.js';
import type { ResultCode } from '../kernel/result.js';
import type { AccountRow } from '../store/accounts.js';
import type { Store } from '../store/store.js';
import type { AccessDecider } from './access.js';
import type { CastHeader, Recording } from './asciicast.js';
import { bridge } from './bridge.js';
import { connectTarget } from './connect.js';
import { checkHostKey, hostKeyAlgorithms, strictPolicyOf, type HostKeyVerdict } from './hostKeys.js';
import { planKeys } from './keys.js';
import { failureText } from './messages.js';
import { openRemote } from './remote.js';
import { egressMayAllowSomeAddress } from './decide.js';
import { egressFamilies, literalIp, machineDisplay, resolveTarget } from './resolve.js';
import type { ExitSignal, IngressChannel } from './types.js';
import { waitForPort } from './wait.js';
import type { EndReason, LiveSessions } from './liveSessions.js';

export interface EgressEnv {
  readonly store: Store;
  readonly config: BastionConfig;
  readonly keyring: Keyring;
  readonly clock: Clock;
  readonly version: string;
  readonly decide: AccessDecider;
  /** Opens a recording (the recorder thread's, or one written in-line). */
  readonly record: (file: string, header: CastHeader) => Recording;
  readonly log: Logger;
  readonly term: Terminal;
  /** The call id: the session's id, shared with the audit row and the log lines. */
  readonly callId: string;
  readonly connId: string;
  readonly account: AccountRow;
  readonly peer: { readonly ip: string; readonly port: number };
  /** LANG / LC_* the client sent, passed on to the target. */
  readonly env: ReadonlyMap<string, string>;
  readonly ingress: IngressChannel | undefined;
  /** Where the running session registers, so that freezing the account can end it. */
  readonly live?: LiveSessions;
}

export interface TargetRequest {
  readonly user: string | undefined;
  readonly host: string;
  readonly port: number;
  /** The remote command, null for a shell. */
  readonly command: string | null;
  readonly wait: boolean;
  readonly timeoutSec: number | undefined;
  readonly tty: boolean;
  readonly noTty: boolean;
  readonly quiet: boolean;
  /** --use-key: try only the egress key with this fingerprint. */
  readonly useKey?: string;
}

export interface EgressOutcome {
  readonly exit: number;
  readonly code: ResultCode;
  readonly signal?: ExitSignal;
}

const DEFAULT_TIMEOUT_SEC = 45;
/** How long an ended session's target may take to close its channel before its connection is dropped. */
const STOP_GRACE_MS = 1500;

/** What the user reads when the bastion ends the session. */
function endText(reason: EndReason): string {
  return reason === 'bastion_shutdown' ? 'the bastion is shutting down' : `your session was terminated (${reason.replace(/_/g, ' ')})`;
}

/** The call's outcome when the bastion ended the session, by reason. */
const ENDED_BY: Readonly<Record<EndReason, EgressOutcome>> = {
  account_frozen: { exit: EXIT.ACCOUNT_FROZEN, code: 'KO_ACCOUNT_FROZEN' },
  account_deleted: { exit: EXIT.ACCOUNT_INVALID, code: 'KO_ACCOUNT_INVALID' },
  account_expired: { exit: EXIT.ACCOUNT_EXPIRED, code: 'KO_ACCOUNT_EXPIRED' },
  bastion_shutdown: { exit: EXIT.GOT_SIGNAL, code: 'KO_BASTION_SHUTDOWN' },
};
const WAIT_LIMIT_SEC = 3600;

export async function runEgress(env: EgressEnv, req: TargetRequest): Promise<EgressOutcome> {
  const { store, term, account } = env;
  const say = (text: string): void => {
    if (!req.quiet) term.writeErr(text + '\n');
  };
  const refuse = (code: ResultCode, exit: number, msg: string): EgressOutcome => {
    term.crit(msg, true);
    term.envelope({ command: null, error_code: code, error_message: msg, value: null });
    return { exit, code };
  };

  // The user may leave at any moment: a late write to the closed channel must not throw.
  env.ingress?.channel.on('error', () => {});
  env.ingress?.stderr.on('error', () => {});
  if (req.tty && req.noTty) return refuse('KO_TTY_NOTTY', EXIT.CONFLICTING_OPTIONS, 'Options -t and -T are mutually exclusive');
  const user = req.user ?? account.name;
  const settings = store.accounts.settings(account.id);
  const nowMs = env.clock.now();
  const nowSec = Math.floor(nowMs / 1000);
  const via = env.ingress?.local;
  const oshOnly = isFlagOn(settings, SETTING.oshOnly);
  const sessionRow = (ip: string) => ({
    id: env.callId,
    accountId: account.id,
    account: account.name,
    connId: env.connId,
    peerIp: env.peer.ip,
    peerPort: env.peer.port,
    viaIp: via?.ip ?? null,
    viaPort: via?.port ?? null,
    targetUser: user,
    targetHost: req.host,
    targetIp: ip,
    targetPort: req.port,
    pty: false,
    command: req.command,
    startedAt: nowMs,
  });
  const denied = (ip: string, shown: string, why: string | null): EgressOutcome => {
    let msg = why ?? `Access denied for ${account.name} to ${shown}`;
    // "root is not the default login anymore": say which remote user was tried when none was given.
    if (user === account.name) msg += ` (tried with remote user '${user}')`;
    store.tx(() => {
      store.sessions.start({ ...sessionRow(ip), allowed: false, recording: null });
      store.sessions.end(env.callId, { endedAt: nowMs, exitStatus: EXIT.ACCESS_DENIED, exitSignal: null, comment: 'access_denied', bytesUp: 0, bytesDown: 0 });
    });
    env.log.debug({ session: env.callId, target: shown, allowed: false }, 'egress refused');
    return refuse('KO_ACCESS_DENIED', EXIT.ACCESS_DENIED, msg);
  };
  const OSH_ONLY_MSG = "You don't have the right to connect anywhere";

  // What can be decided without DNS is decided first (osh.pl resolves before anything else): an
  // osh-only account, or one with no access line that could allow this port and user at any
  // address, is refused without a lookup. A name never resolved can't hang the call, can't be
  // used to make the bastion query a name server, and its existence isn't revealed (107, not 102).
  if (literalIp(req.host) === null && (oshOnly || !egressMayAllowSomeAddress(store, { accountId: account.id, port: req.port, user, now: nowSec }))) {
    return denied(req.host, machineDisplay(req.host, req.port, user), oshOnly ? OSH_ONLY_MSG : null);
  }
  const resolved = await resolveTarget(req.host, env.config, egressFamilies(env.config));
  if (!resolved.ok) {
    if (resolved.why === 'timeout' || resolved.why === 'busy') {
      env.log.warn({ session: env.callId, peer: env.peer.ip, host: req.host, why: resolved.why }, 'egress name resolution failed');
    }
    return refuse(resolved.code, resolved.exit, resolved.msg);
  }
  const ip = resolved.ip;
  const target = machineDisplay(ip, req.port, user);
  say(`${machineDisplay(env.peer.ip, env.peer.port)} => ${account.name}@${via ? machineDisplay(via.ip, via.port) : 'bastion'} => ${target} ...`);

  // The access decision (osh-only accounts are refused before it, as in osh.pl).
  const decision = oshOnly ? { grants: [], msg: OSH_ONLY_MSG } : env.decide(store, { accountId: account.id, ip, port: req.port, user, now: nowSec }, env.config);
  const grants = decision.grants;
  if (grants.length === 0) return denied(ip, target, decision.msg);

  // Only an SSH session channel can be bridged (a call made some other way can't connect).
  const ingress = env.ingress;
  if (!ingress) return refuse('KO_CONNECTION_ERROR', EXIT.EXEC_FAILED, 'No session channel to connect the target to');
  const ingressPty = ingress.pty();
  const wantPty = !req.noTty && (ingressPty !== null || req.tty);
  const size = ingressPty ?? { cols: 80, rows: 24, width: 0, height: 0 };
  const day = new Date(nowMs).toISOString().slice(0, 10);
  const recording = path.join('recordings', account.name, day, `${env.callId}.cast`);
  say(` allowed ... log on(${recording})\n`);

  const plan = planKeys(grants, env.keyring, req.useKey);
  if (!req.quiet) {
    say(' will try the following accesses you have:');
    for (const line of plan.lines) say(line);
    say('');
  }
  for (const fp of plan.broken) term.warn(`The egress key ${fp} could not be opened, it will not be tried`);

  const idleIgnore = isFlagOn(settings, SETTING.idleIgnore);
  const idleKill = idleIgnore ? 0 : env.config.idleKillTimeout;
  if (idleKill > 0) say(`  /!\\ Your session will be killed after ${idleKill} seconds of inactivity.\n`);

  // Leaving early (the user closed the connection) aborts waiting and connecting.
  const abort = new AbortController();
  const onGone = (): void => abort.abort();
  ingress.channel.once('close', onGone);
  try {
    const timeoutMs = (req.timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000;
    if (req.wait) {
      say(`Waiting for port ${req.port} to be open on ${req.host} before attempting to connect...`);
      const w = await waitForPort(ip, req.port, (req.timeoutSec ?? WAIT_LIMIT_SEC) * 1000, abort.signal, { info: say });
      if (!w.ok) return refuse('KO_CONNECTION_TIMEOUT', EXIT.EXEC_FAILED, `${req.host} port ${req.port} did not open within ${w.seconds} seconds, giving up`);
      say(`Alive after waiting for ${w.seconds} seconds, connecting...`);
    }

    store.sessions.start({ ...sessionRow(ip), pty: wantPty, allowed: true, recording });
    const rec = env.record(path.join(path.resolve(env.config.dataDir), recording), {
      version: 2,
      // A client without a terminal of its own (ssh -tt < script) sends 0x0: players need a size.
      width: size.cols > 0 ? size.cols : 80,
      height: size.rows > 0 ? size.rows : 24,
      timestamp: Math.floor(nowMs / 1000),
      title: `${account.name} => ${target}`,
      env: { TERM: ingressPty?.term ?? 'xterm' },
    });
    // An unrecorded session is not opened (The Bastion refuses when ttyrec can't start).
    const recError = await rec.ready();
    if (recError) {
      // Nothing was written, but the recorder thread forgets the recording only once it's closed.
      void rec.close();
      store.sessions.end(env.callId, { endedAt: env.clock.now(), exitStatus: EXIT.TTYREC_CMDLINE_FAILED, exitSignal: null, comment: 'ttyrec_failed', bytesUp: 0, bytesDown: 0 });
      env.log.error({ session: env.callId, err: recError.message }, 'recording could not be created');
      return refuse('KO_TTYREC_FAILED', EXIT.TTYREC_CMDLINE_FAILED, 'This session could not be recorded, so it was not opened: warn your bastion admin');
    }
    say('Connecting...');
    const hostTarget = { accountId: account.id, host: ip, port: req.port };
    const policy = strictPolicyOf(settings);
    let verdict: HostKeyVerdict | null = null;
    const conn = await connectTarget(
      {
        ip,
        port: req.port,
        user,
        keys: plan.keys,
        timeoutMs,
        ident: `Gatehouse_${env.version}`,
        hostKeyAlgorithms: hostKeyAlgorithms(store, hostTarget),
        verifyHostKey: (blob) => {
          verdict = checkHostKey(store, hostTarget, blob, policy, Math.floor(env.clock.now() / 1000));
          return verdict.kind === 'known' || verdict.kind === 'learned' || verdict.kind === 'unchecked' || (verdict.kind === 'changed' && verdict.accepted);
        },
      },
      abort.signal,
    );
    const v = verdict as HostKeyVerdict | null;
    if (v?.kind === 'learned') say(`Permanently added the ${v.type} host key ${v.fingerprint} of ${machineDisplay(ip, req.port)} to the known hosts of ${account.name}.`);
    if (v?.kind === 'changed' && v.accepted)
      term.warn(`The host key of ${machineDisplay(ip, req.port)} changed (now ${v.fingerprint}); connecting anyway as your StrictHostKeyChecking policy is 'no'.`);

    const finish = async (end: { exitStatus: number | null; exitSignal: string | null; comment: string | null; bytesUp: number; bytesDown: number }): Promise<void> => {
      await rec.close();
      store.sessions.end(env.callId, { endedAt: env.clock.now(), ...end });
    };
    if (!conn.ok) {
      const why = conn.why === 'hostkey_refused' && v?.kind === 'changed' ? 'hostkey_changed' : conn.why;
      const text = failureText(why, { ip, port: req.port, detail: conn.detail, verdict: v, bastionName: env.config.bastionName, triedKeys: plan.keys.length });
      rec.output(Buffer.from(text.recorded));
      await finish({ exitStatus: EXIT.EXEC_FAILED, exitSignal: null, comment: why, bytesUp: 0, bytesDown: 0 });
      env.log.debug({ session: env.callId, target, why }, 'egress connection failed');
      return refuse(text.code, EXIT.EXEC_FAILED, text.msg);
    }
    const client = conn.client;
    // The call's own log line comes when it ends, maybe hours later: say now that a session started.
    env.log.info({ session: env.callId, target, key: conn.usedKey, pty: wantPty }, 'egress session started');
    // Registered from here on, so that freezing the account ends the session even while it opens.
    const stop = new AbortController();
    let hardStop: NodeJS.Timeout | undefined;
    const end = (reason: EndReason): void => {
      if (stop.signal.aborted) return;
      const msg = `\r\n*** Gatehouse: ${endText(reason)} ***\r\n`;
      ingress.channel.write(msg);
      rec.output(Buffer.from(msg));
      stop.abort(reason);
      // Closing the target's channel is not enough: OpenSSH's sshd keeps a command without a pty
      // running (and the channel open) until it exits. Dropping the whole egress connection ends
      // it; the short wait first lets a target that does close send its exit status.
      hardStop = setTimeout(() => client.end(), STOP_GRACE_MS);
    };
    const unregister = env.live?.register(account.id, end);
    // A freeze or deletion that came while this session was connecting found nothing to end.
    const now = store.accounts.byId(account.id);
    if (!now || now.name !== account.name) end('account_deleted');
    else if (now.frozen_at !== null) end('account_frozen');
    try {
      const remoteEnv: Record<string, string> = { ...Object.fromEntries(env.env), LC_BASTION: account.name };
      const opened = await openRemote(client, {
        command: req.command,
        pty: wantPty ? { term: ingressPty?.term ?? 'xterm', cols: size.cols, rows: size.rows, width: size.width, height: size.height, modes: ingressPty?.modes ?? {} } : null,
        env: remoteEnv,
      });
      if (!opened.ok) {
        rec.output(Buffer.from(`${opened.msg}\r\n`));
        await finish({ exitStatus: EXIT.EXEC_FAILED, exitSignal: null, comment: 'channel_refused', bytesUp: 0, bytesDown: 0 });
        return refuse('KO_CONNECTION_ERROR', EXIT.EXEC_FAILED, opened.msg);
      }
      const r = await bridge(ingress, opened.channel, rec, {
        stop: stop.signal,
        pty: wantPty,
        idleKillSeconds: idleKill,
        onIdleKill: () => {
          const msg = `\r\n*** Gatehouse: session idle for more than ${idleKill} seconds, closing it ***\r\n`;
          ingress.channel.write(msg);
          rec.output(Buffer.from(msg));
        },
      });
      await finish({ exitStatus: r.code, exitSignal: r.signal?.name ?? null, comment: r.comment, bytesUp: r.bytesUp, bytesDown: r.bytesDown });
      env.log.debug({ session: env.callId, target, exit: r.code, signal: r.signal?.name, up: r.bytesUp, down: r.bytesDown, why: r.comment }, 'egress session ended');
      if (r.comment === 'idle_timeout') return { exit: EXIT.GOT_SIGNAL, code: 'KO_IDLE_TIMEOUT' };
      if (r.comment !== null && Object.hasOwn(ENDED_BY, r.comment)) return ENDED_BY[r.comment as EndReason];
      if (r.signal) return { exit: SSH_CLIENT_NO_STATUS, code: 'OK', signal: r.signal };
      // A target that never says how its command ended: the OpenSSH client would report 255.
      return { exit: r.code ?? SSH_CLIENT_NO_STATUS, code: 'OK' };
    } finally {
      clearTimeout(hardStop);
      unregister?.();
      client.end();
    }
  } finally {
    ingress.channel.off('close', onGone);
  }
}
