import { findGroup } from '../../src/access/groupName.js';
import { isOk, R, type Result } from '../../src/kernel/result.js';
import type { PluginContext, RemoteHostResult, RemoteTarget } from '../../src/osh/context.js';
import { definePlugin, type PluginResult } from '../../src/osh/define.js';
import { isTimeoutSeconds } from '../../src/osh/bastionOptions.js';
import { pluginHelp } from '../../src/osh/helpText.js';

/** The Bastion's clush: a host is a name or an IPv4 address, nothing else (no user@, no port, no IPv6). */
const HOST = /^[a-zA-Z0-9.-]+$/;

const clush = definePlugin({
  name: 'clush',
  category: 'open',
  summary: 'Launch a remote command on several machines, in parallel (clush-like)',
  header: 'clush',
  options: {
    list: {
      type: 'string',
      emptyIsMissing: true,
      valueName: 'HOSTLIST',
      description: 'Comma-separated list of the hosts (hostname or IP) to run the command on (this or --group is required)',
      conflicts: { group: 'Use either --list or --group, not both' },
    },
    group: {
      type: 'string',
      emptyIsMissing: true,
      valueName: 'GROUP',
      description: "Run on the servers of this group you can reach, instead of --list (a member: the group's servers; a guest: those granted to you)",
    },
    command: {
      type: 'string',
      emptyIsMissing: true,
      valueName: '\'"remote command"\'',
      description: "Command to run on the hosts (required). If you're in a shell, quote it twice as shown",
    },
    parallel: {
      type: 'integer',
      min: 1,
      max: 1000,
      valueName: 'N',
      description: 'Run at most N hosts at once (default: clushDefaultParallel; 1 runs them one after the other, in the order of the list)',
    },
    'step-by-step': { type: 'boolean', description: 'Pause before running the command on each host (one host at a time)' },
    'no-pause-on-failure': { type: 'boolean', description: "Don't pause when a host fails (exit status other than 0)" },
    'no-confirm': { type: 'boolean', description: 'Skip the confirmation of the host list and command' },
    'no-stdin': { type: 'boolean', description: "Don't pass stdin to the hosts: always so on this bastion, accepted for The Bastion's scripts" },
  },
  help: `Usage: --osh clush [OPTIONS] --list HOSTLIST --command '"remote command"'

Bastion options that apply to every host: --user USER (the remote user, default: your account
name), --port PORT (default 22), --timeout SECONDS (how long each host may take, connection
included; past it its session is closed and its entry says KO_TIMEOUT), --use-key FINGERPRINT.

Each host is a connection of its own, exactly as \`HOST -- COMMAND\` would be: the same access
decision (a host you have no access to is refused, and never dialled, while the others run), the
same egress keys and host-key checks, its own recording and sessions row.

Without --no-confirm the host list and the command are shown and one line is read from stdin
(ENTER) before anything runs; without --no-pause-on-failure, a host that fails waits for ENTER
before more hosts start. End of input, ^C / ^D with a pty, or no line within stdinTimeoutSeconds
stop there (KO_CANCELLED): hosts not yet started are not run. Hosts always get an empty stdin.

The value has one entry per host that ran, under the host as given in --list (the address with
--group): stdout and stderr as lists of lines, sysret (the exit status that \`HOST -- COMMAND\`
would give: the command's, or 107 refused, 105 unreachable, 117 after --timeout), error_code
(OK when the command ran to its end, whatever its status; else why not), duration_ms, and
truncated (output past clushMaxOutputBytes was dropped).`,
  examples: [
    '--list web1,web2,10.0.0.3 --command \'"systemctl is-active nginx"\' --no-confirm',
    '--group web --command \'"uptime"\' --parallel 20 --timeout 30 --no-confirm --no-pause-on-failure',
    '--list db1,db2 --command \'"pg_isready"\' --parallel 1 --step-by-step',
  ],
  differences: [
    'Hosts run in parallel: at most --parallel N at once (clushDefaultParallel, 8 unless configured); --parallel 1 runs them one after the other in the order of the list. The Bastion runs them one after the other in no defined order (a Perl hash).',
    "Each host's entry also has error_code, duration_ms and truncated; The Bastion's stdout, stderr and sysret are unchanged.",
    'Output is kept up to clushMaxOutputBytes per host and stream and clushMaxTotalOutputBytes per call; The Bastion keeps it all.',
    "Hosts get an empty stdin: several hosts run at once and can't share one (The Bastion passes its stdin to the host running unless --no-stdin).",
    'A confirmation or pause prompt answered by end of input or by nothing within stdinTimeoutSeconds stops the run (KO_CANCELLED, with the hosts that ran); The Bastion goes on at end of input and waits forever otherwise.',
    "The text output shows each host once it has finished, with a progress line on stderr, rather than each host's output as it comes.",
    '--group, --parallel and --timeout are Gatehouse additions.',
  ],
  async handler(ctx, opts): Promise<PluginResult> {
    const { out } = ctx;
    // The Bastion's checks, in its order, with its codes and words.
    if (opts.list === undefined && opts.group === undefined) {
      out.info(pluginHelp(clush));
      return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'list'" });
    }
    if (opts.command === undefined) {
      out.info(pluginHelp(clush));
      return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter 'command'" });
    }
    const user = ctx.request.user;
    const port = ctx.request.port === undefined ? undefined : Number(ctx.request.port);
    const found = opts.list !== undefined ? listTargets(opts.list, user, port) : groupTargets(ctx, opts.group ?? '', user, port);
    if (!isOk(found)) return found;
    const targets = found.value;
    if (targets.length === 0) {
      out.info(pluginHelp(clush));
      return R('ERR_INVALID_PARAMETER', { msg: 'Host list to execute the command on is empty' });
    }

    const max = ctx.config.clushMaxParallel;
    if (opts.parallel !== undefined && opts.parallel > max) {
      return R('ERR_INVALID_PARAMETER', { msg: `--parallel can be at most ${max} on this bastion (clushMaxParallel)` });
    }
    if (opts['step-by-step'] && opts.parallel !== undefined && opts.parallel > 1) {
      return R('ERR_INCOMPATIBLE_PARAMETERS', { msg: '--step-by-step runs one host at a time: it cannot be used with --parallel above 1' });
    }
    const parallel = opts['step-by-step'] ? 1 : (opts.parallel ?? Math.min(ctx.config.clushDefaultParallel, max));
    const timeout = ctx.request.timeout;
    if (timeout !== undefined && !isTimeoutSeconds(timeout)) {
      return R('ERR_INVALID_PARAMETER', { msg: `--timeout expects a number of seconds, got '${timeout}'` });
    }

    const shown = opts.list ?? `group ${opts.group}: ${targets.map((t) => t.key).join(',')}`;
    out.info(`Will execute a command on ${targets.length} hosts (${shown})`);
    out.info(`The command to be executed is: ${opts.command}`);
    if (!opts['no-confirm']) {
      out.info('Press ENTER to proceed, or CTRL+C to cancel.');
      if ((await ctx.stdin.readLine()) === null) {
        return R('KO_CANCELLED', { msg: 'No line arrived on stdin (end of input, ^C, or nothing in time): nothing was run' });
      }
    }

    let done = 0;
    let failed = 0;
    let stoppedByUser = false;
    const run = await ctx.remote.run(targets, {
      command: opts.command,
      parallel,
      timeoutSec: timeout === undefined ? undefined : Number(timeout),
      useKey: ctx.request.useKey,
      ...(opts['step-by-step']
        ? {
            beforeHost: async (t: RemoteTarget) => {
              banner(ctx, `Working on ${t.key}`);
              out.info('Press ENTER to execute the command on this host');
              const go = (await ctx.stdin.readLine()) !== null;
              stoppedByUser ||= !go;
              return go;
            },
          }
        : {}),
      afterHost: async (t, r) => {
        done++;
        if (hostFailed(r)) failed++;
        showHost(ctx, t, r);
        if (!out.style.quiet) out.writeErr(`clush: ${done}/${targets.length} hosts done, ${failed} failed\n`);
        await out.drain();
        if (r.sysret === 0 || opts['no-pause-on-failure']) return true;
        out.warn(`Last command failed (return code: ${r.sysret}), press ENTER to continue or CTRL+C to stop here`);
        const go = (await ctx.stdin.readLine()) !== null;
        stoppedByUser ||= !go;
        return go;
      },
    });

    const value: Record<string, RemoteHostResult> = {};
    for (const [key, r] of run.results) value[key] = r;
    const notRun = targets.length - run.results.size;
    if (run.stopped) return R(run.stopped.code, { value, msg: `${run.stopped.msg} (${notRun} of ${targets.length} hosts were not run)` });
    if (stoppedByUser) return R('KO_CANCELLED', { value, msg: `Stopped at your request: ${notRun} of ${targets.length} hosts were not run` });
    return R('OK', { value });
  },
});
export default clush;

