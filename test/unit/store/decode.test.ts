// The decoders every row goes through on its way out of the store. The good rows are read
// straight from a real store (every column as SQLite hands it over), so a decoder whose column
// names or types drift from its table fails here; the bad rows are those rows with one column at
// a time replaced by a value of another type, or removed, as a foreign or damaged database could
// hold them: each must be refused with an error naming the table and the column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAccount } from '../../../src/store/accounts.js';
import { ACL_SQL, decodeAclRow, decodeAclView } from '../../../src/store/acl.js';
import { decodeAudit } from '../../../src/store/audit.js';
import { decodeSetting, ipFamily, StoreRowError } from '../../../src/store/decode.js';
import { decodeEgressKey, decodeSealedEgressKey } from '../../../src/store/egressKeys.js';
import { decodeAccountGroupRole, decodeGroup, decodeGroupKey, decodeRoleHolder, decodeSealedGroupKey, GROUP_SQL } from '../../../src/store/groups.js';
import { decodeHostKey } from '../../../src/store/hostKeys.js';
import { decodeIngressKey } from '../../../src/store/ingressKeys.js';
import { sqliteOf } from '../../../src/store/inspect.js';
import { decodeSession } from '../../../src/store/sessions.js';
import { openStore, type Store } from '../../../src/store/store.js';
import { aclLine } from '../../helpers/aclEntries.js';

/** A store with one full and one sparse row (NULL wherever allowed) in every table the decoders read. */
function seeded(): { store: Store; alice: number; bob: number; web: number } {
  const store = openStore(':memory:');
  const alice = store.accounts.insert({ name: 'alice', uid: 5000, comment: 'full row', createdAt: 10, createdBy: 'test', ttlSeconds: 3600 });
  const bob = store.accounts.insert({ name: 'bob', uid: null, comment: null, createdAt: 11, createdBy: 'test', ttlSeconds: null });
  store.accounts.touch(alice, 20, '192.0.2.1');
  store.accounts.setFrozen(alice, { at: 30, by: 'admin', reason: 'holiday' });
  store.accounts.setSetting(alice, 'osh_only', 'yes');
  const key = { type: 'ssh-ed25519', fingerprint: 'SHA256:x', comment: 'c', options: '', createdAt: 12 };
  store.ingressKeys.insert({ ...key, accountId: alice, blob: Buffer.from([0, 1, 2]), size: 256, fromList: ['192.0.2.0/24'] });
  store.ingressKeys.insert({ ...key, accountId: bob, blob: Buffer.from([3]), size: null, fromList: null });
  const pair = { type: 'ssh-ed25519', size: 256, fingerprint: 'SHA256:y', base64: 'AAAA', comment: 'k', privateSealed: Buffer.from([9, 9]), createdAt: 13 };
  store.egressKeys.insert({ ...pair, accountId: alice });
  const web = store.groups.insert('web', 14, 'test');
  store.groups.insertKey({ ...pair, groupId: web });
  store.groups.addRole(web, alice, 'member', 'test', 15);
  store.groups.addRole(web, bob, 'guest', 'test', 15);
  store.acl.insert({
    ...aclLine('personal', { accountId: alice }, '10.0.0.0/8', { port: 22, protocol: 'sftp', expiresAt: 10 ** 10, forceKey: 'SHA256:y' }),
    forcePassword: '$6$x',
    comment: 'full',
  });
  store.acl.insert(aclLine('group', { groupId: web }, '2001:db8::1', { user: 'root' }));
  store.hostKeys.remember({ accountId: alice, host: '192.0.2.9', port: 22, type: 'ssh-ed25519', fingerprint: 'SHA256:z', blob: Buffer.from([7]), at: 16 });
  const session = {
    account: 'alice',
    connId: 'c1',
    peerIp: '192.0.2.1',
    peerPort: 50000,
    targetUser: 'root',
    targetHost: 'db1',
    targetIp: '192.0.2.9',
    targetPort: 22,
    allowed: true,
    pty: false,
    startedAt: 17,
  };
  store.sessions.start({ ...session, id: 's-full', accountId: alice, viaIp: '192.0.2.2', viaPort: 22, command: 'uptime', recording: 'ttyrec/a.cast' });
  store.sessions.end('s-full', { endedAt: 18, exitStatus: 0, exitSignal: 'TERM', comment: 'idle_timeout', bytesUp: 1, bytesDown: 2 });
  store.sessions.start({ ...session, id: 's-sparse', accountId: bob, viaIp: null, viaPort: null, command: null, recording: null });
  const call = { at: 19, connId: 'c1', callId: 'k1', account: 'alice', peerIp: '192.0.2.1', peerPort: 50000, args: ['--osh', 'info'], errorCode: 'OK', exitStatus: 0 };
  store.audit.record({ ...call, kind: 'osh', plugin: 'info', durationMs: 1.25 });
  store.audit.record({ ...call, kind: 'refused', plugin: null, durationMs: 3 });
  return { store, alice, bob, web };
}

