// One call, from the exec string to the exit status: split, read the bastion options, check the
// account, then run a plugin or refuse. Every path ends in exactly one envelope (when JSON was
// asked for), one audit row and one log line. ssh2 never reaches this module: it gets a Sink,
// a stdin stream and the facts of the session, so it is testable without a socket.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { accountStanding } from '../accounts/standing.js';
import { checkPluginTarget } from '../services/targetHost.js';
import { mayRunCategory, rolesOf } from '../policy/roles.js';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import type { AnyPlugin, PluginResult } from '../osh/define.js';
import type { PluginContext, PluginListing } from '../osh/context.js';
import { pluginHelp } from '../osh/helpText.js';
import { parsePluginOptions } from '../osh/pluginOptions.js';
import { R, isOk } from '../kernel/result.js';
import { splitBastionOptions, unsupportedOptionRefusal, type BastionOptions } from '../osh/bastionOptions.js';
import { InputRefused, stdinReader } from '../osh/stdin.js';
import { Terminal } from '../osh/terminal.js';
import { bastionUsage } from '../osh/usage.js';
import { egressCall } from '../egress/call.js';
import { remoteRunner } from '../egress/remoteRun.js';
import { splitWords } from '../osh/words.js';
import { commandHasPrivateKey, withoutPrivateKey } from '../osh/privateKeys.js';
import { BASTION_SECRETS, redactSecrets, redactWords } from './auditArgs.js';
import type { CallInput, CallOutcome, Services } from './callTypes.js';
import { connectRequest } from './connectRequest.js';
import { LEGACY_NAMES } from '../osh/legacyNames.js';
import { refuse } from './refuse.js';
import { subCalls } from './subCalls.js';

const NO_OPTIONS: BastionOptions = splitBastionOptions([]).options;

const INTERNAL_ERROR_MSG = 'Internal error, the details are in the bastion log';

const PRIVATE_KEY_MSG =
  'This command contains a PRIVATE key: it was refused and not stored. Never paste a private key anywhere (give the public half, the .pub file), and consider this one exposed: replace it.';

/** What route learns about a call as it goes: for the audit row, and for answering a fault. */
interface CallState {
  /** The words of the call as the audit trail keeps them (secret values replaced). */
  auditArgs: readonly string[];
  /** The plugin asked for, once known: a refused call (106) records which one it was. */
  auditPlugin: string | null;
  /** The plugin whose run has begun: a fault from then on is answered in its name. */
  running: string | null;
}

/** One call as route sees it: what it was given, what it has built, and what it has learnt. */
interface Call {
  readonly svc: Services;
  readonly input: CallInput;
  /** The configuration in force when the call began: one call sees one configuration. */
  readonly config: BastionConfig;
  readonly term: Terminal;
  readonly req: ReturnType<typeof splitBastionOptions>;
  readonly log: Logger;
  readonly callId: string;
  /** Filled in as route goes, read by runCall for the audit row and for answering a fault. */
  readonly state: CallState;
}

