import { requireGroupRole } from '../../src/access/groupRoles.js';
import { parseServerList, type BulkEntry } from '../../src/access/aclBulk.js';
import { addLine } from '../../src/access/aclModify.js';
import { findGroup } from '../../src/access/groupName.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

/** An entry as The Bastion echoes it back (port as a string, as read from the input). */
const aclItem = (e: BulkEntry): Record<string, unknown> => ({
  ip: e.address.ip,
  port: e.port === null ? null : String(e.port),
  user: e.user,
  comment: e.comment,
});

export default definePlugin({
  name: 'groupSetServers',
  category: 'group-aclkeeper',
  summary: "Replace a group's whole server list with the one given on stdin",
  header: "replace a group's current ACL by a new one",
  options: {
    group: {
      type: 'string',
      required: true,
      emptyIsMissing: true,
      missingMessage: "Missing mandatory parameter 'group'",
      valueName: 'GROUP',
      description: 'The group whose server list is replaced',
    },
    'dry-run': { type: 'boolean', description: "Don't change anything, only report what would be set and which lines are wrong" },
    'skip-errors': { type: 'boolean', description: "Set the lines that are right even if others aren't (otherwise any error aborts)" },
  },
  help: `The new list is read from stdin until its end, one server per line:
  [USER@]HOST[:PORT][ COMMENT]
USER and PORT are optional (any user, any port); HOST is a name (resolved at once), an IP or a
block in PREFIX/LEN notation; COMMENT may contain spaces. A JSON array is accepted too:
  [{"host": "192.0.2.21", "user": "root", "port": 22, "comment": "db"}, {"host": "192.0.2.0/24"}]
The old list is replaced in one transaction: either the whole new list is in place, or nothing
changed. No connection is tested.`,
  examples: ['--group web < servers.txt', '--group web --dry-run < servers.txt', '--group web --skip-errors < servers.txt'],
  differences: [
    'The list may also be given as a JSON array of {"host", "user", "port", "comment"} objects.',
    'The old list is replaced in one transaction: a failure leaves it untouched (The Bastion clears it, then adds the new lines one by one).',
  ],
  async handler(ctx, opts) {
    const { out, store } = ctx;
    const found = findGroup(store, opts.group);
    if (!isOk(found)) return found;
    const g = found.value;
    // The Bastion's own words for this refusal, although the list is replaced rather than added to.
    const refused = requireGroupRole(ctx, g, 'aclkeeper', 'add servers to it');
    if (refused) return refused;
    out.info('Specify the entries of the new ACL below, one per line, with the following format: [USER@]HOST[:PORT][ COMMENT]');
    out.info('The list ends at EOF (usually CTRL+D).');
    const input = await ctx.stdin.readAll({ maxBytes: 16 * 1024 * 1024 });
    if (input === null) return R('ERR_INVALID_PARAMETER', { msg: 'The list did not arrive in full on stdin (too big, or no end of input in time): nothing was changed' });
    const list = await parseServerList(input, ctx.config);
    if (list.lookupsStopped !== null) {
      ctx.log.warn({ peer: ctx.caller.peer.ip, why: list.lookupsStopped, lines: list.parsed }, 'server list name resolution cut short');
    }
    for (const e of list.errors) out.warn(e);
    out.info(`Parsed ${list.entries.length}/${list.parsed} lines successfully`);
    const ACL = list.entries.map(aclItem);
    // parsedLines is a string in The Bastion's answers (a Perl number that was printed first).
    const parsedLines = String(list.parsed);
    if (list.errors.length > 0 && !opts['skip-errors']) {
      return R('ERR_INVALID_PARAMETER', {
        msg: `Aborting due to the ${list.errors.length} parsing or host resolving errors above, use --skip-errors to proceed anyway`,
        value: { parsedLines, dryrun: opts['dry-run'], errors: list.errors, ACL },
      });
    }
    if (opts['dry-run']) return R('OK', { value: { parsedLines, errors: list.errors, dryrun: true, ACL } });
    if (list.entries.length === 0) return R('OK_NO_CHANGE', { msg: 'No ACL was given, no change was made' });
    const now = Math.floor(ctx.clock.now() / 1000);
    store.tx(() => {
      store.acl.clearGroup(g.id);
      for (const e of list.entries) {
        addLine(
          store,
          { kind: 'group', groupId: g.id },
          { address: e.address, tuple: { user: e.user, port: e.port, protocol: null } },
          { comment: e.comment, ttl: null, forceKey: null, forcePassword: null },
          ctx.caller.name,
          now,
        );
      }
    });
    ctx.log.info({ type: 'acl', action: 'set', way: 'group', group: g.name, entries: list.entries.length }, 'acl replaced');
    return R('OK', {
      value: { parsedLines, dryrun: false, group: g.name, ACL, errors: list.errors },
      msg: `The new ACL has been set with ${ACL.length} entries and ${list.errors.length} errors`,
    });
  },
});
