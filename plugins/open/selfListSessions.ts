import { viewedAccountId } from '../../src/accounts/lookup.js';
import { sessionDetailedLine, sessionItem, sessionLine, whenToMs } from '../../src/egress/sessionView.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import type { SessionFilter } from '../../src/store/sessions.js';

export default definePlugin({
  name: 'selfListSessions',
  category: 'open',
  summary: 'List the past sessions of your account',
  header: 'your past sessions list',
  options: {
    detailed: { type: 'boolean', description: 'Display more information about each session' },
    limit: { type: 'integer', min: 1, max: 100_000, default: 100, valueName: 'LIMIT', description: 'Limit to LIMIT results' },
    id: { type: 'string', valueName: 'ID', description: 'Only the session having this ID' },
    type: { type: 'string', valueName: 'TYPE', description: "Only sessions of this type ('ssh': the only type recorded here)" },
    allowed: { type: 'boolean', description: 'Only sessions the bastion allowed' },
    denied: { type: 'boolean', description: 'Only sessions the bastion denied' },
    after: { type: 'string', valueName: 'WHEN', description: 'Only sessions that started after WHEN: a TIMESTAMP, or YYYY-MM-DD[@HH:MM:SS]' },
    before: { type: 'string', valueName: 'WHEN', description: 'Only sessions that started before WHEN: a TIMESTAMP, or YYYY-MM-DD[@HH:MM:SS]' },
    from: { type: 'string', valueName: 'IP', description: 'Only sessions that came from this IP' },
    via: { type: 'string', valueName: 'IP', description: 'Only sessions that connected through this bastion IP' },
    'via-port': { type: 'integer', min: 1, max: 65535, valueName: 'PORT', description: 'Only sessions that connected through this bastion port' },
    'to-port': { type: 'integer', min: 1, max: 65535, valueName: 'PORT', description: 'Only sessions to this remote port' },
    'proxy-user': { type: 'string', valueName: 'USER', description: 'Only sessions that used this proxy user (no proxy jumps on Gatehouse: matches nothing)' },
    'proxy-ip': { type: 'string', valueName: 'IP', description: 'Only sessions that used this proxy IP (matches nothing)' },
    'proxy-port': { type: 'integer', min: 1, max: 65535, valueName: 'PORT', description: 'Only sessions that used this proxy port (matches nothing)' },
    account: { type: 'string', valueName: 'ACCOUNT', description: "Auditors and admins: list this account's sessions instead of yours" },
  },
  help: `The bastion-level --host HOST and --user USER narrow the list to sessions to that remote
host (address or the name typed) and remote user.

Sessions are listed oldest first, at most LIMIT of the newest matching ones. Each allowed
session was recorded: replay it with selfPlaySession --id ID.`,
  examples: ['', '--detailed --limit 10', '--host 10.0.0.5 --user root --allowed', '--after 2024-01-01 --before 2024-02-01@12:00:00'],
  differences: [
    'Only connections to targets (type ssh) are listed; --osh calls are in the audit trail of the bastion log, not here.',
    'Each item also has exit_status, exit_signal, comment (why the session ended, e.g. idle_timeout or hostkey_changed), bytes_up, bytes_down and has_recording.',
    "--account ACCOUNT lets auditors and admins list another account's sessions (The Bastion: adminSudo).",
    '--after/--before also accept a unix TIMESTAMP, as the help always said.',
  ],
  handler(ctx, o) {
    const viewed = viewedAccountId(ctx, o.account, "list another account's sessions");
    if (!isOk(viewed)) return viewed;
    const accountId = viewed.value;
    const after = o.after === undefined ? undefined : whenToMs(o.after);
    const before = o.before === undefined ? undefined : whenToMs(o.before);
    if (after === null || before === null) {
      return R('ERR_INVALID_PARAMETER', { msg: `--${after === null ? 'after' : 'before'}: expected YYYY-MM-DD, YYYY-MM-DD@HH:MM:SS or a UNIX TIMESTAMP` });
    }
    const limit = o.limit;
    const filter: SessionFilter = {
      accountId,
      limit,
      ...(o.id !== undefined ? { id: o.id } : {}),
      ...(o.allowed || o.denied ? { allowed: !o.denied } : {}),
      ...(after !== undefined ? { afterMs: after } : {}),
      ...(before !== undefined ? { beforeMs: before } : {}),
      ...(o.from !== undefined ? { fromIp: o.from } : {}),
      ...(ctx.request.host !== undefined ? { targetIp: ctx.request.host } : {}),
      ...(o['to-port'] !== undefined ? { targetPort: o['to-port'] } : {}),
      ...(ctx.request.user !== undefined ? { targetUser: ctx.request.user } : {}),
      ...(o.via !== undefined ? { viaIp: o.via } : {}),
      ...(o['via-port'] !== undefined ? { viaPort: o['via-port'] } : {}),
    };
    const typeMatches = o.type === undefined || o.type === 'ssh';
    const proxyAsked = o['proxy-user'] !== undefined || o['proxy-ip'] !== undefined || o['proxy-port'] !== undefined;
    const rows = typeMatches && !proxyAsked && !(o.allowed && o.denied) ? ctx.store.sessions.list(filter).reverse() : [];
    if (rows.length === 0) return R('OK_EMPTY', { msg: 'No session found' });
    ctx.out.info(`The list of your ${limit} past sessions follows:`);
    ctx.out.info(' ');
    for (const r of rows) ctx.out.write((o.detailed ? sessionDetailedLine(r) : sessionLine(r)) + '\n');
    if (rows.length === limit) {
      ctx.out.info('\nResults limited to ' + limit + ', but there might be more matching the given criteria:');
      ctx.out.info('re-run with a higher --limit, or with stricter criteria (see --help).');
    }
    return R('OK', { value: rows.map(sessionItem) });
  },
});
