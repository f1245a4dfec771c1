// Access lists through the dispatcher, in-process (osh here is oshInProcess): group server lists
// (add, del, set from stdin), guest accesses, personal accesses, the listings and whoHasAccessTo,
// TTL expiry, the bastion-level --host/--user/--port checks, and the connection test against
// loopback targets started here (never anything else: non-loopback addresses only appear as data,
// always with --force).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brief, type Caller } from '../helpers/groups.js';
import { oshInProcess as osh } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addPersonalEgressKey, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
let admin: Caller;
let alice: Caller; // owner/aclkeeper/gatekeeper/member of web
let bob: Caller; // guest of web
let carol: Caller; // no role
let groupKeyLine: string;
let groupKeyFp: string;
const targets: Ssh2Target[] = [];

before(async () => {
  srv = await startTestServer();
  admin = srv.admin;
  alice = srv.addAccount('alice');
  bob = srv.addAccount('bob');
  carol = srv.addAccount('carol');
  const made = await osh(srv, admin, ['--osh', 'groupCreate', '--group', 'web', '--owner', 'alice', '--algo', 'ed25519']);
  assert.equal(made.env.error_code, 'OK', brief(made));
  groupKeyLine = made.env.value.public_key.line;
  groupKeyFp = made.env.value.public_key.fingerprint;
});
after(async () => {
  for (const t of targets) await t.close();
  await srv.close();
});

const NO_PROXY = { proxyIp: null, proxyPort: null, proxyUser: null };

