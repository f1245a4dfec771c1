// createAccount's uid rules and transaction, and the account state functions accountInfo shares
// with the login check, on an in-memory store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activityStatus, alwaysActiveStatus, checkAccountState, ttlStatus } from '../../../src/policy/accountState.js';
import { createAccount, highestFreeUid, uidAvailable } from '../../../src/accounts/create.js';
import { fixedConfig } from '../../../src/config/source.js';
import { openStore } from '../../../src/store/store.js';
import { sqliteOf } from '../../../src/store/inspect.js';

const config = (raw: Record<string, unknown> = {}) => fixedConfig({ accountUidMin: 2000, accountUidMax: 2005, ...raw }).current();
const spec = (name: string, uid: number | 'auto', nowSec = 1_000_000) => ({
  name,
  uid,
  comment: null,
  createdBy: 'test',
  ttlSeconds: null,
  keys: [],
  settings: {},
  nowSec,
});

test('uid-auto takes the highest free uid of the range, and ERR_UID_COLLISION when none is left', () => {
  const store = openStore(':memory:');
  const cfg = config();
  assert.equal(highestFreeUid(store, 2000, 2005), 2005);
  assert.equal(createAccount(store, cfg, spec('a1', 'auto')).value?.uid, 2005);
  assert.equal(createAccount(store, cfg, spec('a2', 2003)).value?.uid, 2003);
  assert.equal(createAccount(store, cfg, spec('a3', 'auto')).value?.uid, 2004);
  assert.equal(createAccount(store, cfg, spec('a4', 'auto')).value?.uid, 2002);
  // Outside the range does not count.
  sqliteOf(store).prepare("INSERT INTO accounts (name, uid, created_at, created_by) VALUES ('out', 9999, 0, 't')").run();
  assert.equal(createAccount(store, cfg, spec('a5', 'auto')).value?.uid, 2001);
  assert.equal(createAccount(store, cfg, spec('a6', 'auto')).value?.uid, 2000);
  const full = createAccount(store, cfg, spec('a7', 'auto'));
  assert.equal(full.code, 'ERR_UID_COLLISION');
  assert.equal(store.accounts.byName('a7'), undefined);
  store.close();
});

test('a fixed uid: taken (even outside the range) then out of range; an existing name', () => {
  const store = openStore(':memory:');
  const cfg = config();
  createAccount(store, cfg, spec('b1', 2001));
  assert.equal(uidAvailable(store, cfg, 2001).code, 'ERR_UID_COLLISION');
  assert.equal(uidAvailable(store, cfg, 1999).code, 'ERR_UID_INVALID_RANGE');
  assert.equal(uidAvailable(store, cfg, 2006).code, 'ERR_UID_INVALID_RANGE');
  assert.equal(uidAvailable(store, cfg, 2002).code, 'OK');
  assert.equal(createAccount(store, cfg, spec('b2', 2001)).code, 'ERR_UID_COLLISION');
  assert.equal(createAccount(store, cfg, spec('b1', 2002)).code, 'KO_ALREADY_EXISTING');
  assert.equal(store.accounts.count(), 1);
  store.close();
});

test('TTL, inactivity and freeze: the pieces agree with checkAccountState', () => {
  const store = openStore(':memory:');
  const cfg = config({ accountMaxInactiveDays: 10 });
  const t0 = 1_000_000;
  createAccount(store, cfg, { ...spec('c1', 'auto', t0), ttlSeconds: 100 });
  const row = () => {
    const r = store.accounts.byName('c1');
    assert.ok(r);
    return r;
  };
  const s = () => store.accounts.settings(row().id);
  assert.deepEqual(ttlStatus(row(), t0 + 100), { set: true, expired: false, expiresAt: t0 + 100 });
  assert.deepEqual(ttlStatus(row(), t0 + 101), { set: true, expired: true, expiresAt: t0 + 100 });
  assert.equal(checkAccountState(row(), s(), cfg, t0 + 100).ok, true);
  const ttlVerdict = checkAccountState(row(), s(), cfg, t0 + 101);
  assert.equal(ttlVerdict.ok ? null : ttlVerdict.code, 'KO_TTL_EXPIRED');

  sqliteOf(store).prepare('UPDATE accounts SET ttl_seconds = NULL').run();
  const a = activityStatus(row(), s(), cfg, t0 + 10 * 86400);
  assert.equal(a.alreadySeen, false);
  assert.equal(a.since, t0);
  assert.equal(a.idleDays, 10);
  assert.equal(a.expired, true);
  const v = checkAccountState(row(), s(), cfg, t0 + 10 * 86400);
  assert.equal(v.ok ? null : v.code, 'KO_ACCOUNT_EXPIRED');
  // The account's own setting overrides the configuration; '0' means never.
  store.accounts.setSetting(row().id, 'max_inactive_days', '0');
  assert.equal(activityStatus(row(), s(), cfg, t0 + 100 * 86400).expired, false);
  assert.equal(checkAccountState(row(), s(), cfg, t0 + 100 * 86400).ok, true);

  assert.deepEqual(alwaysActiveStatus(row(), s(), cfg), { on: false, reason: null });
  assert.deepEqual(alwaysActiveStatus(row(), s(), config({ alwaysActiveAccounts: ['c1'] })), { on: true, reason: 'account listed in global configuration' });
  store.accounts.setSetting(row().id, 'always_active', 'yes');
  assert.deepEqual(alwaysActiveStatus(row(), s(), cfg), { on: true, reason: 'account local configuration' });

  store.accounts.setFrozen(row().id, { at: t0, by: 'x', reason: null });
  const f = checkAccountState(row(), s(), cfg, t0);
  assert.equal(f.ok ? null : f.code, 'KO_ACCOUNT_FROZEN');
  store.close();
});
