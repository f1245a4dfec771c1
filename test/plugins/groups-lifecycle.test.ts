// Groups from creation to deletion, through the dispatcher in-process (osh here is oshInProcess):
// groupCreate's checks and value, groupInfo (what non-members may see), groupList, role changes,
// groupModify, group egress keys, ownership transfer, groupDelete/groupDestroy with their
// confirmation, and the stored rows behind them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brief, type Caller } from '../helpers/groups.js';
import { oshInProcess as osh } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
let admin: Caller;
let alice: Caller;
let bob: Caller;
let carol: Caller;

before(async () => {
  srv = await startTestServer();
  admin = srv.admin;
  alice = srv.addAccount('alice');
  bob = srv.addAccount('bob');
  carol = srv.addAccount('carol');
});
after(async () => {
  await srv.close();
});

const groupRow = (name: string): { id: number } | undefined => srv.gh.store.groups.byName(name);
const rolesOf = (group: string, account: string): string[] => {
  const g = groupRow(group);
  const a = srv.gh.store.accounts.byName(account);
  if (!g || !a) return [];
  return srv.gh.store.groups
    .rolesOfAccount(a.id)
    .filter((r) => r.group_id === g.id)
    .map((r) => r.role)
    .sort();
};

test('groupCreate refuses bad requests with The Bastion codes', async () => {
  const cases: [string[], string][] = [
    [['--group', 'g1'], 'ERR_MISSING_PARAMETER'],
    [['--owner', 'alice', '--no-key'], 'ERR_MISSING_PARAMETER'],
    [['--group', 'g1', '--owner', 'alice'], 'ERR_MISSING_PARAMETER'],
    [['--group', 'g1', '--owner', 'alice', '--algo', 'rsa'], 'ERR_MISSING_PARAMETER'],
    [['--group', 'key', '--owner', 'alice', '--no-key'], 'ERR_INVALID_PARAMETER'],
    [['--group', 'keytothegate', '--owner', 'alice', '--no-key'], 'ERR_INVALID_PARAMETER'],
    [['--group', 'invalid', '--owner', 'alice', '--no-key', '--algo', 'ed25519'], 'ERR_INVALID_PARAMETER'],
    [['--group', 'g1', '--owner', 'alice', '--algo', 'rsa', '--size', '1024'], 'KO_KEY_SIZE_TOO_SMALL'],
    [['--group', 'g1', '--owner', 'alice', '--algo', 'ecdsa', '--size', '200'], 'KO_KEY_SIZE_INVALID'],
    [['--group', 'g1', '--owner', 'alice', '--algo', 'dsa', '--size', '1024'], 'KO_NOT_SUPPORTED'],
    [['--group', 'root', '--owner', 'alice', '--no-key'], 'KO_FORBIDDEN_NAME'],
    [['--group', 'self-owner', '--owner', 'alice', '--no-key'], 'KO_FORBIDDEN_SUFFIX'],
    [['--group', 'a-gatekeeper', '--owner', 'alice', '--no-key'], 'KO_FORBIDDEN_SUFFIX'],
    [['--group', 'bad/name', '--owner', 'alice', '--no-key'], 'KO_FORBIDDEN_NAME'],
    [['--group', 'a234567890123456789', '--owner', 'alice', '--no-key'], 'KO_NAME_TOO_LONG'],
    [['--group', 'g1', '--owner', 'nobody', '--no-key'], 'KO_NOT_FOUND'],
    [['--group', 'g1', '--owner', 'alice', '--no-key', '--encrypted'], 'ERR_INVALID_PARAMETER'],
    [['--group', 'g1', '--owner', 'alice', '--algo', 'ed25519', '--encrypted'], 'ERR_NOT_IMPLEMENTED'],
  ];
  for (const [args, code] of cases) {
    const a = await osh(srv, admin, ['--osh', 'groupCreate', ...args]);
    assert.equal(a.env.error_code, code, `${args.join(' ')}: ${brief(a)}`);
    assert.equal(a.exit, 100);
    assert.equal(a.env.command, 'groupCreate');
  }
  assert.equal(srv.gh.store.groups.count(), 0, 'nothing was created');
});

