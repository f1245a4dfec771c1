// Migration 40's tables through their query modules: host keys learnt, checked and forgotten per
// account and for everyone, sessions started, ended and listed with every filter, and the
// indexes those lookups rely on (EXPLAIN QUERY PLAN).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ssh2 from 'ssh2';
import { checkHostKey, hostKeyAlgorithms, strictPolicyOf, blobType } from '../../../src/egress/hostKeys.js';
import { generateCheckedKeyPair } from '../../../src/services/keygen.js';
import { fingerprintOf } from '../../../src/keys/publicKey.js';
import { openDatabase } from '../../../src/store/db.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { sqliteOf } from '../../../src/store/inspect.js';
const { utils } = ssh2;

function storeWithAccounts(): { store: Store; a: number; b: number } {
  const store = createStore(openDatabase(':memory:'));
  const add = (name: string): number => store.accounts.insert({ name, uid: null, comment: null, createdAt: 1, createdBy: 'test', ttlSeconds: null });
  return { store, a: add('alice'), b: add('bob') };
}

function hostKey(): Buffer {
  const pub = utils.parseKey(generateCheckedKeyPair('ed25519').public);
  if (pub instanceof Error || Array.isArray(pub)) throw new Error('no key');
  return pub.getPublicSSH();
}

const T = (accountId: number, port = 22) => ({ accountId, host: '10.0.0.5', port });

test('blobType reads the key type at the start of a key blob', () => {
  const blob = hostKey();
  assert.equal(blobType(blob), 'ssh-ed25519');
  assert.equal(blobType(Buffer.alloc(2)), '');
});

test('accept-new (the default): an unknown host is learnt, then known; another key is refused as changed', () => {
  const { store, a } = storeWithAccounts();
  const k1 = hostKey();
  const k2 = hostKey();
  assert.equal(strictPolicyOf(new Map()), 'accept-new');
  const first = checkHostKey(store, T(a), k1, 'accept-new', 100);
  assert.equal(first.kind, 'learned');
  assert.equal(first.fingerprint, fingerprintOf(k1));
  assert.equal(checkHostKey(store, T(a), k1, 'accept-new', 200).kind, 'known');
  assert.equal(store.hostKeys.forTarget(a, '10.0.0.5', 22)[0]?.last_seen_at, 200);
  const changed = checkHostKey(store, T(a), k2, 'accept-new', 300);
  assert.equal(changed.kind, 'changed');
  assert.ok(changed.kind === 'changed' && !changed.accepted && changed.expected[0] === fingerprintOf(k1));
  // Per port and per account: the same key elsewhere is a new host.
  assert.equal(checkHostKey(store, T(a, 2222), k2, 'accept-new', 300).kind, 'learned');
});

test("'yes' refuses unknown hosts; 'no' connects through a change and keeps the old key; 'bypass' stores nothing; 'ask' is accept-new", () => {
  const { store, a, b } = storeWithAccounts();
  const k1 = hostKey();
  const k2 = hostKey();
  assert.equal(checkHostKey(store, T(a), k1, 'yes', 1).kind, 'unknown-refused');
  assert.equal(store.hostKeys.countForAccount(a), 0);
  assert.equal(checkHostKey(store, T(a), k1, 'no', 1).kind, 'learned');
  const v = checkHostKey(store, T(a), k2, 'no', 2);
  assert.ok(v.kind === 'changed' && v.accepted);
  assert.equal(store.hostKeys.forTarget(a, '10.0.0.5', 22)[0]?.fingerprint, fingerprintOf(k1));
  assert.equal(checkHostKey(store, T(a), k1, 'yes', 3).kind, 'known');
  assert.equal(checkHostKey(store, T(b), k2, 'bypass', 1).kind, 'unchecked');
  assert.equal(store.hostKeys.countForAccount(b), 0);
  assert.equal(checkHostKey(store, T(b), k2, 'ask', 1).kind, 'learned');
  for (const p of ['yes', 'accept-new', 'no', 'ask', 'bypass'] as const) {
    assert.equal(strictPolicyOf(new Map([['egress_strict_host_key_checking', p]])), p);
  }
  assert.equal(strictPolicyOf(new Map([['egress_strict_host_key_checking', 'default']])), 'accept-new');
});

test('known key types are offered first, so a target keeps presenting the key on record', () => {
  const { store, a } = storeWithAccounts();
  assert.equal(hostKeyAlgorithms(store, T(a))[0], 'ssh-ed25519');
  store.hostKeys.remember({ ...T(a), type: 'ecdsa-sha2-nistp256', fingerprint: 'SHA256:x', blob: Buffer.from('x'), at: 1 });
  assert.equal(hostKeyAlgorithms(store, T(a))[0], 'ecdsa-sha2-nistp256');
  store.hostKeys.forget(a, '10.0.0.5', 22);
  store.hostKeys.remember({ ...T(a), type: 'ssh-rsa', fingerprint: 'SHA256:y', blob: Buffer.from('y'), at: 1 });
  assert.deepEqual(hostKeyAlgorithms(store, T(a)).slice(0, 2), ['rsa-sha2-512', 'rsa-sha2-256']);
  assert.ok(!hostKeyAlgorithms(store, T(a)).includes('ssh-rsa'), 'no SHA-1 signatures');
});

