// The steps of one connection request, each with what it needs and what it gives the next (see
// session.ts for their order). A step that ends the request answers the client itself and returns
// the outcome.
import path from 'node:path';
import { openSshClient } from '../services/sshClient.js';
import { mayAllowSomeAddress } from '../policy/decision.js';
import { isFlagOn, SETTING } from '../policy/settings.js';
import type { Terminal } from '../osh/terminal.js';
import { writeRefusal } from '../osh/refusal.js';
import { EXIT, SSH_CLIENT_NO_STATUS } from '../kernel/exitCodes.js';
import type { ResultCode } from '../kernel/result.js';
import type { Recording } from '../services/recording.js';
import { bridge } from './bridge.js';
import { checkHostKey, hostKeyAlgorithms, strictPolicyOf, type HostKeyVerdict } from './hostKeys.js';
import { planKeys } from './keys.js';
import type { EndReason } from '../services/liveSessions.js';
import { failureText } from './messages.js';
import { openRemote } from './remote.js';
import { egressFamilies, literalIp, machineDisplay, resolveTarget } from './resolve.js';
import type { CancelReason, Connected, EgressCall, EgressOutcome, Granted, Prepared, SessionEnd } from './sessionTypes.js';
import { waitForPort } from './wait.js';

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

/** The call's outcome when its caller cancelled the session (EgressEnv.cancel), by reason. */
const CANCELLED_BY: Readonly<Record<CancelReason, EgressOutcome>> = {
  timeout: { exit: EXIT.GOT_SIGNAL, code: 'KO_TIMEOUT' },
  client_gone: { exit: EXIT.GOT_SIGNAL, code: 'KO_CLIENT_GONE' },
};
const CANCEL_TEXT: Readonly<Record<CancelReason, string>> = {
  timeout: 'the time allowed for this command has passed, closing the session',
  client_gone: 'the client has gone, closing the session',
};
const cancelReason = (reason: unknown): CancelReason => (reason === 'timeout' ? 'timeout' : 'client_gone');

const OSH_ONLY_MSG = "You don't have the right to connect anywhere";

/** A refusal of the request (osh.pl's main_exit): message on stderr, envelope on stdout. */
export function refuse(term: Terminal, code: ResultCode, exit: number, msg: string): EgressOutcome {
  writeRefusal(term, code, msg);
  return { exit, code };
}

/** The end of a session that never carried a byte (refused, unrecorded, not connected). */
function endedEarly(exitStatus: number, comment: string): SessionEnd {
  return { exitStatus, exitSignal: null, comment, bytesUp: 0, bytesDown: 0 };
}

/** The request's sessions row, to which the caller adds whether it was allowed and its recording. */
function sessionRow(call: EgressCall, ip: string) {
  const { env, req, via } = call;
  return {
    id: env.callId,
    accountId: env.account.id,
    account: env.account.name,
    connId: env.connId,
    peerIp: env.peer.ip,
    peerPort: env.peer.port,
    viaIp: via?.ip ?? null,
    viaPort: via?.port ?? null,
    targetUser: call.user,
    targetHost: req.host,
    targetIp: ip,
    targetPort: req.port,
    pty: false,
    command: req.command,
    startedAt: call.nowMs,
  };
}

/** A request refused once it reached the decision: its sessions row, never allowed, ended at once with `comment`. */
export function recordRefused(call: EgressCall, ip: string, exit: number, comment: string): void {
  const { store, callId } = call.env;
  store.tx(() => {
    store.sessions.start({ ...sessionRow(call, ip), allowed: false, recording: null });
    store.sessions.end(callId, { endedAt: call.nowMs, ...endedEarly(exit, comment) });
  });
}

/** Access denied: recorded as a session that was never allowed, then refused (107). */
function denied(call: EgressCall, ip: string, shown: string, why: string | null): EgressOutcome {
  const { env, user } = call;
  const { account } = env;
  let msg = why ?? `Access denied for ${account.name} to ${shown}`;
  // "root is not the default login anymore": say which remote user was tried when none was given.
  if (user === account.name) msg += ` (tried with remote user '${user}')`;
  recordRefused(call, ip, EXIT.ACCESS_DENIED, 'access_denied');
  env.log.debug({ session: env.callId, target: shown, allowed: false }, 'egress refused');
  return refuse(env.term, 'KO_ACCESS_DENIED', EXIT.ACCESS_DENIED, msg);
}