/** --list as The Bastion reads it: split on commas (Perl's split drops empty fields at the end), each a plain host, duplicates once. */
function listTargets(list: string, user: string | undefined, port: number | undefined): Result<RemoteTarget[]> {
  const fields = list.split(',');
  while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  const targets: RemoteTarget[] = [];
  const seen = new Set<string>();
  for (const host of fields) {
    if (!HOST.test(host)) return R('ERR_INVALID_PARAMETER', { msg: `This doesn't appear to be a valid host '${host}'` });
    if (seen.has(host)) continue;
    seen.add(host);
    targets.push({ key: host, host, user, port: port ?? 22 });
  }
  return R('OK', { value: targets });
}

/**
 * The servers of a group the caller can reach: a member, the group's list; a guest, the entries
 * granted to them. One host per address (the first entry naming it); address blocks are skipped
 * (there is no host to connect to), entries for scp/sftp/rsync only too. An entry's own user and
 * port are used unless --user / --port say otherwise.
 */
function groupTargets(ctx: PluginContext, name: string, user: string | undefined, port: number | undefined): Result<RemoteTarget[]> {
  const found = findGroup(ctx.store, name);
  if (!isOk(found)) return R(found.code, { msg: found.msg });
  const g = found.value;
  const me = ctx.caller.account.id;
  const now = Math.floor(ctx.clock.now() / 1000);
  const member = ctx.store.groups.hasRole(g.id, me, 'member');
  if (!member && !ctx.store.groups.hasRole(g.id, me, 'guest')) {
    return R('KO_ACCESS_DENIED', { msg: `Sorry, you're neither a member nor a guest of group ${g.name}: you can't run commands on its servers` });
  }
  const rows = ctx.store.acl.view(member ? { kind: 'group', groupId: g.id } : { kind: 'guest', accountId: me, groupId: g.id }, now);
  const targets: RemoteTarget[] = [];
  const seen = new Set<string>();
  let blocks = 0;
  for (const e of rows) {
    if (e.protocol !== null) continue;
    if (e.prefix_len !== (e.family === 4 ? 32 : 128)) {
      blocks++;
      continue;
    }
    if (seen.has(e.ip)) continue;
    seen.add(e.ip);
    const own = e.user !== null && !/[*?]/.test(e.user) ? e.user : undefined;
    targets.push({ key: e.ip, host: e.ip, user: user ?? own, port: port ?? e.port ?? 22 });
  }
  if (blocks > 0)
    ctx.out.warn(`${blocks} ${blocks === 1 ? 'entry' : 'entries'} of group ${g.name} ${blocks === 1 ? 'is an address block' : 'are address blocks'}, not a host: skipped`);
  return R('OK', { value: targets });
}

/** A host that did not run its command to a 0 exit. */
const hostFailed = (r: RemoteHostResult): boolean => r.sysret !== 0 || !r.error_code.startsWith('OK');

function banner(ctx: PluginContext, text: string): void {
  ctx.out.info('************************');
  ctx.out.info(text);
  ctx.out.info('************************');
}

/** One finished host for people: a line saying how it went, then (in text mode) its output. */
function showHost(ctx: PluginContext, t: RemoteTarget, r: RemoteHostResult): void {
  const { out } = ctx;
  const how = `${t.key}: exit ${r.sysret}${r.error_code === 'OK' ? '' : ` (${r.error_code})`} in ${r.duration_ms} ms`;
  if (hostFailed(r)) out.warn(how);
  else out.info(how);
  // With --json the output is in the value: not printed twice.
  if (out.style.json !== 'none') return;
  if (r.stdout.length > 0) out.write(r.stdout.join('\n') + '\n');
  if (r.stderr.length > 0) out.writeErr(r.stderr.join('\n') + '\n');
  if (r.truncated) out.warn(`${t.key}: output truncated (clushMaxOutputBytes)`);
}