/** A value of another type than `v`: text for a number, a number for text, text for a blob, a REAL for NULL. */
function wrongType(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return 7;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return 1.5;
}

function refuses(decode: () => unknown, table: string, column: string): void {
  assert.throws(decode, (e: unknown) => {
    assert.ok(e instanceof StoreRowError, String(e));
    assert.equal(e.table, table);
    assert.equal(e.column, column);
    assert.ok(e.message.startsWith(`store: ${table}.${column} holds `), e.message);
    return true;
  });
}

interface Case {
  readonly decode: (raw: unknown) => unknown;
  /** The table a column comes from (joined rows read some columns from another table). */
  readonly table: string;
  readonly rows: (s: ReturnType<typeof seeded>) => unknown[];
  readonly from?: Readonly<Record<string, readonly [table: string, column: string]>>;
}

const raw = (s: ReturnType<typeof seeded>, sql: string, ...params: unknown[]): unknown[] =>
  sqliteOf(s.store)
    .prepare(sql)
    .all(...params);

const CASES: Record<string, Case> = {
  decodeAccount: { decode: decodeAccount, table: 'accounts', rows: (s) => raw(s, 'SELECT * FROM accounts ORDER BY id') },
  decodeAclRow: { decode: decodeAclRow, table: 'acl_entries', rows: (s) => raw(s, 'SELECT * FROM acl_entries ORDER BY id') },
  decodeAudit: { decode: decodeAudit, table: 'audit', rows: (s) => raw(s, 'SELECT * FROM audit ORDER BY id') },
  decodeEgressKey: {
    decode: decodeEgressKey,
    table: 'account_egress_keys',
    rows: (s) => raw(s, 'SELECT account_id, id, type, size, fingerprint, base64, comment, created_at FROM account_egress_keys'),
  },
  decodeSealedEgressKey: {
    decode: decodeSealedEgressKey,
    table: 'account_egress_keys',
    rows: (s) => raw(s, 'SELECT account_id, id, type, size, fingerprint, base64, comment, created_at, private_sealed FROM account_egress_keys'),
  },
  decodeGroup: { decode: decodeGroup, table: 'groups', rows: (s) => raw(s, 'SELECT * FROM groups') },
  decodeGroupKey: {
    decode: decodeGroupKey,
    table: 'group_egress_keys',
    rows: (s) => raw(s, 'SELECT group_id, id, type, size, fingerprint, base64, comment, created_at FROM group_egress_keys'),
  },
  decodeSealedGroupKey: {
    decode: decodeSealedGroupKey,
    table: 'group_egress_keys',
    rows: (s) => raw(s, 'SELECT group_id, id, type, size, fingerprint, base64, comment, created_at, private_sealed FROM group_egress_keys'),
  },
  decodeRoleHolder: {
    decode: decodeRoleHolder,
    table: 'group_roles',
    rows: (s) => [...raw(s, GROUP_SQL.holders, s.web, 'member'), ...raw(s, GROUP_SQL.holders, s.web, 'guest')],
    from: { name: ['accounts', 'name'] },
  },
  decodeAccountGroupRole: {
    decode: decodeAccountGroupRole,
    table: 'group_roles',
    rows: (s) => [...raw(s, GROUP_SQL.rolesOfAccount, s.alice), ...raw(s, GROUP_SQL.rolesOfAccount, s.bob)],
    from: { group: ['groups', 'name'] },
  },
  decodeHostKey: { decode: decodeHostKey, table: 'egress_host_keys', rows: (s) => raw(s, 'SELECT * FROM egress_host_keys') },
  decodeIngressKey: { decode: decodeIngressKey, table: 'ingress_keys', rows: (s) => raw(s, 'SELECT * FROM ingress_keys ORDER BY id') },
  decodeSession: { decode: decodeSession, table: 'sessions', rows: (s) => raw(s, 'SELECT * FROM sessions ORDER BY id') },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`${name}: rows as stored decode to the same values; a column of another type, or missing, is refused naming table and column`, () => {
    const s = seeded();
    const rows = c.rows(s);
    assert.ok(rows.length >= 1);
    for (const row of rows) {
      assert.deepEqual(c.decode(row), row);
      for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
        const [table, named] = c.from?.[column] ?? [c.table, column];
        refuses(() => c.decode({ ...(row as object), [column]: wrongType(value) }), table, named);
        const { [column]: _, ...without } = row as Record<string, unknown>;
        refuses(() => c.decode(without), table, named);
      }
    }
    refuses(() => c.decode(undefined), c.table, '*');
    refuses(() => c.decode([1, 2]), c.table, '*');
    s.store.close();
  });
}