test('groupAddServer: value shape, hostname= comment, duplicates, TTL, forced key and password, and its refusals', async () => {
  const add = (...args: string[]) => osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'web', ...args]);
  const a = await add('--host', '192.0.2.0/24', '--user-any', '--port-any', '--force');
  assert.equal(a.exit, 0, brief(a));
  assert.deepEqual(a.env.value, {
    action: 'add',
    group: 'web',
    ip: '192.0.2.0/24',
    user: null,
    port: null,
    forcePassword: null,
    forceKey: null,
    ttl: null,
    comment: null,
    ...NO_PROXY,
  });
  const b = await add('--host', '198.51.100.7/32', '--user', 'g1', '--port', '22', '--force', '--ttl', '0w8s0d');
  assert.deepEqual(b.env.value, {
    action: 'add',
    group: 'web',
    ip: '198.51.100.7',
    user: 'g1',
    port: 22,
    forcePassword: null,
    forceKey: null,
    ttl: 8,
    comment: 'hostname=198.51.100.7/32',
    ...NO_PROXY,
  });
  const c = await add('--host', '198.51.100.8', '--user', 'g2', '--port', '22', '--force', '--comment', '"this is a comment"');
  assert.equal(c.env.value.comment, 'this is a comment');
  const dup = await add('--host', '198.51.100.8', '--user', 'g2', '--port', '22', '--force');
  assert.equal(dup.env.error_code, 'OK_NO_CHANGE');
  assert.equal(dup.exit, 0);
  const fk = await add('--host', '198.51.100.9', '--user', 'ar@base', '--port-any', '--force', '--force-key', groupKeyFp);
  assert.equal(fk.env.value.forceKey, groupKeyFp);
  const fp = await add('--host', '2001:db8::/32', '--user-any', '--port', '2222', '--force', '--force-password', '$1$2$3456');
  assert.equal(fp.env.value.ip, '2001:db8::/32');
  assert.equal(fp.env.value.forcePassword, '$1$2$3456');
  const proto = await add('--host', '198.51.100.8', '--port', '22', '--protocol', 'sftp', '--force');
  assert.equal(proto.env.value.user, '!sftp');
  // A name is resolved once (here through /etc/hosts) and kept as the address, with a comment.
  const named = await add('--host', 'localhost', '--user', 'named', '--port', '22', '--force');
  assert.equal(named.env.value.ip, '127.0.0.1');
  assert.equal(named.env.value.comment, 'hostname=localhost');
  assert.equal((await osh(srv, alice, ['--osh', 'groupDelServer', '--group', 'web', '--host', 'localhost', '--user', 'named', '--port', '22'])).env.error_code, 'OK');

  const refusals: [string[], string][] = [
    [['--host', '192.0.2.5', '--user-any', '--port-any', '--force', '--force-password', '$1$2$3456', '--force-key', groupKeyFp], 'ERR_INCOMPATIBLE_PARAMETERS'],
    [['--host', '192.0.2.5', '--user', 'x', '--user-any', '--port-any', '--force'], 'ERR_INCOMPATIBLE_PARAMETERS'],
    [['--host', '192.0.2.5', '--port-any', '--force'], 'ERR_MISSING_PARAMETER'],
    [['--host', '192.0.2.5', '--user-any', '--force'], 'ERR_MISSING_PARAMETER'],
    [['--user-any', '--port-any', '--force'], 'ERR_MISSING_PARAMETER'],
    [['--host', '192.0.2.5', '--user-any', '--port-any', '--force', '--protocol', 'telnet'], 'ERR_INVALID_PARAMETER'],
    [['--host', '192.0.2.5', '--user', 'root', '--port-any', '--force', '--protocol', 'sftp'], 'ERR_INCOMPATIBLE_PARAMETERS'],
    [['--host', '192.0.2.5', '--user-any', '--port-any', '--force', '--ttl', 'soon'], 'KO_INVALID_PARAMETER'],
    [['--host', '192.0.2.5', '--user-any', '--port-any', '--force', '--force-key', 'SHA256:nope'], 'ERR_INVALID_PARAMETER'],
    [['--host', '192.0.2.5', '--user-any', '--port-any', '--force-key', 'SHA256:' + 'a'.repeat(43)], 'KO_NO_MATCHING_KEY'],
  ];
  for (const [args, code] of refusals) {
    const r = await add(...args);
    assert.equal(r.env.error_code, code, `${args.join(' ')}: ${brief(r)}`);
    assert.equal(r.exit, 100);
  }
  const noGroup = await osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'nope', '--host', '192.0.2.5', '--user-any', '--port-any', '--force']);
  assert.equal(noGroup.env.error_code, 'KO_GROUP_NOT_FOUND');
  const rows = srv.gh.store.acl.list({ kind: 'group', groupId: srv.gh.store.groups.byName('web')?.id ?? -1 }, Math.floor(Date.now() / 1000));
  assert.equal(rows.length, 6);
  const ttlRow = rows.find((r) => r.ip === '198.51.100.7');
  assert.ok(ttlRow?.expires_at && ttlRow.expires_at - ttlRow.added_at === 8);
});

test('the bastion-level --host/--user/--port are checked before the plugin, as osh.pl does', async () => {
  const cases: [string[], string, number][] = [
    [['--host', '77.66.55.0/23'], 'KO_INVALID_REMOTE_HOST', 128],
    [['--host', '10.0.0.1/8'], 'KO_INVALID_REMOTE_HOST', 128],
    [['--host', 'bad$host'], 'KO_INVALID_REMOTE_HOST', 128],
    [['--host', '1.2.3.4', '--user', 'in{}valid'], 'KO_INVALID_REMOTE_USER', 127],
    [['--host', '1.2.3.4', '--port', '77777'], 'KO_INVALID_PORT', 134],
    [['--host', '300.1.1.1'], 'KO_HOST_NOT_FOUND', 102],
  ];
  for (const [args, code, exit] of cases) {
    // carol may not even run groupAddServer: these refusals come first anyway.
    const r = await osh(srv, carol, ['--osh', 'groupAddServer', '--group', 'web', '--user-any', '--port-any', '--force', ...args]);
    assert.equal(r.env.error_code, code, `${args.join(' ')}: ${brief(r)}`);
    assert.equal(r.exit, exit);
    assert.equal(r.env.command, null);
  }
});