test('groupCreate makes the owner owner, gatekeeper, aclkeeper and member, with a first key', async () => {
  const a = await osh(srv, admin, ['--osh', 'groupCreate', '--group', 'te.st_Group1-', '--owner', 'alice', '--algo', 'ed25519']);
  assert.equal(a.exit, 0, brief(a));
  assert.equal(a.env.value.group, 'te.st_Group1-');
  assert.equal(a.env.value.owner, 'alice');
  const k = a.env.value.public_key;
  assert.equal(k.typecode, 'ssh-ed25519');
  assert.equal(k.family, 'ED25519');
  assert.equal(k.size, 256);
  assert.match(k.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.match(k.id, /^id[0-9a-f]{8}$/);
  assert.match(k.comment, /^te\.st_Group1-@testbastion:\d+$/);
  assert.equal(k.line, `ssh-ed25519 ${k.base64} ${k.comment}`);
  assert.match(k.prefix, /^from="/);
  assert.deepEqual(k.fromList, []);
  assert.match(k.filename, /^id_ed25519_te\.st_Group1-\.\d+$/);
  assert.equal(typeof k.mtime, 'number');
  assert.doesNotMatch(a.stdout, /PRIVATE KEY/);
  assert.deepEqual(rolesOf('te.st_Group1-', 'alice'), ['aclkeeper', 'gatekeeper', 'member', 'owner']);
  assert.deepEqual(rolesOf('te.st_Group1-', 'admin'), [], 'the creator gets no role of its own');
  const keys = srv.gh.store.groups.sealedKeys(groupRow('te.st_Group1-')?.id ?? -1);
  assert.equal(keys.length, 1);
  assert.doesNotMatch(keys[0]?.private_sealed.toString('latin1') ?? '', /PRIVATE KEY/, 'the private key is sealed at rest');

  const dup = await osh(srv, admin, ['--osh', 'groupCreate', '--group', 'te.st_Group1-', '--owner', 'bob', '--no-key']);
  assert.equal(dup.env.error_code, 'KO_ALREADY_EXISTING');
  const rsa = await osh(srv, admin, ['--osh', 'groupCreate', '--group', 'lab', '--owner', 'admin', '--no-key']);
  assert.equal(rsa.env.error_code, 'OK');
  assert.deepEqual(rsa.env.value, { group: 'lab', owner: 'admin' });
  const info = await osh(srv, admin, ['--osh', 'info']);
  assert.equal(info.env.value.registered_groups, 2);
  const acc = await osh(srv, admin, ['--osh', 'accountInfo', '--account', 'alice', '--with-groups']);
  assert.deepEqual(acc.env.value.groups, { 'te.st_Group1-': { name: 'te.st_Group1-', flags: ['owner', 'gatekeeper', 'aclkeeper', 'member'] } });
  const accNo = await osh(srv, admin, ['--osh', 'accountInfo', '--account', 'alice']);
  assert.deepEqual(accNo.env.value.groups, {}, 'only with --with-groups, as in The Bastion');
});

test('groupInfo: anyone sees owners, gatekeepers and keys; members and up see the rest', async () => {
  const full = await osh(srv, alice, ['--osh', 'groupInfo', '--group', 'te.st_Group1-']);
  assert.equal(full.exit, 0, brief(full));
  assert.deepEqual(full.env.value.owners, ['alice']);
  assert.deepEqual(full.env.value.gatekeepers, ['alice']);
  assert.deepEqual(full.env.value.aclkeepers, ['alice']);
  assert.deepEqual(full.env.value.members, ['alice']);
  assert.deepEqual(full.env.value.guests, []);
  assert.deepEqual(full.env.value.guests_accesses, {});
  assert.deepEqual(full.env.value.inactive, []);
  assert.equal(Object.keys(full.env.value.keys).length, 1);
  const outsider = await osh(srv, carol, ['--osh', 'groupInfo', '--group', 'te.st_Group1-']);
  assert.equal(outsider.exit, 0);
  assert.deepEqual(Object.keys(outsider.env.value).sort(), ['gatekeepers', 'group', 'keys', 'owners']);
  const noKeys = await osh(srv, carol, ['--osh', 'groupInfo', '--group', 'keyte.st_Group1-', '--without-keys']);
  assert.equal(noKeys.env.value.group, 'te.st_Group1-', '"keyNAME" names the group NAME, as in The Bastion');
  assert.equal(noKeys.env.value.keys, undefined);
  const all = await osh(srv, carol, ['--osh', 'groupInfo', '--all']);
  assert.equal(all.env.error_code, 'ERR_ACCESS_DENIED');
  assert.equal(all.exit, 100);
  const allAdmin = await osh(srv, admin, ['--osh', 'groupInfo', '--all']);
  assert.deepEqual(Object.keys(allAdmin.env.value).sort(), ['lab', 'te.st_Group1-']);
  const missing = await osh(srv, carol, ['--osh', 'groupInfo']);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
  const unknown = await osh(srv, carol, ['--osh', 'groupInfo', '--group', 'nope']);
  assert.equal(unknown.env.error_code, 'KO_GROUP_NOT_FOUND');
});

test('role changes: OK, then OK_NO_CHANGE; owners manage owner/gatekeeper/aclkeeper, gatekeepers members', async () => {
  const g = 'te.st_Group1-';
  const steps: [Caller, string, string, string][] = [
    [alice, 'groupDelOwner', 'bob', 'OK_NO_CHANGE'],
    [alice, 'groupAddOwner', 'bob', 'OK'],
    [alice, 'groupAddOwner', 'bob', 'OK_NO_CHANGE'],
    [bob, 'groupAddGatekeeper', 'bob', 'OK'],
    [bob, 'groupAddAclkeeper', 'bob', 'OK'],
    [bob, 'groupAddMember', 'carol', 'OK'],
    [bob, 'groupAddMember', 'carol', 'OK_NO_CHANGE'],
    [bob, 'groupDelMember', 'carol', 'OK'],
    [bob, 'groupDelMember', 'carol', 'OK_NO_CHANGE'],
    [alice, 'groupDelGatekeeper', 'bob', 'OK'],
    [alice, 'groupDelAclkeeper', 'bob', 'OK'],
    [alice, 'groupAddMember', 'nobody', 'KO_NOT_FOUND'],
    [alice, 'groupAddMember', 'bad!name', 'KO_FORBIDDEN_CHARS'],
  ];
  for (const [who, plugin, account, code] of steps) {
    const a = await osh(srv, who, ['--osh', plugin, '--group', g, '--account', account]);
    assert.equal(a.env.error_code, code, `${who.name} ${plugin} ${account}: ${brief(a)}`);
    assert.equal(a.env.value, null);
  }
  assert.deepEqual(rolesOf(g, 'bob'), ['owner']);
  const missing = await osh(srv, alice, ['--osh', 'groupAddMember', '--group', g]);
  assert.equal(missing.env.error_code, 'ERR_MISSING_PARAMETER');
  const noGroup = await osh(srv, alice, ['--osh', 'groupAddMember', '--group', 'nope', '--account', 'carol']);
  assert.equal(noGroup.env.error_code, 'KO_GROUP_NOT_FOUND');
});

test('groupList: my groups with flags, --all with no-access, patterns, OK_EMPTY', async () => {
  const mine = await osh(srv, alice, ['--osh', 'groupList']);
  assert.deepEqual(mine.env.value, { 'te.st_Group1-': { flags: ['owner', 'gatekeeper', 'aclkeeper', 'member'] } });
  const none = await osh(srv, carol, ['--osh', 'groupList']);
  assert.equal(none.env.error_code, 'OK_EMPTY');
  assert.equal(none.env.value, null);
  assert.equal(none.exit, 0);
  const all = await osh(srv, carol, ['--osh', 'groupList', '--all']);
  assert.deepEqual(all.env.value, { lab: { flags: ['no-access'] }, 'te.st_Group1-': { flags: ['no-access'] } });
  const inc = await osh(srv, carol, ['--osh', 'groupList', '--all', '--include', 'te.st*']);
  assert.deepEqual(Object.keys(inc.env.value), ['te.st_Group1-']);
  const exc = await osh(srv, carol, ['--osh', 'groupList', '--all', '--include', 'a', '--exclude', 'te']);
  assert.deepEqual(Object.keys(exc.env.value), ['lab']);
});

test('groupModify: guest TTL limit and idle timeouts are stored and shown; MFA only none', async () => {
  const g = 'te.st_Group1-';
  const set = await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--guest-ttl-limit', '15s', '--idle-kill-timeout', '1h']);
  assert.equal(set.exit, 0, brief(set));
  assert.deepEqual(set.env.value, {
    guest_ttl_limit: { value: null, error_code: 'OK', error_message: 'OK' },
    idle_kill_timeout: { value: null, error_code: 'OK', error_message: 'OK' },
  });
  const info = await osh(srv, alice, ['--osh', 'groupInfo', '--group', g]);
  assert.equal(info.env.value.guest_ttl_limit, '15');
  assert.equal(info.env.value.idle_kill_timeout, '3600');
  const unset = await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--guest-ttl-limit', '0', '--idle-kill-timeout', '-1']);
  assert.equal(unset.env.error_code, 'OK');
  const info2 = await osh(srv, alice, ['--osh', 'groupInfo', '--group', g]);
  assert.equal(info2.env.value.guest_ttl_limit, undefined);
  assert.equal(info2.env.value.idle_kill_timeout, undefined);
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g])).env.error_code, 'ERR_MISSING_PARAMETER');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--guest-ttl-limit', '-1'])).env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--guest-ttl-limit', 'soon'])).env.error_code, 'KO_INVALID_PARAMETER');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--mfa-required', 'totp'])).env.error_code, 'ERR_NOT_IMPLEMENTED');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--mfa-required', 'maybe'])).env.error_code, 'ERR_INVALID_PARAMETER');
  assert.equal((await osh(srv, alice, ['--osh', 'groupModify', '--group', g, '--mfa-required', 'none'])).env.error_code, 'OK');
});

