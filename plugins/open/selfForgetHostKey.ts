import net from 'node:net';
import { checkPort } from '../../src/policy/aclEntry.js';
import { resolveTarget } from '../../src/egress/resolve.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfForgetHostKey',
  category: 'open',
  summary: 'Forget a known host key of a target, from your account',
  header: 'remove a known hostkey',
  options: {},
  help: `Usage: --osh selfForgetHostKey --host HOST [--port PORT]

  --host HOST  Target whose host key your account should forget (an address or a name)
  --port PORT  Its SSH port (default: 22)

The bastion remembers the host key each target presented the first time your account connected
to it, and refuses the connection if the key changes. When the change is legitimate (the server
was reinstalled, its keys regenerated), forget the old key and connect again: the new key is then
learnt. Check with the server's administrators that the change is expected first: that warning
exists because someone could be intercepting the connection.`,
  examples: ['--host 10.0.0.5', '--host 10.0.0.5 --port 2222', '--host srv1.example.org'],
  differences: [
    'Host keys live in the bastion store, not in a known_hosts file; an account with no known host key at all gets OK_NO_CHANGE, as The Bastion does without a known_hosts file.',
    'Keys are learnt under the address connected to: a name given with --host is resolved, and its own entry is always OK_NO_MATCH.',
  ],
  async handler(ctx) {
    const host = ctx.request.host;
    if (!host) return R('ERR_MISSING_PARAMETER', { msg: "Missing argument 'host'" });
    const port = (ctx.request.port === undefined ? undefined : checkPort(ctx.request.port).value) ?? 22;
    const me = ctx.caller.account.id;
    if (ctx.store.hostKeys.countForAccount(me) === 0) {
      return R('OK_NO_CHANGE', { msg: "Your account doesn't know any host key, nothing to do" });
    }
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    // Keys are stored under the address the session dialled: resolveTarget's canonical form.
    // A block names no single target: nothing to look up.
    const resolved = host.includes('/') ? null : await resolveTarget(host, ctx.config);
    const ip = resolved?.ok ? resolved.ip : null;
    // The entries known_hosts would name: HOST, or [HOST]:PORT off port 22; the address too when a name was given.
    const label = (h: string): string => (port === 22 ? h : `[${h}]:${port}`);
    const items: { label: string; ip: string | null }[] = [];
    if (net.isIP(bare)) items.push({ label: label(bare), ip });
    else {
      items.push({ label: label(host), ip: null });
      if (ip !== null) items.push({ label: label(ip), ip });
    }
    const value: Record<string, { action: 'OK_DELETED' | 'OK_NO_MATCH' }> = {};
    for (const item of items) {
      ctx.out.info(`Looking for keys known by your account for ${item.label}`);
      const itemIp = item.ip;
      const n = itemIp === null ? 0 : ctx.store.tx(() => ctx.store.hostKeys.forget(me, itemIp, port));
      if (n === 0) {
        value[item.label] = { action: 'OK_NO_MATCH' };
        ctx.out.info('... none found (maybe you forgot to specify --port?)');
      } else {
        value[item.label] = { action: 'OK_DELETED' };
        ctx.out.info(`Key for '${item.label}' deleted successfully`);
        ctx.log.info({ target: item.label, keys: n }, 'host key forgotten');
      }
    }
    return R('OK', { value });
  },
});
