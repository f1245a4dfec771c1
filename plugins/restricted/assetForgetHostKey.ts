import { checkPort } from '../../src/policy/aclEntry.js';
import { resolveTarget } from '../../src/egress/resolve.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'assetForgetHostKey',
  category: 'restricted',
  summary: "Remove the host key of a given asset from every account's known hosts",
  header: "remove the host key of a given asset from all accounts' known hosts",
  options: {},
  help: `Usage: --osh assetForgetHostKey --host HOST|IP [--port PORT]

  --host HOST|IP   Asset whose host key should be forgotten (a name is resolved to its address)
  --port PORT      Asset port serving SSH (default: 22)

Use it after a server was reinstalled or its host keys regenerated, so that no account is
refused on its next connection: each account learns the new key on first use.`,
  examples: ['--host 10.0.0.5', '--host 10.0.0.5 --port 2222'],
  differences: ['changed_files counts the accounts that knew a key of that asset (The Bastion: the known_hosts files it modified).'],
  async handler(ctx) {
    const host = ctx.request.host;
    if (!host) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter --host (or host didn't resolve correctly)" });
    if (host.includes('/')) return R('ERR_INVALID_PARAMETER', { msg: `Specified IP must not be a subnet (${host})` });
    const resolved = await resolveTarget(host, ctx.config);
    if (!resolved.ok) return R('ERR_MISSING_PARAMETER', { msg: "Missing mandatory parameter --host (or host didn't resolve correctly)" });
    const port = (ctx.request.port === undefined ? undefined : checkPort(ctx.request.port).value) ?? 22;
    ctx.out.info(`Removing ${resolved.ip} host key from accounts...`);
    const changed = ctx.store.tx(() => ctx.store.hostKeys.forgetEverywhere(resolved.ip, port));
    ctx.log.info({ ip: resolved.ip, port, accounts: changed }, 'asset host key forgotten');
    return R(changed > 0 ? 'OK' : 'OK_NO_CHANGE', {
      msg: `Finally modified ${changed} accounts' known hosts`,
      value: { changed_files: changed },
    });
  },
});