test('group egress keys: generate (owner only), list in groupInfo, delete by id', async () => {
  const g = 'te.st_Group1-';
  const help = await osh(srv, alice, ['--osh', 'groupGenerateEgressKey']);
  assert.equal(help.env.error_code, 'ERR_MISSING_PARAMETER');
  const made = await osh(srv, alice, ['--osh', 'groupGenerateEgressKey', '--group', g, '--algo', 'ecdsa', '--size', '256']);
  assert.equal(made.exit, 0, brief(made));
  assert.equal(made.env.value.typecode, 'ecdsa-sha2-nistp256');
  assert.equal(made.env.value.family, 'ECDSA');
  // The key alone, as The Bastion answers; groupInfo shows its file name.
  assert.equal('filename' in made.env.value, false);
  const info = await osh(srv, carol, ['--osh', 'groupInfo', '--group', g]);
  assert.match(info.env.value.keys[made.env.value.fingerprint].filename, /^id_ecdsa256_te\.st_Group1-\.\d+$/);
  assert.equal(Object.keys(info.env.value.keys).length, 2);
  assert.ok(info.env.value.keys[made.env.value.fingerprint]);
  const bad = await osh(srv, alice, ['--osh', 'groupDelEgressKey', '--group', g, '--id', 'id00000000']);
  assert.equal(bad.env.error_code, 'ERR_INVALID_PARAMETER');
  const del = await osh(srv, alice, ['--osh', 'groupDelEgressKey', '--group', g, '--id', made.env.value.id]);
  assert.equal(del.env.error_code, 'OK', brief(del));
  assert.equal(del.env.value.fingerprint, made.env.value.fingerprint);
  assert.equal(srv.gh.store.groups.keys(groupRow(g)?.id ?? -1).length, 1);
});

