import { bastionAliasCommand } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'info',
  category: 'open',
  summary: 'Displays some information about this bastion instance',
  header: 'information',
  options: {},
  handler(ctx) {
    const { out, config, caller } = ctx;
    const v: Record<string, unknown> = { account: caller.name };
    out.info(`You are ${out.colour(caller.name, 'green')}`);
    if (caller.roles.isAuditor) {
      v['is_auditor'] = 1;
      out.info(`You are a ${out.colour('bastion auditor!', 'green')}`);
    }
    if (caller.roles.isSuperOwner) {
      v['is_superowner'] = 1;
      out.info(`Look at you, you are a ${out.colour('bastion superowner!', 'green')}`);
    }
    if (caller.roles.isAdmin) {
      v['is_admin'] = 1;
      out.info(`Woosh, you are even a ${out.colour('bastion admin!', 'green')}`);
    }
    const alias = bastionAliasCommand(config.bastionCommand, config.bastionName, ctx.server.hostname, caller.name);
    out.info('\nYour alias to connect to this bastion is:');
    out.info(out.colour(`alias ${config.bastionName}='${alias}'`, 'magenta'));
    v['bastion_alias_command'] = alias;

    // Multi-factor authentication is not available on Gatehouse: the fields are kept, always 0.
    for (const k of ['mfa_password_required', 'mfa_password_bypass', 'mfa_password_configured', 'mfa_totp_required', 'mfa_totp_bypass', 'mfa_totp_configured']) v[k] = 0;
    out.info('\nMulti-Factor Authentication (MFA) is not available on this bastion.');

    v['hostname'] = ctx.server.hostname;
    v['bastion_name'] = config.bastionName;
    out.info(`\nI am ${out.colour(ctx.server.hostname, 'green')}, aka ${out.colour(config.bastionName, 'green')}`);
    const accounts = ctx.store.accounts.count();
    const groups = ctx.store.groups.count();
    out.info(`I have ${out.colour(String(accounts), 'green')} registered accounts and ${out.colour(String(groups), 'green')} groups`);
    v['registered_accounts'] = accounts;
    v['registered_groups'] = groups;
    v['slave_mode'] = config.readOnlySlaveMode ? 1 : 0;
    out.info(
      config.readOnlySlaveMode
        ? `I am a ${out.colour('SLAVE', 'cyan')}, which means modifications must be made through my master`
        : `I am a ${out.colour('MASTER', 'cyan')}, which means I accept modifications`,
    );
    if (caller.roles.isAuditor) {
      v['adminAccounts'] = [...config.adminAccounts];
      v['superOwnerAccounts'] = [...config.superOwnerAccounts];
      out.info(`My admins are: ${out.colour(config.adminAccounts.join(', ') || '-', 'magenta')}`);
      out.info(`My super owners are: ${out.colour(config.superOwnerAccounts.join(', ') || '-', 'magenta')}`);
    }
    v['allowed_networks_list'] = [...config.allowedNetworks];
    v['forbidden_networks_list'] = [...config.forbiddenNetworks];
    v['ingress_keys_from_ip_list'] = [...config.ingressKeysFrom];
    v['egress_ip_list'] = [...config.egressKeysFrom];
    out.info(`The networks I'm able to connect you to on the egress side are: ${out.colour(config.allowedNetworks.join(', ') || 'all', 'magenta')}`);
    out.info(`The networks I'm NEVER able to connect you to on the egress side are: ${out.colour(config.forbiddenNetworks.join(', ') || 'none', 'magenta')}`);
    // The Bastion prints these numbers as strings (Perl scalars from its configuration); scripts
    // may compare them as strings, so the types are kept.
    v['ingress_ssh_key_algorithms'] = [...config.allowedIngressSshAlgorithms];
    v['egress_ssh_key_algorithms'] = [...config.allowedEgressSshAlgorithms];
    v['ingress_rsa_min_size'] = String(config.minimumIngressRsaKeySize);
    v['ingress_rsa_max_size'] = String(config.maximumIngressRsaKeySize);
    v['egress_rsa_min_size'] = String(config.minimumEgressRsaKeySize);
    v['egress_rsa_max_size'] = String(config.maximumEgressRsaKeySize);
    v['account_expiration_days'] = String(config.accountMaxInactiveDays);
    v['idle_lock_timeout'] = String(config.idleLockTimeout);
    v['idle_kill_timeout'] = String(config.idleKillTimeout);
    v['interactive_mode_allowed'] = config.interactiveModeAllowed ? 1 : 0;
    v['mosh_allowed'] = 0;
    out.info(`Accepted ingress key algorithms: ${config.allowedIngressSshAlgorithms.join(', ')}`);
    return R('OK', { value: v });
  },
});