/** Decide what needs no address, resolve the name, say where we go, then ask the access decision. */
export async function decideAndResolve(call: EgressCall): Promise<Granted | EgressOutcome> {
  const { env, req, user, oshOnly } = call;
  const { store, account } = env;
  const nowSec = Math.floor(call.nowMs / 1000);
  // What can be decided without DNS is decided first (osh.pl resolves before anything else): an
  // osh-only account, or one with no access line that could allow this port and user at any
  // address, is refused without a lookup. A name never resolved can't hang the call, can't be
  // used to make the bastion query a name server, and its existence isn't revealed (107, not 102).
  if (literalIp(req.host) === null && (oshOnly || !mayAllowSomeAddress(store, { accountId: account.id, port: req.port, user, now: nowSec }))) {
    return denied(call, req.host, machineDisplay(req.host, req.port, user), oshOnly ? OSH_ONLY_MSG : null);
  }
  const resolved = await resolveTarget(req.host, env.config, egressFamilies(env.config));
  if (!resolved.ok) {
    if (resolved.why === 'timeout' || resolved.why === 'busy') {
      env.log.warn({ session: env.callId, peer: env.peer.ip, host: req.host, why: resolved.why }, 'egress name resolution failed');
    }
    return refuse(env.term, resolved.code, resolved.exit, resolved.msg);
  }
  const ip = resolved.ip;
  const target = machineDisplay(ip, req.port, user);
  const via = call.via;
  call.say(`${machineDisplay(env.peer.ip, env.peer.port)} => ${account.name}@${via ? machineDisplay(via.ip, via.port) : 'bastion'} => ${target} ...`);

  // The access decision (osh-only accounts are refused before it, as in osh.pl).
  const decision = oshOnly ? { grants: [], msg: OSH_ONLY_MSG } : env.decide(store, { accountId: account.id, ip, port: req.port, user, now: nowSec }, env.config);
  if (decision.grants.length === 0) return denied(call, ip, target, decision.msg);
  return { ip, target, grants: decision.grants, command: req.command };
}

/** The channel to bridge, the pty, the recording's path, the keys to try and the idle limit, each said to the user. */
export function prepare(call: EgressCall, granted: Granted): Prepared | EgressOutcome {
  const { env, req, say } = call;
  // Only an SSH session channel can be bridged (a call made some other way can't connect).
  const ingress = env.ingress;
  if (!ingress) return refuse(env.term, 'KO_CONNECTION_ERROR', EXIT.EXEC_FAILED, 'No session channel to connect the target to');
  const ingressPty = ingress.pty();
  const wantPty = !req.noTty && (ingressPty !== null || req.tty);
  const size = ingressPty ?? { cols: 80, rows: 24, width: 0, height: 0 };
  const day = new Date(call.nowMs).toISOString().slice(0, 10);
  const recording = path.join('recordings', env.account.name, day, `${env.callId}.cast`);
  say(` allowed ... log on(${recording})\n`);

  const plan = planKeys(granted.grants, env.keyring, req.useKey);
  if (!req.quiet) {
    say(' will try the following accesses you have:');
    for (const line of plan.lines) say(line);
    say('');
  }
  for (const fp of plan.broken) env.term.warn(`The egress key ${fp} could not be opened, it will not be tried`);

  const idleIgnore = isFlagOn(call.settings, SETTING.idleIgnore);
  const idleKill = idleIgnore ? 0 : env.config.idleKillTimeout;
  if (idleKill > 0) say(`  /!\\ Your session will be killed after ${idleKill} seconds of inactivity.\n`);
  return { ingress, ingressPty, wantPty, size, recording, plan, idleKill };
}

/** --wait: until the port opens (or the limit passes); null when there was nothing to wait for or it opened. */
export async function waitIfAsked(call: EgressCall, ip: string, signal: AbortSignal): Promise<EgressOutcome | null> {
  const { req, say } = call;
  if (!req.wait) return null;
  say(`Waiting for port ${req.port} to be open on ${req.host} before attempting to connect...`);
  const w = await waitForPort(ip, req.port, (req.timeoutSec ?? WAIT_LIMIT_SEC) * 1000, signal, { info: say });
  if (!w.ok) return refuse(call.env.term, 'KO_CONNECTION_TIMEOUT', EXIT.EXEC_FAILED, `${req.host} port ${req.port} did not open within ${w.seconds} seconds, giving up`);
  say(`Alive after waiting for ${w.seconds} seconds, connecting...`);
  return null;
}