export async function runCall(svc: Services, input: CallInput): Promise<CallOutcome> {
  const started = performance.now();
  const callId = crypto.randomBytes(6).toString('hex');
  const log = input.log.child({ call: callId });
  const config = svc.config.current();
  const state: CallState = { auditArgs: [], auditPlugin: null, running: null };
  let term: Terminal | undefined;
  let outcome: CallOutcome;
  try {
    const split = splitWords(input.command);
    // A request that can't be split is still read for its --json/--quiet flags (plain blanks), so
    // a script that asked for an envelope gets one with the refusal.
    const words = split.ok ? split.words : plainWords(input.command);
    // A private key pasted anywhere in the command is never stored: the audit keeps only the
    // option names of such a call, and the call is refused before any plugin sees it.
    const leaked = commandHasPrivateKey(input.command, split.ok ? split.words : null);
    state.auditArgs = leaked ? withoutPrivateKey(words) : redactWords(words, BASTION_SECRETS);
    const req = splitBastionOptions(words);
    term = makeTerminal(input, req.options, config, svc);
    if (leaked) {
      const named = req.options.osh === undefined ? undefined : svc.plugins.get(LEGACY_NAMES[req.options.osh] ?? req.options.osh);
      state.auditPlugin = named?.name ?? null;
      log.warn({ account: input.account.name, peer: input.peer.ip }, 'private key material in a command: refused, not stored (its owner should replace that key)');
      outcome = refuse(term, 'KO_PRIVATE_KEY', EXIT.PLUGIN_ERROR, PRIVATE_KEY_MSG);
    } else if (!split.ok) {
      outcome = refuse(term, 'KO_GETOPTS_FAILED', EXIT.GETOPTS_FAILED, `Error parsing command line: ${split.error}`);
    } else {
      outcome = await route({ svc, input, config, term, req, log, callId, state });
    }
  } catch (err) {
    // Something outside a plugin handler threw (a store error, a broken plugin declaration, a
    // bug): the call still gets its one envelope, unless it had been answered already.
    log.error({ err }, 'call failed');
    outcome = { exit: EXIT.PLUGIN_ERROR, code: 'ERR_INTERNAL', plugin: state.running };
    answerFault(term ?? makeTerminal(input, fallbackOptions(input.command), config, svc), state.running, log);
  }
  const durationMs = performance.now() - started;
  try {
    svc.store.audit.record({
      at: svc.clock.now(),
      connId: input.connId,
      callId,
      account: input.account.name,
      peerIp: input.peer.ip,
      peerPort: input.peer.port,
      kind: outcome.kind ?? (outcome.plugin ? 'osh' : input.kind === 'shell' ? 'shell' : 'refused'),
      plugin: outcome.plugin ?? state.auditPlugin,
      args: state.auditArgs,
      errorCode: outcome.code,
      exitStatus: outcome.exit,
      durationMs,
      argsBounds: { words: config.auditArgsMaxWords, wordBytes: config.auditArgMaxWordBytes, bytes: config.auditArgsMaxBytes },
    });
  } catch (err) {
    log.error({ err }, 'audit row could not be written');
  }
  log.info({ account: input.account.name, plugin: outcome.plugin ?? state.auditPlugin, code: outcome.code, exit: outcome.exit, ms: Math.round(durationMs * 10) / 10 }, 'call');
  return outcome;
}

const plainWords = (command: string): string[] => command.split(/[ \t\r\n\0]+/).filter((w) => w !== '');

/** The output options when even the bastion options could not be read: --json* and --quiet by plain word match. */
function fallbackOptions(command: string): BastionOptions {
  const names = new Set(plainWords(command).map((w) => w.replace(/^--?/, '')));
  const json = names.has('json-pretty') ? 'pretty' : names.has('json-greppable') ? 'greppable' : names.has('json') ? 'default' : 'none';
  return { ...NO_OPTIONS, json, quiet: names.has('quiet') || names.has('q') };
}

/**
 * ERR_INTERNAL for a call that failed outside a handler: the error line and the envelope (and,
 * once a plugin's run had begun, in its name and with its footer, as runPlugin answers), unless
 * the envelope was out before the fault: a call never gets two.
 */
function answerFault(term: Terminal, plugin: string | null, log: Logger): void {
  if (term.answered) return;
  try {
    term.crit(INTERNAL_ERROR_MSG, plugin === null);
    term.envelope({ command: plugin, error_code: 'ERR_INTERNAL', error_message: INTERNAL_ERROR_MSG, value: null });
    if (plugin !== null) term.footer(plugin);
  } catch (err) {
    log.error({ err }, 'the internal error could not be reported to the client');
  }
}

function makeTerminal(input: CallInput, o: BastionOptions, config: BastionConfig, svc: Services): Terminal {
  const lang = input.env.get('LC_ALL') ?? input.env.get('LC_CTYPE') ?? input.env.get('LANG') ?? '';
  const utf8 = input.pty && /utf-?8/i.test(lang);
  const fancy = config.fanciness;
  return new Terminal(input.sink, {
    pty: input.pty,
    quiet: o.quiet,
    json: o.json,
    boxes: utf8 && ['basic', 'millenial', 'full', 'genz'].includes(fancy),
    fancyPrefixes: utf8 && ['full', 'genz'].includes(fancy),
    hostname: svc.hostname,
    version: svc.version,
  });
}

