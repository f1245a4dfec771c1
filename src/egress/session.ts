// One connection request, from `[user@]host [-- command]` to the remote exit status, in the order
// of bin/shell/osh.pl (resolve, say where we go, refuse osh-only accounts, ask the access decision,
// list the keys to try, wait for the port if asked, then connect, bridge and record), except that
// for a name what needs no address is decided before resolving it, and that a command-restricted
// account's command is checked against its allow-list right after the decision. Every request
// that reaches the decision leaves a sessions row (allowed or not) under the call's id.
import { isFlagOn, SETTING } from '../policy/settings.js';
import { EXIT } from '../kernel/exitCodes.js';
import { bridgeAndRecord, connect, decideAndResolve, openRecording, prepare, refuse, waitIfAsked } from './sessionSteps.js';
import { restrictCommand } from './commandCheck.js';
import { isOutcome, type EgressCall, type EgressEnv, type EgressOutcome, type TargetRequest } from './sessionTypes.js';

/**
 * The request in osh.pl's order: decide and resolve, check the command of a command-restricted
 * account, prepare (pty, recording path, keys), wait for the port if asked, open the recording,
 * connect, then open the remote channel, bridge it and record how it ended. Each step answers
 * the client itself when it ends the request.
 */
export async function runEgress(env: EgressEnv, req: TargetRequest): Promise<EgressOutcome> {
  // The user may leave at any moment: a late write to the closed channel must not throw.
  env.ingress?.channel.on('error', () => {});
  env.ingress?.stderr.on('error', () => {});
  if (req.tty && req.noTty) return refuse(env.term, 'KO_TTY_NOTTY', EXIT.CONFLICTING_OPTIONS, 'Options -t and -T are mutually exclusive');
  const settings = env.store.accounts.settings(env.account.id);
  const call: EgressCall = {
    env,
    req,
    user: req.user ?? env.account.name,
    settings,
    oshOnly: isFlagOn(settings, SETTING.oshOnly),
    nowMs: env.clock.now(),
    via: env.ingress?.local,
    say: (text) => {
      if (!req.quiet) env.term.writeErr(text + '\n');
    },
  };

  const decided = await decideAndResolve(call);
  if (isOutcome(decided)) return decided;
  // A command-restricted account's command is checked before any key is opened or the target dialled.
  const granted = restrictCommand(call, decided);
  if (isOutcome(granted)) return granted;
  const prepared = prepare(call, granted);
  if (isOutcome(prepared)) return prepared;

  // Leaving early (the user closed the connection), or the caller cancelling, aborts waiting and connecting.
  const abort = new AbortController();
  const onGone = (): void => abort.abort();
  prepared.ingress.channel.once('close', onGone);
  if (env.cancel?.aborted) onGone();
  else env.cancel?.addEventListener('abort', onGone, { once: true });
  try {
    const waited = await waitIfAsked(call, granted.ip, abort.signal);
    if (waited) return waited;
    const rec = await openRecording(call, granted, prepared);
    if (isOutcome(rec)) return rec;
    const conn = await connect(call, granted, prepared, rec, abort.signal);
    if (isOutcome(conn)) return conn;
    return await bridgeAndRecord(call, granted, prepared, rec, conn);
  } finally {
    prepared.ingress.channel.off('close', onGone);
    env.cancel?.removeEventListener('abort', onGone);
  }
}
