// The decoders every row goes through on its way out of the store. The good rows are read
// straight from a real store (every column as SQLite hands it over), so a decoder whose column
// names or types drift from its table fails here; the bad rows are those rows with one column at
// a time replaced by a value of another type, or removed, as a foreign or damaged database could
// hold them: each must be refused with an error naming the table and the column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAccount } from '../../../src/store/accounts.js';
import { ALLOWED_COMMANDS_SQL, decodeAllowedCommand } from '../../../src/store/allowedCommands.js';
import { ACL_SQL, type AclView, decodeAclRow, decodeAclView } from '../../../src/store/acl.js';
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
import { candidateStarts, parseAddress } from '../../../src/policy/aclAddress.js';

/** A store with one full and one sparse row (NULL wherever allowed) in every table the decoders read. */
interface Seeded {
  readonly store: Store;
  readonly alice: number;
  readonly bob: number;
  readonly web: number;
}

function seeded(): Seeded {
  const store = openStore(':memory:');
  // First, so that no id of alice's rows equals hers: a decoder reading the wrong column shows.
  store.accounts.insert({ name: 'zed', uid: null, comment: null, createdAt: 9, createdBy: 'test', ttlSeconds: null });
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
  store.allowedCommands.add({ accountId: alice, pattern: 'uptime', groupId: web, addedBy: 'admin', addedAt: 20 });
  store.allowedCommands.add({ accountId: alice, pattern: 'systemctl status *', groupId: null, addedBy: 'admin', addedAt: 21 });
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

/** Rows as a query reads them: objects, or raw tuples with their column names (the hot paths). */
type Read = { readonly rows: Record<string, unknown>[] } | { readonly columns: string[]; readonly tuples: unknown[][] };

const objects = (s: Seeded, sql: string, ...params: unknown[]): Read => ({
  rows: sqliteOf(s.store)
    .prepare(sql)
    .all(...params) as Record<string, unknown>[],
});

function tuples(s: Seeded, sql: string, ...params: unknown[]): Read {
  const stmt = sqliteOf(s.store).prepare(sql).raw(true);
  return { columns: stmt.columns().map((c) => c.name), tuples: stmt.all(...params) as unknown[][] };
}

interface Case {
  readonly decode: (raw: unknown) => unknown;
  /** The table a column comes from (joined rows read some columns from another table). */
  readonly table: string;
  readonly read: (s: Seeded) => Read[];
  readonly from?: Readonly<Record<string, readonly [table: string, column: string]>>;
}

const KEY_COLUMNS = 'id, type, size, fingerprint, base64, comment, created_at';

const CASES: Record<string, Case> = {
  decodeAccount: { decode: decodeAccount, table: 'accounts', read: (s) => [tuples(s, 'SELECT * FROM accounts ORDER BY id')] },
  decodeAclRow: {
    decode: decodeAclRow,
    table: 'acl_entries',
    read: (s) => [tuples(s, ACL_SQL.personal, { a: s.alice, now: 0 }), tuples(s, ACL_SQL.group, { g: s.web, now: 0 })],
  },
  decodeAllowedCommand: {
    decode: decodeAllowedCommand,
    table: 'allowed_commands',
    read: (s) => [objects(s, ALLOWED_COMMANDS_SQL.forAccount, s.alice)],
    from: { group: ['groups', 'name'] },
  },
  decodeAudit: { decode: decodeAudit, table: 'audit', read: (s) => [objects(s, 'SELECT * FROM audit ORDER BY id')] },
  decodeEgressKey: { decode: decodeEgressKey, table: 'account_egress_keys', read: (s) => [objects(s, `SELECT account_id, ${KEY_COLUMNS} FROM account_egress_keys`)] },
  decodeSealedEgressKey: {
    decode: decodeSealedEgressKey,
    table: 'account_egress_keys',
    read: (s) => [objects(s, `SELECT account_id, ${KEY_COLUMNS}, private_sealed FROM account_egress_keys`)],
  },
  decodeGroup: { decode: decodeGroup, table: 'groups', read: (s) => [objects(s, 'SELECT * FROM groups')] },
  decodeGroupKey: { decode: decodeGroupKey, table: 'group_egress_keys', read: (s) => [objects(s, `SELECT group_id, ${KEY_COLUMNS} FROM group_egress_keys`)] },
  decodeSealedGroupKey: {
    decode: decodeSealedGroupKey,
    table: 'group_egress_keys',
    read: (s) => [objects(s, `SELECT group_id, ${KEY_COLUMNS}, private_sealed FROM group_egress_keys`)],
  },
  decodeRoleHolder: {
    decode: decodeRoleHolder,
    table: 'group_roles',
    read: (s) => [objects(s, GROUP_SQL.holders, s.web, 'member'), objects(s, GROUP_SQL.holders, s.web, 'guest')],
    from: { name: ['accounts', 'name'] },
  },
  decodeAccountGroupRole: {
    decode: decodeAccountGroupRole,
    table: 'group_roles',
    read: (s) => [tuples(s, GROUP_SQL.rolesOfAccount, s.alice), tuples(s, GROUP_SQL.rolesOfAccount, s.bob)],
    from: { group: ['groups', 'name'] },
  },
  decodeHostKey: { decode: decodeHostKey, table: 'egress_host_keys', read: (s) => [objects(s, 'SELECT * FROM egress_host_keys')] },
  decodeIngressKey: { decode: decodeIngressKey, table: 'ingress_keys', read: (s) => [tuples(s, 'SELECT * FROM ingress_keys ORDER BY id')] },
  decodeSession: { decode: decodeSession, table: 'sessions', read: (s) => [objects(s, 'SELECT * FROM sessions ORDER BY id')] },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`${name}: rows as stored decode to the same values; a column of another type, or missing, is refused naming table and column`, () => {
    const s = seeded();
    const where = (column: string): readonly [string, string] => c.from?.[column] ?? [c.table, column];
    let seen = 0;
    for (const read of c.read(s)) {
      if ('rows' in read) {
        for (const row of read.rows) {
          seen++;
          assert.deepEqual(c.decode(row), row);
          for (const [column, value] of Object.entries(row)) {
            refuses(() => c.decode({ ...row, [column]: wrongType(value) }), ...where(column));
            const { [column]: _, ...without } = row;
            refuses(() => c.decode(without), ...where(column));
          }
          refuses(() => c.decode(Object.values(row)), c.table, '*');
        }
      } else {
        for (const t of read.tuples) {
          seen++;
          const row: Record<string, unknown> = Object.fromEntries(read.columns.map((column, i) => [column, t[i]]));
          assert.deepEqual(c.decode(t), row);
          read.columns.forEach((column, i) => {
            refuses(() => c.decode(t.map((v, j) => (j === i ? wrongType(v) : v))), ...where(column));
          });
          refuses(() => c.decode(t.slice(1)), c.table, '*');
          refuses(() => c.decode(row), c.table, '*');
        }
      }
    }
    assert.ok(seen >= 1);
    refuses(() => c.decode(undefined), c.table, '*');
    refuses(() => c.decode(null), c.table, '*');
    s.store.close();
  });
}