async function route(call: Call): Promise<CallOutcome> {
  const { svc, config, term, req, log, callId } = call;
  const o = req.options;
  // The row read at login may be stale: one connection can carry many calls (ControlMaster), and
  // the account may have been frozen, changed or deleted since. Every call checks it as it is now.
  const nowSec = Math.floor(svc.clock.now() / 1000);
  const standing = accountStanding(svc.store, call.input.account, config, nowSec);
  if (!standing.ok) return refuse(term, standing.code, standing.exit, standing.msg);
  const input: CallInput = { ...call.input, account: standing.account };
  svc.store.accounts.touch(input.account.id, nowSec, input.peer.ip);

  if (req.error) return refuse(term, 'KO_GETOPTS_FAILED', EXIT.GETOPTS_FAILED, `Error parsing command line options: ${req.error}`);
  // --ssh-as (an admin acting as another account) is not available: refused outright, as The Bastion
  // refuses it to non-admins, rather than ignored (the call would run as the caller, unannounced).
  if (o.sshAs !== undefined) {
    return refuse(term, 'KO_SSHAS_DENIED', EXIT.RESTRICTED_COMMAND, `Sorry ${input.account.name}, --ssh-as is not available on this bastion`);
  }
  const unsupported = unsupportedOptionRefusal(o, input.account.name, config.interactiveModeAllowed);
  // The call's own log line says which (its code); the message names the option.
  if (unsupported) return refuse(term, unsupported.code, unsupported.exit, unsupported.msg);

  let pluginName = o.osh;
  let pluginWords = req.rest;
  if (pluginName === undefined && (req.rest[0] === '--osh' || req.rest[0] === '-osh')) pluginName = '';
  if (pluginName === '') {
    pluginName = 'help';
    pluginWords = [];
  }
  // A sub-call's command is `--osh LINE`: a plugin call, never a connection (it has no channel).
  if (pluginName === undefined && input.parent) return refuse(term, 'KO_UNKNOWN_COMMAND', EXIT.UNKNOWN_COMMAND, 'Only --osh commands can be run from a batch');
  if (pluginName === undefined) {
    if (o.help || o.longHelp) {
      term.write(bastionUsage(input.account.name, config.bastionName) + '\n');
      term.envelope({ command: null, error_code: 'OK', error_message: 'OK', value: null });
      return { exit: EXIT.OK, code: 'OK', plugin: null };
    }
    return connectRequest(term, input, config, req, (target) => egressCall(svc, { input, config, term, log, callId }, { ...target, options: o, afterDashes: req.afterDashes }));
  }
  if (req.afterDashes) pluginWords = [...pluginWords, ...req.afterDashes];

  // osh.pl checks a plugin call's --port, --user and --host (resolving a name) before it looks at
  // the plugin: the same refusals, exit statuses (134, 127, 128, 102) and null command here.
  const checked = await checkPluginTarget(o, config);
  if (!checked.ok) {
    const bad = checked.refusal;
    if (bad.lookup === 'timeout' || bad.lookup === 'busy') log.warn({ peer: input.peer.ip, host: o.host, why: bad.lookup }, 'plugin --host resolution failed');
    return refuse(term, bad.code, bad.exit, bad.msg);
  }

  const plugin = svc.plugins.get(LEGACY_NAMES[pluginName] ?? pluginName);
  if (!plugin) return refuse(term, 'KO_UNKNOWN_COMMAND', EXIT.UNKNOWN_COMMAND, `Unknown command '${pluginName}'`);
  // Redacted as soon as the plugin is known, so a refused call doesn't keep its secrets either.
  call.state.auditArgs = redactSecrets(plugin, pluginWords);
  call.state.auditPlugin = plugin.name;
  const roles = rolesOf(svc.store, config, input.account);
  const mayRun = (p: PluginListing): boolean => mayRunCategory(svc.store, roles, input.account, p, svc.groupRoles);
  if (!mayRun(plugin)) {
    return refuse(term, 'KO_RESTRICTED_COMMAND', EXIT.RESTRICTED_COMMAND, restrictedMessage(plugin.category));
  }
  const stdin = stdinReader(input.stdin, {
    timeoutMs: config.stdinTimeoutSeconds * 1000,
    pty: input.pty,
    echo: (t) => term.echo(t),
    maxLineBytes: config.stdinMaxLineBytes,
    maxAllBytes: config.stdinMaxBytes,
  });
  const pluginLog = log.child({ plugin: plugin.name });
  const ctx: PluginContext = {
    caller: { account: input.account, name: input.account.name, roles, peer: input.peer },
    store: svc.store,
    config,
    log: pluginLog,
    clock: svc.clock,
    stdin,
    out: term,
    request: o,
    target: checked.target,
    server: { hostname: svc.hostname, version: svc.version, plugins: svc.plugins },
    keyring: svc.keyring,
    liveSessions: svc.liveSessions,
    signal: input.gone,
    mayRun,
    osh: subCalls(runCall, svc, input, term, { callId, plugin: plugin.name }),
    remote: remoteRunner(svc, {
      connId: input.connId,
      account: input.account,
      peer: input.peer,
      env: input.env,
      local: input.local,
      config,
      log: pluginLog,
      signal: input.gone,
    }),
  };
  call.state.running = plugin.name;
  let result: PluginResult;
  try {
    result = await runPlugin(ctx, plugin, pluginWords, o.help);
  } finally {
    // Whatever the plugin left unread stays in the client's SSH window, not in our memory.
    stdin.release();
  }
  return { exit: isOk(result) ? EXIT.OK : EXIT.PLUGIN_ERROR, code: result.code, plugin: plugin.name };
}

