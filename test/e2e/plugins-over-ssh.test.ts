// Every plugin's main path once over the real OpenSSH client (STYLE.md rule 9): plugin behaviour
// is tested in-process (test/plugins/), so this file is what proves each plugin also answers
// through the SSH front end, on the wire, with stdin, exit status and envelope as a script sees
// them. One bastion, one multiplexed connection per calling account (helpers/controlMaster.ts):
// the sequence costs two logins, not one per call. The calls are ordered so that each uses what
// the ones before it made: create before use, delete last. The last test fails with the names of
// any plugin the sequence doesn't call, so a new plugin can't go without its over-SSH main path.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadPlugins } from '../../src/osh/registry.js';
import { SETTING } from '../../src/policy/settings.js';
import { sharedConnections, type SharedConnections } from '../helpers/controlMaster.js';
import type { Envelope } from '../helpers/clients.js';
import type { Caller } from '../helpers/groups.js';
import { startTestServer, type TestKey, type TestServer } from '../helpers/server.js';
import { startSsh2Target, type Ssh2Target } from '../helpers/targets.js';

const LOOPBACK = '127.0.0.1';
const DAY = 86400;

let srv: TestServer;
let mux: SharedConnections;
let admin: Caller;
let alice: Caller;
/** The key alice adds (selfAddIngressKey) then removes (selfDelIngressKey). */
let aliceSecondKey: TestKey;
/** The target alice reaches with her egress key (started once that key exists). */
let target: Ssh2Target | null = null;

/** What earlier calls made that later ones name. */
const made = {
  aliceSecondFingerprint: '',
  aliceEgressPublicLine: '',
  aliceEgressFingerprint: '',
  groupKeyId: '',
  sessionId: '',
  /** Connections alice made through the bastion to the target. */
  connections: 0,
};

function targetPort(): string {
  if (!target) throw new Error('the target is not started yet');
  return String(target.port);
}

before(async () => {
  srv = await startTestServer();
  mux = sharedConnections();
  admin = srv.admin;
  // alice is made over SSH by accountCreate; only her key is made here.
  alice = { name: 'alice', key: srv.newKey() };
  aliceSecondKey = srv.newKey('ed25519', 'alice@second');
  // Accounts that are acted on but never log in.
  srv.addAccount('bob');
  srv.addAccount('carol');
  // Expired by inactivity for accountUnexpire: a 1-day limit, last seen 10 days ago.
  const dormant = srv.addAccount('dormant', { settings: { [SETTING.maxInactiveDays]: '1' } });
  srv.gh.store.accounts.touch(dormant.id, Math.floor(Date.now() / 1000) - 10 * DAY, LOOPBACK);
});

after(async () => {
  await mux.close(srv.port, [admin, alice]);
  await target?.close();
  await srv.close();
});

interface Step {
  readonly plugin: string;
  readonly who: () => Caller;
  readonly args: () => readonly string[];
  readonly stdin?: () => string;
  /** The main path's code: OK unless the plugin answers its success otherwise. */
  readonly code?: string;
  /** Runs first (a target to start, a connection through the bastion to record). */
  readonly prepare?: () => Promise<void>;
  /** One meaningful field of the answer (and what later steps need from it). */
  readonly check: (env: Envelope, stdout: string) => void;
  /** The calls this step's plugin makes as the caller (batch's lines), each with its own log line. */
  readonly subCalls?: number;
}

const asAdmin = (): Caller => admin;
const asAlice = (): Caller => alice;

/** A connection through the bastion to the target, as alice (recorded, learns the host key). */
async function aliceConnects(): Promise<void> {
  made.connections++;
  const r = await mux.call(srv.port, alice, ['-q', `root@${LOOPBACK}`, '-p', targetPort(), '--', 'echo', 'through-the-bastion']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, 'through-the-bastion\n');
}

/** A key as `TYPE BASE64`, from a test key or a key of a plugin's value. */
function keyWords(k: { readonly publicLine: string } | { readonly typecode: string; readonly base64: string }): string {
  return 'publicLine' in k ? k.publicLine.split(' ').slice(0, 2).join(' ') : `${k.typecode} ${k.base64}`;
}