test('groupListServers: entries as The Bastion lists them; access for members, aclkeepers, auditors; TTL expiry hides lines', async () => {
  const l = await osh(srv, alice, ['--osh', 'groupListServers', '--group', 'web']);
  assert.equal(l.exit, 0, brief(l));
  const first = l.env.value[0];
  assert.deepEqual(Object.keys(first).sort(), [
    'addedBy',
    'addedDate',
    'comment',
    'expiry',
    'forceKey',
    'forcePassword',
    'ip',
    'port',
    'proxyIp',
    'proxyPort',
    'proxyUser',
    'reverseDns',
    'user',
    'userComment',
  ]);
  const g1 = l.env.value.find((e: { ip: string }) => e.ip === '198.51.100.7');
  assert.equal(g1.port, '22', 'ports are strings in listings');
  assert.equal(g1.user, 'g1');
  assert.equal(g1.addedBy, 'alice');
  assert.match(g1.addedDate, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(typeof g1.expiry, 'number');
  assert.equal(g1.userComment, 'hostname=198.51.100.7/32');
  assert.equal(g1.reverseDns, null);
  const filtered = await osh(srv, alice, ['--osh', 'groupListServers', '--group', 'web', '--include', '198.51.100.*', '--exclude', '*.9']);
  assert.deepEqual(
    filtered.env.value.map((e: { ip: string }) => e.ip),
    ['198.51.100.7', '198.51.100.8', '198.51.100.8'],
  );
  assert.match(filtered.stdout, /3 accesses listed/);
  const denied = await osh(srv, carol, ['--osh', 'groupListServers', '--group', 'web']);
  assert.equal(denied.env.error_code, 'KO_ACCESS_DENIED');
  assert.equal(denied.exit, 100);
  assert.equal((await osh(srv, admin, ['--osh', 'groupListServers', '--group', 'web'])).env.error_code, 'OK', 'admins are auditors');

  // Expire the TTL line (stored state moved to the past): it stops being listed.
  sqliteOf(srv.gh.store)
    .prepare("UPDATE acl_entries SET expires_at = ? WHERE ip = '198.51.100.7'")
    .run(Math.floor(Date.now() / 1000) - 10);
  const after = await osh(srv, alice, ['--osh', 'groupListServers', '--group', 'web']);
  assert.ok(!after.env.value.some((e: { ip: string }) => e.ip === '198.51.100.7'));
  const who = await osh(srv, admin, ['--osh', 'whoHasAccessTo', '--host', '198.51.100.7', '--user', 'g1']);
  assert.deepEqual(who.env.value, {}, 'an expired line grants nothing');
});

test('groupDelServer: exact line only, value shape, OK_NO_CHANGE', async () => {
  const del = (...args: string[]) => osh(srv, alice, ['--osh', 'groupDelServer', '--group', 'web', ...args]);
  const wider = await del('--host', '198.51.100.0/24', '--user', 'g2', '--port', '22');
  assert.equal(wider.env.error_code, 'OK_NO_CHANGE');
  const ok = await del('--host', '198.51.100.8', '--port', '22', '--protocol', 'sftp');
  assert.deepEqual(ok.env.value, {
    action: 'del',
    group: 'web',
    ip: '198.51.100.8',
    user: '!sftp',
    port: 22,
    forcePassword: null,
    forceKey: null,
    ttl: null,
    comment: null,
    ...NO_PROXY,
  });
  const again = await del('--host', '198.51.100.8', '--port', '22', '--protocol', 'sftp');
  assert.equal(again.env.error_code, 'OK_NO_CHANGE');
});

test('guests: only servers the group has, never members, TTL policy, remaining accesses on removal', async () => {
  const addGuest = (who: Caller, ...args: string[]) => osh(srv, who, ['--osh', 'groupAddGuestAccess', '--group', 'web', ...args]);
  const delGuest = (...args: string[]) => osh(srv, alice, ['--osh', 'groupDelGuestAccess', '--group', 'web', ...args]);
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '203.0.113.1', '--user', 'u', '--port', '22')).env.error_code, 'ERR_GROUP_HAS_NO_ACCESS');
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '198.51.100.8', '--user', 'g9', '--port', '22')).env.error_code, 'ERR_GROUP_HAS_NO_ACCESS');
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port', '222')).env.error_code, 'ERR_GROUP_HAS_NO_ACCESS');
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port-any')).env.error_code, 'ERR_GROUP_HAS_NO_ACCESS');
  assert.equal((await addGuest(alice, '--account', 'alice', '--host', '198.51.100.8', '--user', 'g2', '--port', '22')).env.error_code, 'ERR_MEMBER_CANNOT_BE_GUEST');
  const ok = await addGuest(alice, '--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port', '22');
  assert.equal(ok.env.error_code, 'OK', brief(ok));
  assert.equal(ok.env.value, null);
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port', '22')).env.error_code, 'OK_NO_CHANGE');
  const sub = await addGuest(alice, '--account', 'bob', '--host', '192.0.2.66', '--user-any', '--port-any');
  assert.equal(sub.env.error_code, 'OK', 'a single address inside a group block');

  const list = await osh(srv, alice, ['--osh', 'groupListGuestAccesses', '--group', 'web', '--account', 'bob']);
  assert.deepEqual(
    list.env.value.map((e: { ip: string }) => e.ip),
    ['198.51.100.8', '192.0.2.66'],
  );
  assert.equal(list.env.value[0].userComment, 'this is a comment', "a guest line takes the comment of the group's line");
  const none = await osh(srv, alice, ['--osh', 'groupListGuestAccesses', '--group', 'web', '--account', 'carol']);
  assert.equal(none.env.error_code, 'OK_EMPTY');
  const info = await osh(srv, alice, ['--osh', 'groupInfo', '--group', 'web']);
  assert.deepEqual(info.env.value.guests, ['bob']);
  assert.deepEqual(info.env.value.guests_accesses, { bob: 2 });

  const bobList = await osh(srv, bob, ['--osh', 'selfListAccesses']);
  assert.deepEqual(
    bobList.env.value.map((c: { type: string; group?: string }) => [c.type, c.group]),
    [['group-guest', 'web']],
  );

  // Guest TTL policy of the group.
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', 'web', '--guest-ttl-limit', '15s'])).env.error_code, 'OK');
  assert.equal((await addGuest(alice, '--account', 'carol', '--host', '192.0.2.10', '--user-any', '--port-any')).env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal((await addGuest(alice, '--account', 'carol', '--host', '192.0.2.10', '--user-any', '--port-any', '--ttl', '14d')).env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal((await addGuest(alice, '--account', 'carol', '--host', '192.0.2.10', '--user-any', '--port-any', '--ttl', '10s')).env.error_code, 'OK');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', 'web', '--guest-ttl-limit', '0'])).env.error_code, 'OK');
  assert.equal((await delGuest('--account', 'carol', '--host', '192.0.2.10', '--user-any', '--port-any')).env.error_code, 'OK');

  const del1 = await delGuest('--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port', '22');
  assert.equal(del1.env.error_code, 'OK');
  assert.deepEqual(
    del1.env.value.map((e: { ip: string }) => e.ip),
    ['192.0.2.66'],
    'the accesses that remain',
  );
  assert.equal((await delGuest('--account', 'bob', '--host', '198.51.100.8', '--user', 'g2', '--port', '22')).env.error_code, 'OK_NO_CHANGE');
  const del2 = await delGuest('--account', 'bob', '--host', '192.0.2.66', '--user-any', '--port-any');
  assert.equal(del2.env.error_code, 'OK');
  assert.equal(del2.env.value, null, 'none left: no longer a guest');
  const g = srv.gh.store.groups.byName('web');
  const bobRow = srv.gh.store.accounts.byName('bob');
  assert.ok(g && bobRow);
  assert.equal(srv.gh.store.groups.hasRole(g.id, bobRow.id, 'guest'), false);

  // Becoming a member removes guest accesses.
  assert.equal((await addGuest(alice, '--account', 'bob', '--host', '192.0.2.66', '--user-any', '--port-any')).env.error_code, 'OK');
  assert.equal((await osh(srv, alice, ['--osh', 'groupAddMember', '--group', 'web', '--account', 'bob'])).env.error_code, 'OK');
  assert.equal(srv.gh.store.acl.list({ kind: 'guest', accountId: bobRow.id, groupId: g.id }, Math.floor(Date.now() / 1000)).length, 0);
  assert.equal((await osh(srv, alice, ['--osh', 'groupDelMember', '--group', 'web', '--account', 'bob'])).env.error_code, 'OK');
});