test('the queries that read tuples give the rows as stored: accounts, ingress keys, ACL entries, group roles', () => {
  const s = seeded();
  const asStored = (sql: string): unknown[] => sqliteOf(s.store).prepare(sql).all();
  assert.deepEqual(s.store.accounts.all(), asStored('SELECT * FROM accounts ORDER BY name'));
  assert.deepEqual(s.store.accounts.byName('alice'), asStored(`SELECT * FROM accounts WHERE name = 'alice'`)[0]);
  assert.deepEqual(s.store.accounts.byId(s.bob), asStored(`SELECT * FROM accounts WHERE name = 'bob'`)[0]);
  assert.deepEqual(s.store.ingressKeys.forAccount(s.alice), asStored(`SELECT * FROM ingress_keys WHERE account_id = ${s.alice}`));
  assert.deepEqual(s.store.ingressKeys.byFingerprint(s.bob, 'SHA256:x'), asStored(`SELECT * FROM ingress_keys WHERE account_id = ${s.bob}`)[0]);
  const acl = asStored('SELECT * FROM acl_entries ORDER BY id');
  assert.deepEqual([...s.store.acl.list({ kind: 'personal', accountId: s.alice }, 0), ...s.store.acl.list({ kind: 'group', groupId: s.web }, 0)], acl);
  const ten = parseAddress('10.1.2.3', { allowSubnets: true }).value;
  assert.ok(ten);
  assert.deepEqual(s.store.acl.containing(4, candidateStarts(ten), ten.end, 0), acl.slice(0, 1));
  assert.deepEqual(s.store.groups.rolesOfAccount(s.bob), [{ group_id: s.web, group: 'web', role: 'guest' }]);
  s.store.close();
});

