// The groups/ACL store: migration 30's tables behave (cascades, checks) and the read queries the
// listings and the access decision run are answered from the indexes (EXPLAIN QUERY PLAN), never
// by scanning acl_entries or group_roles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { candidateStarts, parseAddress } from '../../../src/policy/aclAddress.js';
import { ACL_SQL } from '../../../src/store/acl.js';
import { type DB, openDatabase } from '../../../src/store/db.js';
import { GROUP_SQL } from '../../../src/store/groups.js';
import { createStore } from '../../../src/store/store.js';
import { sqliteOf } from '../../../src/store/inspect.js';

function seeded() {
  const store = createStore(openDatabase(':memory:'));
  const a = store.accounts.insert({ name: 'alice', uid: null, comment: null, createdAt: 1, createdBy: 't', ttlSeconds: null });
  const g = store.groups.insert('web', 1, 't');
  store.groups.addRole(g, a, 'member', 't', 1);
  for (let i = 0; i < 50; i++) {
    const ip = parseAddress(`10.${i}.0.0/16`, { allowSubnets: true }).value;
    assert.ok(ip);
    store.acl.insert({
      kind: i % 2 ? 'group' : 'personal',
      accountId: i % 2 ? null : a,
      groupId: i % 2 ? g : null,
      ip: ip.ip,
      family: 4,
      prefixLen: 16,
      start: ip.start,
      end: ip.end,
      user: null,
      port: 22,
      protocol: null,
      comment: null,
      expiresAt: null,
      forceKey: null,
      forcePassword: null,
      addedBy: 't',
      addedAt: 1,
    });
  }
  return { store, a, g };
}

function plan(db: DB, sql: string, params: unknown[] | Record<string, unknown>): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as { detail: string }[];
  return rows.map((r) => r.detail).join('\n');
}

test('"which entries contain this address" probes acl_by_range, for IPv4 and IPv6', () => {
  const { store } = seeded();
  for (const text of ['10.1.2.3', '2001:db8::1']) {
    const t = parseAddress(text, { allowSubnets: true }).value;
    assert.ok(t);
    const starts = candidateStarts(t);
    const p = plan(sqliteOf(store), ACL_SQL.containing(starts.length), [t.family, ...starts, t.end, 0]);
    assert.match(p, /SEARCH acl_entries USING INDEX acl_by_range \(family=\? AND range_start=\? AND range_end>\?\)/, p);
    assert.doesNotMatch(p, /SCAN acl_entries/);
  }
});