test('personal accesses: account* and self* plugins, value shape, OK_NO_CHANGE, listings', async () => {
  assert.equal((await osh(srv, admin, ['--osh', 'accountGrantCommand', '--account', 'carol', '--command', 'selfAddPersonalAccess'])).env.error_code, 'OK');
  assert.equal((await osh(srv, admin, ['--osh', 'accountGrantCommand', '--account', 'carol', '--command', 'selfDelPersonalAccess'])).env.error_code, 'OK');
  const add = await osh(srv, admin, ['--osh', 'accountAddPersonalAccess', '--account', 'carol', '--host', '203.0.113.4/32', '--user-any', '--port-any']);
  assert.deepEqual(add.env.value, { action: 'add', account: 'carol', ip: '203.0.113.4', user: null, port: null, ttl: null, comment: 'hostname=203.0.113.4/32', ...NO_PROXY });
  assert.equal(
    (await osh(srv, admin, ['--osh', 'accountAddPersonalAccess', '--account', 'carol', '--host', '203.0.113.4', '--user-any', '--port-any'])).env.error_code,
    'OK_NO_CHANGE',
  );
  assert.equal(
    (await osh(srv, admin, ['--osh', 'accountAddPersonalAccess', '--account', 'nobody', '--host', '203.0.113.4', '--user-any', '--port-any'])).env.error_code,
    'KO_NOT_FOUND',
  );
  assert.equal((await osh(srv, admin, ['--osh', 'accountAddPersonalAccess', '--host', '203.0.113.4', '--user-any', '--port-any'])).env.error_code, 'ERR_MISSING_PARAMETER');
  const self = await osh(srv, carol, ['--osh', 'selfAddPersonalAccess', '--host', '203.0.113.0/28', '--user', 'carol', '--port', '22', '--force']);
  assert.equal(self.env.error_code, 'OK', brief(self));
  assert.equal(self.env.value.account, 'carol');
  assert.equal(self.env.value.port, 22);

  const mine = await osh(srv, carol, ['--osh', 'selfListAccesses']);
  assert.equal(mine.env.value.length, 1);
  assert.equal(mine.env.value[0].type, 'personal');
  assert.deepEqual(
    mine.env.value[0].acl.map((e: { ip: string }) => e.ip),
    ['203.0.113.4', '203.0.113.0/28'],
  );
  const theirs = await osh(srv, admin, ['--osh', 'accountListAccesses', '--account', 'alice']);
  assert.deepEqual(
    theirs.env.value.map((c: { type: string; group?: string }) => [c.type, c.group]),
    [['group-member', 'web']],
  );
  const hidden = await osh(srv, admin, ['--osh', 'accountListAccesses', '--account', 'alice', '--hide-groups']);
  assert.deepEqual(hidden.env.value, []);

  const who = await osh(srv, admin, ['--osh', 'whoHasAccessTo', '--host', '203.0.113.4']);
  assert.deepEqual(who.env.value, { carol: { personal_access: 1, group_access: [] } });
  const whoGroup = await osh(srv, admin, ['--osh', 'whoHasAccessTo', '--host', '192.0.2.1']);
  assert.deepEqual(whoGroup.env.value, { alice: { personal_access: 0, group_access: ['web(group-member)'] } });
  assert.equal((await osh(srv, admin, ['--osh', 'whoHasAccessTo'])).env.error_code, 'ERR_MISSING_PARAMETER');
  assert.deepEqual((await osh(srv, admin, ['--osh', 'whoHasAccessTo', '--host', '10.100.100.100'])).env.value, {});

  const del = await osh(srv, carol, ['--osh', 'selfDelPersonalAccess', '--host', '203.0.113.0/28', '--user', 'carol', '--port', '22']);
  assert.equal(del.env.value.action, 'del');
  assert.equal((await osh(srv, carol, ['--osh', 'selfDelPersonalAccess', '--host', '203.0.113.0/28', '--user', 'carol', '--port', '22'])).env.error_code, 'OK_NO_CHANGE');
  const adel = await osh(srv, admin, ['--osh', 'accountDelPersonalAccess', '--account', 'carol', '--host', '203.0.113.4', '--user-any', '--port-any']);
  assert.deepEqual(adel.env.value, { action: 'del', account: 'carol', ip: '203.0.113.4', user: null, port: null, ttl: null, comment: null, ...NO_PROXY });
  assert.equal((await osh(srv, carol, ['--osh', 'selfListAccesses'])).env.error_code, 'OK_EMPTY');
});