test('groupTransmitOwnership: to oneself is a no-op; otherwise both changes at once', async () => {
  const g = 'te.st_Group1-';
  const self = await osh(srv, alice, ['--osh', 'groupTransmitOwnership', '--group', g, '--account', 'alice']);
  assert.equal(self.env.error_code, 'OK_NO_CHANGE');
  const none = await osh(srv, alice, ['--osh', 'groupTransmitOwnership', '--group', 'nope', '--account', 'carol']);
  assert.equal(none.env.error_code, 'KO_GROUP_NOT_FOUND');
  const ok = await osh(srv, alice, ['--osh', 'groupTransmitOwnership', '--group', g, '--account', 'carol']);
  assert.equal(ok.env.error_code, 'OK', brief(ok));
  assert.deepEqual(rolesOf(g, 'carol'), ['owner']);
  assert.deepEqual(rolesOf(g, 'alice'), ['aclkeeper', 'gatekeeper', 'member'], 'alice keeps her other roles');
  const again = await osh(srv, alice, ['--osh', 'groupTransmitOwnership', '--group', g, '--account', 'carol']);
  // alice owns no group any more: the category check refuses before the plugin runs.
  assert.equal(again.env.error_code, 'KO_RESTRICTED_COMMAND');
  assert.equal(again.env.command, null);
  assert.equal(again.exit, 106);
});