test('per-list queries use acl_by_account / acl_by_group; role queries use group_roles keys', () => {
  const { store } = seeded();
  const checks: [string, unknown, RegExp][] = [
    [ACL_SQL.personal, { a: 1, now: 0 }, /USING INDEX acl_by_account \(account_id=\? AND kind=\? AND group_id=\?\)/],
    [ACL_SQL.group, { g: 1, now: 0 }, /USING INDEX acl_by_group \(group_id=\? AND kind=\? AND account_id=\?\)/],
    [ACL_SQL.guest, { a: 1, g: 1, now: 0 }, /USING INDEX acl_by_(account|group) \((account_id|group_id)=\? AND kind=\? AND (group_id|account_id)=\?\)/],
    [ACL_SQL.guestCounts, { g: 1, now: 0 }, /USING INDEX acl_by_group \(group_id=\? AND kind=\?\)/],
    [ACL_SQL.groupView, { g: 1, now: 0 }, /USING INDEX acl_by_group \(group_id=\? AND kind=\? AND account_id=\?\)/],
    [ACL_SQL.personalView, { a: 1, now: 0 }, /USING INDEX acl_by_account \(account_id=\? AND kind=\? AND group_id=\?\)/],
    [ACL_SQL.guestView, { a: 1, g: 1, now: 0 }, /USING INDEX acl_by_(account|group) \((account_id|group_id)=\? AND kind=\? AND (group_id|account_id)=\?\)/],
    [ACL_SQL.guestOfAccount, { a: 1, now: 0 }, /USING INDEX acl_by_account \(account_id=\? AND kind=\?\)/],
    [
      ACL_SQL.ofMemberGroups,
      { a: 1, now: 0 },
      /USING (COVERING )?INDEX group_roles_by_account \(account_id=\? AND role=\?\)[\s\S]*USING INDEX acl_by_group \(group_id=\? AND kind=\?\)/,
    ],
    [GROUP_SQL.hasRoleAnywhere, [1, 'owner'], /USING COVERING INDEX group_roles_by_account \(account_id=\? AND role=\?\)/],
    [GROUP_SQL.hasRole, [1, 'owner', 1], /USING PRIMARY KEY \(group_id=\? AND role=\? AND account_id=\?\)/],
    [GROUP_SQL.holders, [1, 'member'], /SEARCH r USING PRIMARY KEY \(group_id=\? AND role=\?\)[\s\S]*SEARCH a USING INTEGER PRIMARY KEY/],
    [GROUP_SQL.rolesOfAccount, [1], /SEARCH r USING (COVERING )?INDEX group_roles_by_account \(account_id=\?\)/],
  ];
  for (const [sql, params, re] of checks) {
    const p = plan(sqliteOf(store), sql, params as never);
    assert.match(p, re, `${sql}\n${p}`);
    assert.doesNotMatch(p, /SCAN (acl_entries|group_roles|e|r)\b/, `${sql}\n${p}`);
    const listings: string[] = [ACL_SQL.personal, ACL_SQL.group, ACL_SQL.guest, ACL_SQL.personalView, ACL_SQL.groupView, ACL_SQL.guestView];
    if (listings.includes(sql)) assert.doesNotMatch(p, /TEMP B-TREE/, `listings come out of the index in id order: ${sql}\n${p}`);
  }
});

test('deleting a group takes its roles, settings, entries (group and guest) and keys with it', () => {
  const { store, a, g } = seeded();
  store.groups.setSetting(g, 'guest_ttl_limit', '60');
  store.groups.insertKey({ groupId: g, type: 'ssh-ed25519', size: 256, fingerprint: 'SHA256:x', base64: 'AAAA', comment: '', privateSealed: Buffer.from('s'), createdAt: 1 });
  const count = (table: string): number => (sqliteOf(store).prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  assert.ok(count('acl_entries') > 0);
  store.groups.remove(g);
  assert.equal(count('group_roles'), 0);
  assert.equal(count('group_settings'), 0);
  assert.equal(count('group_egress_keys'), 0);
  assert.equal(count('acl_entries WHERE group_id IS NOT NULL'), 0);
  assert.equal(count("acl_entries WHERE kind = 'personal'"), 25, 'personal entries stay');
  store.accounts.remove(a);
  assert.equal(count('acl_entries'), 0, 'and an account takes its personal entries');
});

test('the table refuses inconsistent rows: an owner that does not fit the kind, a bad range width, user and protocol together', () => {
  const { store, a, g } = seeded();
  const ip = parseAddress('192.0.2.1', { allowSubnets: true }).value;
  assert.ok(ip);
  const row = {
    kind: 'group' as const,
    accountId: a,
    groupId: g,
    ip: ip.ip,
    family: 4 as const,
    prefixLen: 32,
    start: ip.start,
    end: ip.end,
    user: null,
    port: null,
    protocol: null,
    comment: null,
    expiresAt: null,
    forceKey: null,
    forcePassword: null,
    addedBy: 't',
    addedAt: 1,
  };
  assert.throws(() => store.acl.insert(row), /CHECK constraint/);
  assert.throws(() => store.acl.insert({ ...row, accountId: null, end: Buffer.alloc(16) }), /CHECK constraint/);
  assert.throws(() => store.acl.insert({ ...row, accountId: null, user: 'root', protocol: 'sftp' }), /CHECK constraint/);
  assert.throws(() => store.acl.insert({ ...row, accountId: null, port: 70000 }), /CHECK constraint/);
  assert.ok(store.acl.insert({ ...row, accountId: null }) > 0);
});
