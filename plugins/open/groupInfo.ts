import { printEgressKey } from '../../src/accounts/keys.js';
import { groupInfoValue } from '../../src/access/groupInfo.js';
import { findGroup } from '../../src/access/groupName.js';
import type { PluginContext } from '../../src/osh/context.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';
import { formatDuration } from '../../src/kernel/duration.js';

export default definePlugin({
  name: 'groupInfo',
  category: 'open',
  summary: 'Show who runs a group, who is in it, and its public keys',
  header: 'group info',
  options: {
    group: { type: 'string', valueName: 'GROUP', description: 'The group to show' },
    all: { type: 'boolean', description: 'Every group (auditors only), best read with --json' },
    'with-keys': { type: 'boolean', description: 'Include the group egress keys (the default)' },
    'without-keys': { type: 'boolean', description: 'Leave the keys out' },
    'with-everything': { type: 'boolean', description: 'Include every optional part (today: the keys)' },
    'without-everything': { type: 'boolean', description: 'Leave every optional part out' },
  },
  help: `Anyone sees a group's owners and gatekeepers (the people to ask for access) and its public
keys. Its aclkeepers, members, guests and settings are shown to its owners, gatekeepers,
aclkeepers and members, to superowners and to auditors.`,
  examples: ['--group web', '--all --without-keys --json'],
  handler(ctx, opts) {
    if (!opts.group && !opts.all) return R('ERR_MISSING_PARAMETER', { msg: "Missing '--group' or '--all' parameter" });
    if (opts.all && !ctx.caller.roles.isAuditor) return R('ERR_ACCESS_DENIED', { msg: 'Only bastion auditors can use --all' });
    const withKeys = !(opts['without-keys'] || opts['without-everything']) || opts['with-keys'] || opts['with-everything'];
    if (opts.all) {
      ctx.out.info('Gathering data, this may take a few seconds...');
      const value: Record<string, unknown> = {};
      for (const g of ctx.store.groups.all()) value[g.name] = groupInfoValue(ctx, g, withKeys);
      ctx.out.info("If you're only seeing this line, you might want to use --json");
      return R('OK', { value });
    }
    const group = findGroup(ctx.store, opts.group);
    if (!isOk(group)) return group;
    const v = groupInfoValue(ctx, group.value, withKeys);
    printGroupInfo(ctx, v);
    return R('OK', { value: v });
  },
});

function printGroupInfo(ctx: PluginContext, v: Record<string, unknown>): void {
  const { out } = ctx;
  const name = String(v['group']);
  const list = (k: string): string | null => {
    const l = v[k];
    if (!Array.isArray(l)) return null;
    return out.colour(l.length ? [...(l as string[])].sort().join(' ') : '-', 'red');
  };
  const lines: [string, string][] = [
    ['owners', `Group ${name}'s Owners are: `],
    ['gatekeepers', `Group ${name}'s GateKeepers (managing the members/guests list) are: `],
    ['aclkeepers', `Group ${name}'s ACLKeepers (managing the group servers list) are: `],
    ['members', `Group ${name}'s Members (with access to ALL the group servers) are: `],
  ];
  for (const [k, label] of lines) {
    const l = list(k);
    if (l !== null) out.info(label + l);
  }
  if (Array.isArray(v['guests'])) {
    const counts = v['guests_accesses'] as Record<string, number>;
    const guests = (v['guests'] as string[]).map((g) => `${g}[${counts[g] ?? '?'}]`);
    out.info(`Group ${name}'s Guests (with access to SOME of the group servers) are: ${out.colour(guests.length ? guests.join(' ') : '-', 'red')}`);
  } else {
    out.info('You should ask them if you think you need access for your work tasks.');
  }
  if (v['guest_ttl_limit'] !== undefined) {
    out.warn(`Guest TTL enforced: guest accesses must have a TTL with a maximum duration of ${formatDuration(Number(v['guest_ttl_limit']))}`);
  }
  for (const [k, what] of [
    ['idle_kill_timeout', 'be cut'],
    ['idle_lock_timeout', 'be locked'],
  ] as const) {
    if (v[k] === undefined) continue;
    const s = Number(v[k]);
    out.warn(`Specific ${k.replace(/_/g, ' ')}: idle sessions on servers of this group will ${s > 0 ? `${what} after ${formatDuration(s)}` : `NOT ${what}`}`);
  }
  const keys = v['keys'] as Record<string, Record<string, unknown>> | undefined;
  if (keys) {
    const all = Object.values(keys);
    out.info(' ');
    out.info(
      all.length === 0
        ? 'This group has no SSH egress key, the owner may use groupGenerateEgressKey to generate one.'
        : all.length === 1
          ? 'The public key of this group is:'
          : 'The public keys of this group are:',
    );
    out.info(' ');
    for (const k of all) printEgressKey(out, k, Number(k['mtime']));
  }
}