/** The live entries of alice's personal list, as raw tuples, with their column names. */
function aclTuples(s: Seeded): { columns: string[]; rows: unknown[][] } {
  const personal = sqliteOf(s.store).prepare(ACL_SQL.personal).raw(true);
  return { columns: personal.columns().map((c) => c.name), rows: personal.all({ a: s.alice, now: 0 }) as unknown[][] };
}

test('decoders hold the values a type narrows to: kinds, roles, protocols, the address family, integers', () => {
  const s = seeded();
  const { columns, rows } = aclTuples(s);
  const acl = rows[0];
  assert.ok(acl);
  const withValue = (column: string, value: unknown): unknown[] => acl.map((v, i) => (columns[i] === column ? value : v));
  refuses(() => decodeAclRow(withValue('kind', 'admin')), 'acl_entries', 'kind');
  refuses(() => decodeAclRow(withValue('kind', null)), 'acl_entries', 'kind');
  refuses(() => decodeAclRow(withValue('protocol', 'ftp')), 'acl_entries', 'protocol');
  refuses(() => decodeAclRow(withValue('family', 5)), 'acl_entries', 'family');
  refuses(() => decodeAclRow(withValue('family', '4')), 'acl_entries', 'family');
  refuses(() => decodeAclRow(withValue('port', 22.5)), 'acl_entries', 'port');
  refuses(() => decodeAclRow(withValue('id', 10n)), 'acl_entries', 'id');
  assert.equal(decodeAclRow(withValue('protocol', null)).protocol, null);
  refuses(() => decodeAccountGroupRole([s.web, 'web', 'boss']), 'group_roles', 'role');
  assert.deepEqual(decodeAccountGroupRole([s.web, 'web', 'aclkeeper']), { group_id: s.web, group: 'web', role: 'aclkeeper' });
  const account = sqliteOf(s.store).prepare('SELECT * FROM accounts ORDER BY id').raw(true).get() as unknown[];
  refuses(() => decodeAccount(account.map((v, i) => (i === 1 ? null : v))), 'accounts', 'name');
  assert.equal(ipFamily(6, 't', 'c'), 6);
  assert.throws(
    () => decodeAccount(account.map((v, i) => (i === 5 ? Buffer.from('x') : v))),
    /^StoreRowError: store: accounts\.created_by holds a 1-byte blob where text was expected$/,
  );
  s.store.close();
});

test('decodeAclView: the raw tuple of a listing, kind and account taken from the list asked for', () => {
  const s = seeded();
  const stmt = sqliteOf(s.store).prepare(ACL_SQL.groupView).raw(true);
  const [t] = stmt.all({ g: s.web, now: 0 }) as unknown[][];
  assert.ok(t);
  const decode = (row: unknown): AclView => decodeAclView(row, 'group', null);
  const view = decode(t);
  assert.deepEqual(s.store.acl.view({ kind: 'group', groupId: s.web }, 0), [view]);
  assert.deepEqual([view.ip, view.family, view.prefix_len, view.user, view.kind, view.account_id], ['2001:db8::1', 6, 128, 'root', 'group', null]);
  stmt.columns().forEach(({ name }, i) => {
    refuses(() => decode(t.map((v, j) => (j === i ? wrongType(v) : v))), 'acl_entries', name);
  });
  refuses(() => decode(t.map((v, j) => (j === 1 ? '10.0.0.0/x' : v))), 'acl_entries', 'ip');
  refuses(() => decode(t.slice(1)), 'acl_entries', '*');
  refuses(() => decode({ id: 1 }), 'acl_entries', '*');
  s.store.close();
});

test('decodeSetting: a (key, value) row of either settings table', () => {
  assert.deepEqual(decodeSetting({ key: 'osh_only', value: 'yes' }, 'account_settings'), ['osh_only', 'yes']);
  refuses(() => decodeSetting({ key: 'osh_only', value: 1 }, 'account_settings'), 'account_settings', 'value');
  refuses(() => decodeSetting({ key: null, value: 'x' }, 'group_settings'), 'group_settings', 'key');
});