async function runPlugin(ctx: PluginContext, plugin: AnyPlugin, words: readonly string[], wantsHelp: boolean): Promise<PluginResult> {
  const term = ctx.out;
  term.header(plugin.header ?? plugin.summary);
  let result: PluginResult;
  if (wantsHelp) {
    term.info(pluginHelp(plugin));
    result = R('OK');
  } else {
    const parsed = parsePluginOptions(plugin.options, words);
    if (!isOk(parsed)) {
      // As The Bastion's plugins: the help for options it couldn't read or that are missing, not
      // for a value refused or two options given together (those answer with the refusal alone).
      if (parsed.code === 'ERR_BAD_OPTIONS' || parsed.code === 'ERR_MISSING_PARAMETER') term.info(pluginHelp(plugin));
      result = parsed;
    } else {
      try {
        result = await plugin.handler(ctx, parsed.value as never);
      } catch (err) {
        if (err instanceof InputRefused) {
          // A read the client made too long ends the call wherever the plugin was: one line, one KO.
          ctx.log.warn({ what: err.what, limit: err.limit }, 'stdin refused: longer than the limit');
          result = R('KO_INPUT_TOO_LONG', { msg: err.message });
        } else {
          ctx.log.error({ err }, 'plugin threw');
          result = R('ERR_INTERNAL', { msg: INTERNAL_ERROR_MSG });
        }
      }
    }
  }
  if (!isOk(result)) term.crit(result.msg);
  else if (result.msg !== result.code) term.info(result.msg);
  term.envelope({ command: plugin.name, error_code: result.code, error_message: result.msg, value: result.value });
  term.footer(plugin.name);
  return result;
}

function restrictedMessage(category: AnyPlugin['category']): string {
  switch (category) {
    case 'restricted':
      return 'Sorry, this command is restricted and requires you to be specifically granted';
    case 'admin':
      return 'Sorry, this command is only available to bastion admins';
    default:
      return `Sorry, you must be a group ${category.replace('group-', '')} to use this command`;
  }
}