test('groupSetServers: dry run, errors, --skip-errors, JSON input, replaced in one go', async () => {
  const set = (args: string[], stdin: string) => osh(srv, alice, ['--osh', 'groupSetServers', '--group', 'web', ...args], { stdin });
  const dry = await set(['--dry-run'], 'user@127.0.0.1:1234 comment with spaces\nlocalhost\n0.0.0.0/4:42\n');
  assert.equal(dry.env.error_code, 'OK', brief(dry));
  assert.deepEqual(dry.env.value, {
    parsedLines: '3',
    errors: [],
    dryrun: true,
    ACL: [
      { ip: '127.0.0.1', port: '1234', user: 'user', comment: 'comment with spaces' },
      { ip: '127.0.0.1', port: null, user: null, comment: null },
      { ip: '0.0.0.0/4', port: '42', user: null, comment: null },
    ],
  });
  const before = srv.gh.store.acl.list({ kind: 'group', groupId: srv.gh.store.groups.byName('web')?.id ?? -1 }, Math.floor(Date.now() / 1000)).length;
  const bad = await set(['--dry-run'], 'inva{}lid@127.0.0.1\n0.0.0.0:77777\n203.0.113.4/4:42\n');
  assert.equal(bad.env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal(bad.env.value.parsedLines, '3');
  assert.equal(bad.env.value.errors.length, 3);
  assert.equal(bad.env.value.dryrun, true);
  const wrong = await set([], 'g1@127.0.0.1:22\nbadport:99999\n');
  assert.equal(wrong.env.error_code, 'ERR_INVALID_PARAMETER', 'without --skip-errors nothing is changed');
  assert.equal(srv.gh.store.acl.list({ kind: 'group', groupId: srv.gh.store.groups.byName('web')?.id ?? -1 }, Math.floor(Date.now() / 1000)).length, before);
  const skip = await set(['--skip-errors'], 'g1@127.0.0.1:22\nbadport:99999\ng2@127.0.0.2:22\n192.0.2.0/24 the lab\n');
  assert.equal(skip.env.error_code, 'OK', brief(skip));
  assert.equal(skip.env.value.group, 'web');
  assert.equal(skip.env.value.dryrun, false);
  assert.deepEqual(skip.env.value.errors, ["In line 2 (badport:99999), port '99999' is invalid"]);
  const listed = await osh(srv, alice, ['--osh', 'groupListServers', '--group', 'web']);
  assert.deepEqual(
    listed.env.value.map((e: { ip: string; user: string | null }) => `${e.user}@${e.ip}`),
    ['g1@127.0.0.1', 'g2@127.0.0.2', 'null@192.0.2.0/24'],
  );
  const json = await set([], JSON.stringify([{ host: '192.0.2.21', user: 'root', port: 22, comment: 'db' }, { host: '192.0.2.0/25' }]));
  assert.equal(json.env.error_code, 'OK', brief(json));
  assert.deepEqual(json.env.value.ACL, [
    { ip: '192.0.2.21', port: '22', user: 'root', comment: 'db' },
    { ip: '192.0.2.0/25', port: null, user: null, comment: null },
  ]);
  assert.equal((await set([], '')).env.error_code, 'OK_NO_CHANGE');
  assert.equal((await osh(srv, bob, ['--osh', 'groupSetServers', '--group', 'web'], { stdin: '' })).exit, 106);
});

test('the connection test: the group key must log in to a loopback target, unless --force', async () => {
  const t = await startSsh2Target('127.0.0.2', [groupKeyLine]);
  targets.push(t);
  const add = (...args: string[]) => osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'web', '--host', t.host, ...args]);
  const ok = await add('--user', 'deploy', '--port', String(t.port));
  assert.equal(ok.env.error_code, 'OK', brief(ok));
  assert.deepEqual(t.logins.at(-1), { user: 'deploy', fingerprint: groupKeyFp });
  const forced = await add('--user', 'other', '--port', String(t.port), '--force-key', groupKeyFp);
  assert.equal(forced.env.error_code, 'OK', brief(forced));
  const stranger = await startSsh2Target('127.0.0.3', []);
  targets.push(stranger);
  const denied = await osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'web', '--host', stranger.host, '--user', 'deploy', '--port', String(stranger.port)]);
  assert.equal(denied.env.error_code, 'ERR_CONNECTION_FAILED');
  assert.match(denied.env.error_message, /authorized_keys/);
  await stranger.close();
  const refused = await osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'web', '--host', stranger.host, '--user', 'deploy', '--port', String(stranger.port)]);
  assert.equal(refused.env.error_code, 'ERR_CONNECTION_FAILED');
  const blind = await osh(srv, alice, ['--osh', 'groupAddServer', '--group', 'web', '--host', stranger.host, '--user', 'deploy', '--port', String(stranger.port), '--force']);
  assert.equal(blind.env.error_code, 'OK');
  const pattern = await add('--user', 'web-*', '--port', String(t.port));
  assert.equal(pattern.env.error_code, 'OK', 'a user pattern is not tested');

  // selfAddPersonalAccess tests with the caller's personal keys.
  const carolRow = srv.gh.store.accounts.byName('carol');
  assert.ok(carolRow);
  const personal = addPersonalEgressKey(srv.gh.store, srv.gh.dataDir, carolRow.id);
  const mine = await startSsh2Target('127.0.0.4', [personal.publicLine]);
  targets.push(mine);
  const selfOk = await osh(srv, carol, ['--osh', 'selfAddPersonalAccess', '--host', mine.host, '--user', 'carol', '--port', String(mine.port)]);
  assert.equal(selfOk.env.error_code, 'OK', brief(selfOk));
  assert.deepEqual(mine.logins.at(-1), { user: 'carol', fingerprint: personal.fingerprint });
  const selfBad = await osh(srv, carol, ['--osh', 'selfAddPersonalAccess', '--host', t.host, '--user', 'carol', '--port', String(t.port)]);
  assert.equal(selfBad.env.error_code, 'ERR_CONNECTION_FAILED');
});
