import { activityStatus } from '../../src/policy/accountState.js';
import { findAccount } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'accountUnexpire',
  category: 'restricted',
  summary: 'Unexpire an inactivity-expired account',
  header: 'unexpire an inactivity-expired account',
  options: {
    account: { type: 'string', required: true, valueName: 'ACCOUNT', description: 'The account to work on' },
  },
  help: `When the bastion expires accounts that haven't been seen for a while (accountMaxInactiveDays,
or the account's own --max-inactive-days), this sets the account's last activity to now, so it
can make calls again. The last activity is reset in every case; the code says what the state was:
OK (it was expired; value.days says for how long it had been idle), OK_NOT_EXPIRED, or
OK_EXPIRATION_NOT_CONFIGURED (no inactivity limit applies to it).`,
  examples: ['--account alice'],
  handler(ctx, opts) {
    const { store, config } = ctx;
    const found = findAccount(store, opts.account);
    if (!isOk(found)) return found;
    // The row was read in this same synchronous turn (no await since findAccount): it is current.
    const row = found.value;
    const name = row.name;
    const nowSec = Math.floor(ctx.clock.now() / 1000);
    const st = activityStatus(row, store.accounts.settings(row.id), config, nowSec);
    // Reset the clock whatever the state, as The Bastion's helper does (it touches the lastlog).
    store.accounts.touch(row.id, nowSec, row.last_activity_from ?? '');
    ctx.log.info({ action: 'unexpire', account: name, idleDays: st.idleDays }, 'account activity reset');
    const seen: Record<string, unknown> = {
      already_seen_before: st.alreadySeen ? 1 : 0,
      seconds: st.idleSeconds,
      days: st.idleDays,
      account: name,
    };
    if (row.last_activity_from) seen['info'] = `${row.last_activity_from}(${row.last_activity_from})`;
    if (st.limitDays === 0) {
      return R('OK_EXPIRATION_NOT_CONFIGURED', {
        value: seen,
        msg: `Account ${name} is not expired and no inactivity expiration applies to it, but its last activity date has been refreshed nevertheless.`,
      });
    }
    if (st.idleDays < st.limitDays) {
      return R('OK_NOT_EXPIRED', {
        value: seen,
        msg: `Account ${name} is not expired, but its last activity date has been refreshed nevertheless.`,
      });
    }
    return R('OK', {
      value: { account: name, days: st.idleDays },
      msg: `Account ${name} was expired (${st.idleDays} days without activity), it is now active again.`,
    });
  },
});