/** The allowed session's row, and its recording: an unrecorded session is not opened. */
export async function openRecording(call: EgressCall, granted: Granted, prepared: Prepared): Promise<Recording | EgressOutcome> {
  const { env } = call;
  const { store, account } = env;
  const { size, ingressPty, recording } = prepared;
  store.sessions.start({ ...sessionRow(call, granted.ip), pty: prepared.wantPty, allowed: true, recording });
  const rec = env.record(path.join(path.resolve(env.config.dataDir), recording), {
    version: 2,
    // A client without a terminal of its own (ssh -tt < script) sends 0x0: players need a size.
    width: size.cols > 0 ? size.cols : 80,
    height: size.rows > 0 ? size.rows : 24,
    timestamp: Math.floor(call.nowMs / 1000),
    title: `${account.name} => ${granted.target}`,
    env: { TERM: ingressPty?.term ?? 'xterm' },
  });
  // An unrecorded session is not opened (The Bastion refuses when ttyrec can't start).
  const recError = await rec.ready();
  if (recError) {
    // Nothing was written, but the recorder thread forgets the recording only once it's closed.
    void rec.close();
    store.sessions.end(env.callId, { endedAt: env.clock.now(), ...endedEarly(EXIT.TTYREC_CMDLINE_FAILED, 'ttyrec_failed') });
    env.log.error({ session: env.callId, err: recError.message }, 'recording could not be created');
    return refuse(env.term, 'KO_TTYREC_FAILED', EXIT.TTYREC_CMDLINE_FAILED, 'This session could not be recorded, so it was not opened: warn your bastion admin');
  }
  return rec;
}

/** Closes the recording, then ends the sessions row: the row's end is the session's last word. */
async function finish(call: EgressCall, rec: Recording, end: SessionEnd): Promise<void> {
  await rec.close();
  call.env.store.sessions.end(call.env.callId, { endedAt: call.env.clock.now(), ...end });
}