test('forgetting: one account, or every account for an asset (the count of accounts)', () => {
  const { store, a, b } = storeWithAccounts();
  for (const id of [a, b]) checkHostKey(store, T(id), hostKey(), 'accept-new', 1);
  checkHostKey(store, T(a, 2222), hostKey(), 'accept-new', 1);
  assert.equal(store.hostKeys.forget(a, '10.0.0.5', 22), 1);
  assert.equal(store.hostKeys.forget(a, '10.0.0.5', 22), 0);
  assert.equal(store.hostKeys.forgetEverywhere('10.0.0.5', 22), 1);
  assert.equal(store.hostKeys.forgetEverywhere('10.0.0.5', 2222), 1);
  assert.equal(store.hostKeys.countForAccount(a) + store.hostKeys.countForAccount(b), 0);
});

test('sessions: started, ended, listed newest first with each filter; the account is required', () => {
  const { store, a, b } = storeWithAccounts();
  const base = {
    accountId: a,
    account: 'alice',
    connId: 'c',
    peerIp: '192.0.2.9',
    peerPort: 5000,
    viaIp: '127.0.0.1',
    viaPort: 2222,
    targetUser: 'root',
    targetHost: 'srv1',
    targetIp: '10.0.0.5',
    targetPort: 22,
    pty: true,
    command: null,
    recording: 'r.cast',
  };
  store.sessions.start({ ...base, id: 's1', allowed: true, startedAt: 1000 });
  store.sessions.start({ ...base, id: 's2', allowed: false, startedAt: 2000, targetUser: 'admin', recording: null });
  store.sessions.start({ ...base, id: 's3', allowed: true, startedAt: 3000, targetPort: 2222, accountId: b, account: 'bob' });
  store.sessions.end('s1', { endedAt: 1500, exitStatus: 0, exitSignal: null, comment: null, bytesUp: 3, bytesDown: 4 });
  const ids = (f: Partial<Parameters<Store['sessions']['list']>[0]>): string[] => store.sessions.list({ accountId: a, limit: 100, ...f }).map((r) => r.id);
  assert.deepEqual(ids({}), ['s2', 's1']);
  assert.deepEqual(ids({ allowed: true }), ['s1']);
  assert.deepEqual(ids({ allowed: false }), ['s2']);
  assert.deepEqual(ids({ targetUser: 'admin' }), ['s2']);
  assert.deepEqual(ids({ targetIp: 'srv1' }), ['s2', 's1'], 'the name typed matches too');
  assert.deepEqual(ids({ afterMs: 1500 }), ['s2']);
  assert.deepEqual(ids({ beforeMs: 1500 }), ['s1']);
  assert.deepEqual(ids({ id: 's1' }), ['s1']);
  assert.deepEqual(ids({ id: 's3' }), [], "another account's session is not listed");
  assert.deepEqual(ids({ limit: 1 }), ['s2']);
  assert.deepEqual(ids({ fromIp: '192.0.2.9', viaIp: '127.0.0.1', viaPort: 2222, targetPort: 22 }), ['s2', 's1']);
  const s1 = store.sessions.byId('s1');
  assert.equal(s1?.ended_at, 1500);
  assert.equal(s1?.bytes_down, 4);
  // A deleted account's sessions stay, detached from it.
  store.accounts.remove(b);
  assert.equal(store.sessions.byId('s3')?.account_id, null);
  assert.equal(store.sessions.byId('s3')?.account, 'bob');
});

test('the lookups use their indexes', () => {
  const { store } = storeWithAccounts();
  const plan = (sql: string): string => (sqliteOf(store).prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
  // Either index holds all three columns (a WITHOUT ROWID table's index carries the key): a search, never a scan.
  assert.match(
    plan("SELECT * FROM egress_host_keys WHERE account_id = 1 AND host = 'x' AND port = 22"),
    /^SEARCH egress_host_keys USING (PRIMARY KEY|INDEX egress_host_keys_by_target) \(.*account_id=\?/,
  );
  assert.match(plan("SELECT DISTINCT account_id FROM egress_host_keys WHERE host = 'x' AND port = 22"), /egress_host_keys_by_target/);
  assert.match(plan('SELECT * FROM sessions WHERE account_id = 1 ORDER BY started_at DESC LIMIT 10'), /sessions_by_account/);
  assert.match(plan("SELECT * FROM sessions WHERE id = 'x'"), /sqlite_autoindex_sessions_1|PRIMARY KEY/);
});