/** The role plugins answer with a null value, as The Bastion's: what changed is in the message. */
const roleMessage =
  (change: string) =>
  (env: Envelope): void =>
    assert.equal(env.error_message, `Account bob ${change} of group web`);

interface AclItem {
  readonly ip: string;
  readonly user: string | null;
  readonly port: string | null;
}

/** An ACL line of a plugin's value as USER@IP:PORT (`*` for any). */
const aclLine = (l: AclItem): string => `${l.user ?? '*'}@${l.ip}:${l.port ?? '*'}`;

/** The personal lines of a selfListAccesses / accountListAccesses value. */
const personalLines = (value: readonly { type: string; acl: readonly AclItem[] }[]): string[] => value.filter((c) => c.type === 'personal').flatMap((c) => c.acl.map(aclLine));

const STEPS: readonly Step[] = [
  {
    plugin: 'info',
    who: asAdmin,
    args: () => [],
    check: (env) => {
      assert.equal(env.value.account, 'admin');
      assert.equal(env.value.is_admin, 1);
    },
  },
  {
    plugin: 'help',
    who: asAdmin,
    args: () => [],
    // The Bastion answers help with a null value; the list of what the caller may run is the text.
    check: (env, stdout) => {
      assert.equal(env.value, null);
      assert.match(stdout, /accountCreate/);
    },
  },
  {
    plugin: 'accountCreate',
    who: asAdmin,
    args: () => ['--account', 'alice', '--uid-auto', '--public-key', `"${alice.key.publicLine}"`],
    // A null value, as The Bastion's; the next step logs in with the key given here.
    check: (env) => assert.equal(env.error_message, 'Account alice successfully created'),
  },
  {
    plugin: 'selfListIngressKeys',
    who: asAlice,
    args: () => [],
    check: (env) => assert.deepEqual(env.value.keys.map(keyWords), [keyWords(alice.key)]),
  },
  {
    plugin: 'selfAddIngressKey',
    who: asAlice,
    args: () => [],
    // No --public-key: the key is read from stdin, as `selfAddIngressKey < key.pub` sends it.
    stdin: () => `${aliceSecondKey.publicLine}\n`,
    check: (env) => {
      assert.equal(keyWords(env.value.key), keyWords(aliceSecondKey));
      made.aliceSecondFingerprint = env.value.key.fingerprint;
    },
  },
  {
    plugin: 'selfDelIngressKey',
    who: asAlice,
    args: () => ['--fingerprint-to-delete', made.aliceSecondFingerprint],
    check: (env) => assert.equal(env.value.deleted_key.fingerprint, made.aliceSecondFingerprint),
  },
  {
    plugin: 'accountListIngressKeys',
    who: asAdmin,
    args: () => ['--account', 'alice'],
    check: (env) => assert.deepEqual(env.value.keys.map(keyWords), [keyWords(alice.key)]),
  },
  {
    plugin: 'accountInfo',
    who: asAdmin,
    args: () => ['--account', 'alice'],
    check: (env) => {
      assert.equal(env.value.account, 'alice');
      assert.equal(env.value.already_seen_before, 1);
    },
  },
  {
    plugin: 'accountList',
    who: asAdmin,
    args: () => [],
    check: (env) => assert.deepEqual(Object.keys(env.value).sort(), ['admin', 'alice', 'bob', 'carol', 'dormant']),
  },
  {
    plugin: 'accountModify',
    who: asAdmin,
    args: () => ['--account', 'bob', '--idle-ignore', 'yes'],
    check: (env) => assert.equal(env.value.idle_ignore.error_code, 'OK'),
  },
  {
    plugin: 'accountGrantCommand',
    who: asAdmin,
    args: () => ['--account', 'alice', '--command', 'selfAddPersonalAccess'],
    check: (env) => assert.equal(env.error_message, 'Successfully granted use of restricted command selfAddPersonalAccess to alice'),
  },
  {
    plugin: 'accountGrantCommand',
    who: asAdmin,
    args: () => ['--account', 'alice', '--command', 'selfDelPersonalAccess'],
    check: (env) => assert.equal(env.error_message, 'Successfully granted use of restricted command selfDelPersonalAccess to alice'),
  },
  {
    plugin: 'groupCreate',
    who: asAdmin,
    args: () => ['--group', 'web', '--owner', 'alice', '--algo', 'ed25519'],
    check: (env) => {
      assert.equal(env.value.group, 'web');
      assert.equal(env.value.public_key.typecode, 'ssh-ed25519');
    },
  },
  {
    plugin: 'groupCreate',
    who: asAdmin,
    args: () => ['--group', 'lab', '--owner', 'alice', '--no-key'],
    check: (env) => assert.deepEqual(env.value, { group: 'lab', owner: 'alice' }),
  },
  {
    plugin: 'groupList',
    who: asAlice,
    args: () => [],
    check: (env) => assert.deepEqual(env.value.web.flags, ['owner', 'gatekeeper', 'aclkeeper', 'member']),
  },
  {
    plugin: 'groupInfo',
    who: asAlice,
    args: () => ['--group', 'web'],
    check: (env) => assert.deepEqual(env.value.owners, ['alice']),
  },
  {
    plugin: 'selfGenerateEgressKey',
    who: asAlice,
    args: () => ['--algo', 'ed25519'],
    check: (env) => {
      assert.equal(env.value.typecode, 'ssh-ed25519');
      made.aliceEgressPublicLine = env.value.line;
      made.aliceEgressFingerprint = env.value.fingerprint;
    },
  },
  {
    plugin: 'selfListEgressKeys',
    who: asAlice,
    args: () => [],
    check: (env) => assert.equal(env.value[made.aliceEgressFingerprint]?.line, made.aliceEgressPublicLine),
  },
  {
    plugin: 'batch',
    who: asAlice,
    args: () => [],
    // Its lines from stdin, each run as a call of alice's on the same connection.
    stdin: () => 'info\nselfListEgressKeys\n',
    subCalls: 2,
    check: (env) => {
      assert.deepEqual(
        env.value.map((i: { command: string; result: { error_code: string } }) => [i.command, i.result.error_code]),
        [
          ['info', 'OK'],
          ['selfListEgressKeys', 'OK'],
        ],
      );
      assert.equal(env.value[1].result.value[made.aliceEgressFingerprint]?.line, made.aliceEgressPublicLine);
    },
  },
  {
    plugin: 'accountListEgressKeys',
    who: asAdmin,
    args: () => ['--account', 'alice'],
    check: (env) => assert.equal(env.value[made.aliceEgressFingerprint]?.line, made.aliceEgressPublicLine),
  },
  {
    plugin: 'accountAddAllowedCommand',
    who: asAdmin,
    args: () => ['--account', 'bob', '--command', "'systemctl status *'"],
    check: (env) => assert.deepEqual(env.value, { account: 'bob', pattern: 'systemctl status *', group: null, restricted: true }),
  },
  {
    plugin: 'accountListAllowedCommands',
    who: asAdmin,
    args: () => ['--account', 'bob'],
    check: (env) =>
      assert.deepEqual(
        env.value.map((r: { pattern: string; group: string | null; added_by: string }) => [r.pattern, r.group, r.added_by]),
        [['systemctl status *', null, 'admin']],
      ),
  },
  {
    plugin: 'accountDelAllowedCommand',
    who: asAdmin,
    args: () => ['--account', 'bob', '--command', "'systemctl status *'"],
    check: (env) => assert.deepEqual(env.value, { account: 'bob', pattern: 'systemctl status *', group: null, restricted: false }),
  },
  {
    plugin: 'selfAddPersonalAccess',
    who: asAlice,
    prepare: async () => {
      target = await startSsh2Target(LOOPBACK, [made.aliceEgressPublicLine]);
    },
    // No --force: the bastion logs in to the target with alice's egress key before adding the line.
    args: () => ['--host', LOOPBACK, '--port', targetPort(), '--user', 'root'],
    check: (env) => {
      assert.deepEqual([env.value.action, env.value.ip, env.value.user, env.value.port], ['add', LOOPBACK, 'root', target?.port]);
      // The line was added after a login with alice's egress key: the target saw it.
      assert.deepEqual(
        target?.logins.map((l) => l.user),
        ['root'],
      );
    },
  },
  {
    plugin: 'selfListAccesses',
    who: asAlice,
    args: () => [],
    check: (env) => assert.deepEqual(personalLines(env.value), [`root@${LOOPBACK}:${targetPort()}`]),
  },
  {
    plugin: 'accountListAccesses',
    who: asAdmin,
    args: () => ['--account', 'alice'],
    check: (env) => assert.deepEqual(personalLines(env.value), [`root@${LOOPBACK}:${targetPort()}`]),
  },
  {
    plugin: 'accountAddPersonalAccess',
    who: asAdmin,
    args: () => ['--account', 'bob', '--host', LOOPBACK, '--user', 'bob', '--port', '22'],
    check: (env) => assert.deepEqual([env.value.action, env.value.account, env.value.ip, env.value.user, env.value.port], ['add', 'bob', LOOPBACK, 'bob', 22]),
  },
  {
    plugin: 'accountDelPersonalAccess',
    who: asAdmin,
    args: () => ['--account', 'bob', '--host', LOOPBACK, '--user', 'bob', '--port', '22'],
    check: (env) => assert.deepEqual([env.value.action, env.value.account, env.value.ip, env.value.user, env.value.port], ['del', 'bob', LOOPBACK, 'bob', 22]),
  },
  {
    plugin: 'groupAddServer',
    who: asAlice,
    args: () => ['--group', 'web', '--host', LOOPBACK, '--user', 'root', '--port', targetPort(), '--force'],
    check: (env) => assert.deepEqual([env.value.action, env.value.group, env.value.ip, env.value.port], ['add', 'web', LOOPBACK, target?.port]),
  },
  {
    plugin: 'groupListServers',
    who: asAlice,
    args: () => ['--group', 'web'],
    check: (env) => assert.deepEqual(env.value.map(aclLine), [`root@${LOOPBACK}:${targetPort()}`]),
  },
  {
    plugin: 'groupSetServers',
    who: asAlice,
    args: () => ['--group', 'web'],
    stdin: () => `root@${LOOPBACK}:${targetPort()} the target\n127.0.0.2 a spare\n`,
    check: (env) => assert.deepEqual(env.value.ACL.map(aclLine), [`root@${LOOPBACK}:${targetPort()}`, '*@127.0.0.2:*']),
  },
  {
    plugin: 'groupDelServer',
    who: asAlice,
    args: () => ['--group', 'web', '--host', '127.0.0.2', '--user-any', '--port-any'],
    check: (env) => assert.deepEqual([env.value.action, env.value.ip, env.value.user, env.value.port], ['del', '127.0.0.2', null, null]),
  },
  { plugin: 'groupAddMember', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is now a member') },
  { plugin: 'groupDelMember', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is no longer a member') },
  {
    plugin: 'groupAddGuestAccess',
    who: asAlice,
    args: () => ['--group', 'web', '--account', 'bob', '--host', LOOPBACK, '--user', 'root', '--port', targetPort()],
    // A null value, as The Bastion's: the text says what changed (and the next step lists it).
    check: (env, stdout) => {
      assert.equal(env.value, null);
      assert.match(stdout, /Account bob has now access to the group key of web/);
    },
  },
  {
    plugin: 'groupListGuestAccesses',
    who: asAlice,
    args: () => ['--group', 'web', '--account', 'bob'],
    check: (env) => assert.deepEqual(env.value.map(aclLine), [`root@${LOOPBACK}:${targetPort()}`]),
  },
  {
    plugin: 'whoHasAccessTo',
    who: asAdmin,
    args: () => ['--host', LOOPBACK, '--user', 'root', '--port', targetPort()],
    check: (env) => {
      assert.equal(env.value.alice.personal_access, 1);
      assert.deepEqual(env.value.bob.group_access, ['web(group-guest)']);
    },
  },
  {
    plugin: 'groupDelGuestAccess',
    who: asAlice,
    args: () => ['--group', 'web', '--account', 'bob', '--host', LOOPBACK, '--user', 'root', '--port', targetPort()],
    check: (env, stdout) => {
      assert.equal(env.value, null);
      assert.match(stdout, new RegExp(`Access to root@127\\.0\\.0\\.1:${targetPort()} through group web was removed from account bob`));
    },
  },
  { plugin: 'groupAddGatekeeper', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is now a gatekeeper') },
  { plugin: 'groupDelGatekeeper', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is no longer a gatekeeper') },
  { plugin: 'groupAddAclkeeper', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is now an aclkeeper') },
  { plugin: 'groupDelAclkeeper', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is no longer an aclkeeper') },
  { plugin: 'groupAddOwner', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is now an owner') },
  { plugin: 'groupDelOwner', who: asAlice, args: () => ['--group', 'web', '--account', 'bob'], check: roleMessage('is no longer an owner') },
  {
    plugin: 'groupGenerateEgressKey',
    who: asAlice,
    args: () => ['--group', 'web', '--algo', 'ed25519'],
    check: (env) => {
      assert.equal(env.value.typecode, 'ssh-ed25519');
      made.groupKeyId = env.value.id;
    },
  },
  {
    plugin: 'groupDelEgressKey',
    who: asAlice,
    args: () => ['--group', 'web', '--id', made.groupKeyId],
    check: (env) => assert.equal(env.value.id, made.groupKeyId),
  },
  {
    plugin: 'groupModify',
    who: asAlice,
    args: () => ['--group', 'web', '--guest-ttl-limit', '7d'],
    check: (env) => assert.equal(env.value.guest_ttl_limit.error_code, 'OK'),
  },
  {
    plugin: 'groupTransmitOwnership',
    who: asAlice,
    args: () => ['--group', 'lab', '--account', 'bob'],
    // A null value, as The Bastion's: the last line of its text is the message.
    check: (env) => assert.equal(env.error_message, 'Account alice is no longer an owner of group lab'),
  },
  {
    plugin: 'selfListSessions',
    who: asAlice,
    prepare: aliceConnects,
    args: () => [],
    check: (env) => {
      assert.deepEqual(
        env.value.map((s: { to: { ip: string; port: string }; allowed: number }) => [s.to.ip, s.to.port, s.allowed]),
        [[LOOPBACK, targetPort(), 1]],
      );
      made.sessionId = env.value[0].id;
    },
  },
  {
    plugin: 'selfPlaySession',
    who: asAlice,
    args: () => ['--id', made.sessionId, '--speed', '100'],
    check: (env, stdout) => {
      assert.deepEqual(env.value, {});
      assert.match(stdout, /through-the-bastion/);
    },
  },
  {
    plugin: 'clush',
    who: asAlice,
    // Each host is a connection request of its own, through the same access and egress key.
    args: () => ['--list', LOOPBACK, '--user', 'root', '--port', targetPort(), '--command', '"echo clushed"', '--no-confirm', '--no-pause-on-failure'],
    check: (env) => assert.deepEqual([env.value[LOOPBACK].stdout, env.value[LOOPBACK].sysret], [['clushed'], 0]),
  },
  {
    plugin: 'selfForgetHostKey',
    who: asAlice,
    args: () => ['--host', LOOPBACK, '--port', targetPort()],
    check: (env) => assert.deepEqual(env.value, { [`[${LOOPBACK}]:${targetPort()}`]: { action: 'OK_DELETED' } }),
  },
  {
    plugin: 'assetForgetHostKey',
    who: asAdmin,
    // A second connection learns the host key again, for this one to forget.
    prepare: aliceConnects,
    args: () => ['--host', LOOPBACK, '--port', targetPort()],
    check: (env) => assert.deepEqual(env.value, { changed_files: 1 }),
  },
  {
    plugin: 'selfDelPersonalAccess',
    who: asAlice,
    args: () => ['--host', LOOPBACK, '--port', targetPort(), '--user', 'root'],
    check: (env) => assert.deepEqual([env.value.action, env.value.account, env.value.ip, env.value.port], ['del', 'alice', LOOPBACK, target?.port]),
  },
  {
    plugin: 'accountRevokeCommand',
    who: asAdmin,
    args: () => ['--account', 'alice', '--command', 'selfAddPersonalAccess'],
    check: (env) => assert.equal(env.error_message, 'Successfully revoked use of restricted command selfAddPersonalAccess from alice'),
  },
  {
    plugin: 'accountUnexpire',
    who: asAdmin,
    args: () => ['--account', 'dormant'],
    check: (env) => assert.deepEqual(env.value, { account: 'dormant', days: 10 }),
  },
  {
    plugin: 'accountFreeze',
    who: asAdmin,
    args: () => ['--account', 'carol', '--reason', "'on leave'"],
    check: (env) => assert.deepEqual(env.value, { account: 'carol', reason: 'on leave' }),
  },
  { plugin: 'accountUnfreeze', who: asAdmin, args: () => ['--account', 'carol'], check: (env) => assert.deepEqual(env.value, { account: 'carol' }) },
  {
    plugin: 'groupDelete',
    who: asAdmin,
    args: () => ['--group', 'lab', '--no-confirm'],
    check: (env) => assert.deepEqual(env.value, { group: 'keylab', operation: 'deleted', errors: 0 }),
  },
  {
    plugin: 'groupDestroy',
    who: asAlice,
    args: () => ['--group', 'web', '--no-confirm'],
    check: (env) => assert.deepEqual(env.value, { group: 'keyweb', operation: 'deleted', errors: 0 }),
  },
  {
    plugin: 'accountDelete',
    who: asAdmin,
    args: () => ['--account', 'carol'],
    // The confirmation sentence, read from stdin over the shared connection.
    stdin: () => 'Yes, do as I say and delete carol, kthxbye\n',
    check: (env) => assert.deepEqual(env.value, { account: 'carol', ttygroup: null, operation: 'deleted', errors: 0 }),
  },
];

for (const [i, step] of STEPS.entries()) {
  test(`${i + 1}. ${step.plugin} over SSH as ${step.who === asAdmin ? 'admin' : 'alice'}`, async () => {
    await step.prepare?.();
    const stdin = step.stdin?.();
    const a = await mux.osh(srv.port, step.who(), ['--osh', step.plugin, ...step.args()], stdin === undefined ? {} : { stdin });
    const brief = `exit ${a.exit} ${a.env.command} ${a.env.error_code}: ${a.env.error_message}\n${a.stderr}`;
    assert.equal(a.exit, 0, brief);
    assert.equal(a.env.command, step.plugin, brief);
    assert.equal(a.env.error_code, step.code ?? 'OK', brief);
    step.check(a.env, a.stdout);
  });
}

test('every plugin of the registry has its main path over SSH above, and nothing else is called', async () => {
  const registry = [...(await loadPlugins()).keys()].sort();
  const called = [...new Set(STEPS.map((s) => s.plugin))].sort();
  const missing = registry.filter((p) => !called.includes(p));
  const unknown = called.filter((p) => !registry.includes(p));
  assert.deepEqual(missing, [], `plugins without a main path over SSH (add a step to STEPS in test/e2e/plugins-over-ssh.test.ts): ${missing.join(', ')}`);
  assert.deepEqual(unknown, [], `steps naming no plugin: ${unknown.join(', ')}`);
  assert.equal(called.length, registry.length);
});

test('each account made all its calls over one connection (OpenSSH connection sharing)', async () => {
  for (const who of [admin, alice]) {
    const calls = srv.logs.filter((l) => l['msg'] === 'call' && l['account'] === who.name);
    const steps = STEPS.filter((s) => s.who() === who);
    const expected = steps.length + steps.reduce((n, s) => n + (s.subCalls ?? 0), 0) + (who === alice ? made.connections : 0);
    assert.equal(calls.length, expected, `${who.name}'s calls`);
    assert.equal(new Set(calls.map((l) => l['conn'])).size, 1, `${who.name}'s calls went over one connection`);
    assert.equal(await mux.alive(srv.port, who), true, `${who.name}'s master is still up`);
  }
});