test('groupDelete / groupDestroy: the typed-back name, else ERR_OPERATOR_IS_DRUNK; everything goes', async () => {
  const drunk = await osh(srv, admin, ['--osh', 'groupDelete', '--group', 'lab'], { stdin: 'lba\n' });
  assert.equal(drunk.env.error_code, 'ERR_OPERATOR_IS_DRUNK');
  const noInput = await osh(srv, admin, ['--osh', 'groupDelete', '--group', 'lab'], { stdin: '' });
  assert.equal(noInput.env.error_code, 'ERR_OPERATOR_IS_DRUNK');
  assert.ok(groupRow('lab'));
  const del = await osh(srv, admin, ['--osh', 'groupDelete', '--group', 'lab'], { stdin: 'lab\n' });
  assert.equal(del.exit, 0, brief(del));
  assert.deepEqual(del.env.value, { group: 'keylab', operation: 'deleted', errors: 0 });
  assert.equal(groupRow('lab'), undefined);

  const g = 'te.st_Group1-';
  const id = groupRow(g)?.id ?? -1;
  // alice owns another group: she passes the category check, then the plugin refuses.
  assert.equal((await osh(srv, admin, ['--osh', 'groupCreate', '--group', 'other', '--owner', 'alice', '--no-key'])).env.error_code, 'OK');
  const notOwner = await osh(srv, alice, ['--osh', 'groupDestroy', '--group', g, '--no-confirm']);
  assert.equal(notOwner.env.error_code, 'ERR_NOT_GROUP_OWNER');
  const destroy = await osh(srv, carol, ['--osh', 'groupDestroy', '--group', g, '--no-confirm']);
  assert.equal(destroy.env.error_code, 'OK', brief(destroy));
  assert.equal(destroy.env.value.group, 'keyte.st_Group1-');
  const count = (sql: string): number => (sqliteOf(srv.gh.store).prepare(sql).get(id) as { n: number }).n;
  assert.equal(count('SELECT count(*) AS n FROM group_roles WHERE group_id = ?'), 0);
  assert.equal(count('SELECT count(*) AS n FROM group_egress_keys WHERE group_id = ?'), 0);
  assert.equal(count('SELECT count(*) AS n FROM acl_entries WHERE group_id = ?'), 0);
  const info = await osh(srv, admin, ['--osh', 'info']);
  assert.equal(info.env.value.registered_groups, 1);
});