test('decoders hold the values a type narrows to: kinds, roles, protocols, the address family, integers', () => {
  const s = seeded();
  const [acl] = raw(s, 'SELECT * FROM acl_entries ORDER BY id') as Record<string, unknown>[];
  assert.ok(acl);
  refuses(() => decodeAclRow({ ...acl, kind: 'admin' }), 'acl_entries', 'kind');
  refuses(() => decodeAclRow({ ...acl, kind: null }), 'acl_entries', 'kind');
  refuses(() => decodeAclRow({ ...acl, protocol: 'ftp' }), 'acl_entries', 'protocol');
  refuses(() => decodeAclRow({ ...acl, family: 5 }), 'acl_entries', 'family');
  refuses(() => decodeAclRow({ ...acl, family: '4' }), 'acl_entries', 'family');
  refuses(() => decodeAclRow({ ...acl, port: 22.5 }), 'acl_entries', 'port');
  refuses(() => decodeAclRow({ ...acl, id: 10n }), 'acl_entries', 'id');
  assert.equal(decodeAclRow({ ...acl, protocol: null }).protocol, null);
  const [role] = raw(s, GROUP_SQL.rolesOfAccount, s.alice) as Record<string, unknown>[];
  refuses(() => decodeAccountGroupRole({ ...role, role: 'boss' }), 'group_roles', 'role');
  const [account] = raw(s, 'SELECT * FROM accounts ORDER BY id') as Record<string, unknown>[];
  refuses(() => decodeAccount({ ...account, name: null }), 'accounts', 'name');
  assert.equal(ipFamily(6, 't', 'c'), 6);
  assert.throws(() => decodeAccount({ ...account, created_by: Buffer.from('x') }), /^StoreRowError: store: accounts\.created_by holds a 1-byte blob where text was expected$/);
  s.store.close();
});

test('decodeAclView: the raw tuple of a listing, kind and account taken from the list asked for', () => {
  const s = seeded();
  const [t] = sqliteOf(s.store).prepare(ACL_SQL.groupView).raw(true).all({ g: s.web, now: 0 }) as unknown[][];
  assert.ok(t);
  const view = decodeAclView(t, 'group', null);
  assert.deepEqual(s.store.acl.view({ kind: 'group', groupId: s.web }, 0), [view]);
  assert.equal(view.ip, '2001:db8::1');
  assert.equal(view.family, 6);
  assert.equal(view.prefix_len, 128);
  assert.equal(view.user, 'root');
  const columns = ['id', 'ip', 'user', 'port', 'protocol', 'comment', 'expires_at', 'force_key', 'force_password', 'added_by', 'added_at', 'group_id'];
  assert.equal(t.length, columns.length);
  columns.forEach((column, i) => {
    refuses(
      () =>
        decodeAclView(
          t.map((v, j) => (j === i ? wrongType(v) : v)),
          'group',
          null,
        ),
      'acl_entries',
      column,
    );
  });
  refuses(
    () =>
      decodeAclView(
        t.map((v, j) => (j === 1 ? '10.0.0.0/x' : v)),
        'group',
        null,
      ),
    'acl_entries',
    'ip',
  );
  refuses(() => decodeAclView(t.slice(1), 'group', null), 'acl_entries', '*');
  refuses(() => decodeAclView({ id: 1 }, 'group', null), 'acl_entries', '*');
  s.store.close();
});

test('decodeSetting: a (key, value) row of either settings table', () => {
  assert.deepEqual(decodeSetting({ key: 'osh_only', value: 'yes' }, 'account_settings'), ['osh_only', 'yes']);
  refuses(() => decodeSetting({ key: 'osh_only', value: 1 }, 'account_settings'), 'account_settings', 'value');
  refuses(() => decodeSetting({ key: null, value: 'x' }, 'group_settings'), 'group_settings', 'key');
});