/** Connects to the target with the planned keys, checking its host key against the account's known hosts. */
export async function connect(call: EgressCall, granted: Granted, prepared: Prepared, rec: Recording, signal: AbortSignal): Promise<Connected | EgressOutcome> {
  const { env, req, user, say } = call;
  const { store, account } = env;
  const { ip, target } = granted;
  const { plan } = prepared;
  const timeoutMs = (req.timeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000;
  say('Connecting...');
  const hostTarget = { accountId: account.id, host: ip, port: req.port };
  const policy = strictPolicyOf(call.settings);
  let verdict: HostKeyVerdict | null = null;
  const conn = await openSshClient(
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
    signal,
  );
  const v = verdict as HostKeyVerdict | null;
  if (v?.kind === 'learned') say(`Permanently added the ${v.type} host key ${v.fingerprint} of ${machineDisplay(ip, req.port)} to the known hosts of ${account.name}.`);
  if (v?.kind === 'changed' && v.accepted)
    env.term.warn(`The host key of ${machineDisplay(ip, req.port)} changed (now ${v.fingerprint}); connecting anyway as your StrictHostKeyChecking policy is 'no'.`);

  if (!conn.ok) {
    // The caller cancelled (clush's --timeout, or its client left): that is why, not the connection.
    if (signal.aborted && env.cancel?.aborted) {
      const reason = cancelReason(env.cancel.reason);
      rec.output(Buffer.from(`*** Gatehouse: ${CANCEL_TEXT[reason]} ***\r\n`));
      await finish(call, rec, endedEarly(CANCELLED_BY[reason].exit, reason));
      env.log.debug({ session: env.callId, target, why: reason }, 'egress connection cancelled');
      return CANCELLED_BY[reason];
    }
    const why = conn.why === 'hostkey_refused' && v?.kind === 'changed' ? 'hostkey_changed' : conn.why;
    const text = failureText(why, { ip, port: req.port, detail: conn.detail, verdict: v, bastionName: env.config.bastionName, triedKeys: plan.keys.length });
    rec.output(Buffer.from(text.recorded));
    await finish(call, rec, endedEarly(EXIT.EXEC_FAILED, why));
    env.log.debug({ session: env.callId, target, why }, 'egress connection failed');
    return refuse(env.term, text.code, EXIT.EXEC_FAILED, text.msg);
  }
  return conn;
}

/**
 * Registers the session (so a freeze can end it), opens the remote channel, bridges it to the
 * client until either side ends, records how it ended, and answers the call's outcome.
 */
export async function bridgeAndRecord(call: EgressCall, granted: Granted, prepared: Prepared, rec: Recording, conn: Connected): Promise<EgressOutcome> {
  const { env } = call;
  const { store, account } = env;
  const { target } = granted;
  const { ingress, ingressPty, wantPty, size, idleKill } = prepared;
  const client = conn.client;
  // The call's own log line comes when it ends, maybe hours later: say now that a session started.
  env.log.info({ session: env.callId, target, key: conn.usedKey, pty: wantPty }, 'egress session started');
  // Registered from here on, so that freezing the account ends the session even while it opens.
  const stop = new AbortController();
  let hardStop: NodeJS.Timeout | undefined;
  const stopSession = (comment: string): void => {
    if (stop.signal.aborted) return;
    stop.abort(comment);
    // Closing the target's channel is not enough: OpenSSH's sshd keeps a command without a pty
    // running (and the channel open) until it exits. Dropping the whole egress connection ends
    // it; the short wait first lets a target that does close send its exit status.
    hardStop = setTimeout(() => client.end(), STOP_GRACE_MS);
  };
  const end = (reason: EndReason): void => {
    if (stop.signal.aborted) return;
    const msg = `\r\n*** Gatehouse: ${endText(reason)} ***\r\n`;
    ingress.channel.write(msg);
    rec.output(Buffer.from(msg));
    stopSession(reason);
  };
  // The caller's cancel (clush): said in the recording only, its output is the caller's to report.
  const cancelled = (): void => {
    if (stop.signal.aborted) return;
    const reason = cancelReason(env.cancel?.reason);
    rec.output(Buffer.from(`\r\n*** Gatehouse: ${CANCEL_TEXT[reason]} ***\r\n`));
    stopSession(reason);
  };
  const unregister = env.live.register(account.id, end);
  // A freeze or deletion that came while this session was connecting found nothing to end.
  const now = store.accounts.byId(account.id);
  if (!now || now.name !== account.name) end('account_deleted');
  else if (now.frozen_at !== null) end('account_frozen');
  if (env.cancel?.aborted) cancelled();
  else env.cancel?.addEventListener('abort', cancelled, { once: true });
  try {
    const remoteEnv: Record<string, string> = { ...Object.fromEntries(env.env), LC_BASTION: account.name };
    const opened = await openRemote(client, {
      command: granted.command,
      pty: wantPty ? { term: ingressPty?.term ?? 'xterm', cols: size.cols, rows: size.rows, width: size.width, height: size.height, modes: ingressPty?.modes ?? {} } : null,
      env: remoteEnv,
    });
    if (!opened.ok) {
      rec.output(Buffer.from(`${opened.msg}\r\n`));
      await finish(call, rec, endedEarly(EXIT.EXEC_FAILED, 'channel_refused'));
      return refuse(env.term, 'KO_CONNECTION_ERROR', EXIT.EXEC_FAILED, opened.msg);
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
    await finish(call, rec, { exitStatus: r.code, exitSignal: r.signal?.name ?? null, comment: r.comment, bytesUp: r.bytesUp, bytesDown: r.bytesDown });
    env.log.debug({ session: env.callId, target, exit: r.code, signal: r.signal?.name, up: r.bytesUp, down: r.bytesDown, why: r.comment }, 'egress session ended');
    if (r.comment === 'idle_timeout') return { exit: EXIT.GOT_SIGNAL, code: 'KO_IDLE_TIMEOUT' };
    if (r.comment !== null && Object.hasOwn(ENDED_BY, r.comment)) return ENDED_BY[r.comment as EndReason];
    if (r.comment !== null && Object.hasOwn(CANCELLED_BY, r.comment)) return CANCELLED_BY[r.comment as CancelReason];
    if (r.signal) return { exit: SSH_CLIENT_NO_STATUS, code: 'OK', signal: r.signal };
    // A target that never says how its command ended: the OpenSSH client would report 255.
    return { exit: r.code ?? SSH_CLIENT_NO_STATUS, code: 'OK' };
  } finally {
    clearTimeout(hardStop);
    env.cancel?.removeEventListener('abort', cancelled);
    unregister();
    client.end();
  }
}
