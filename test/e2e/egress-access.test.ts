// Who may connect where: the access lists decide (personal, group member, group guest on one
// server only, TTL'd lines), osh-only accounts never connect, a forced key is the only one tried,
// and the refusals and failures have The Bastion's exit codes (107, 128, 134, 105).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  addGroupEgressKey,
  addEgressAccount,
  addPersonalEgressKey,
  addRole,
  createGroup,
  freePort,
  grantGroup,
  grantGuest,
  grantPersonal,
  startSsh2Target,
  type EgressKey,
  type Ssh2Target,
} from '../helpers/targets.js';

const A = '127.0.0.31';
const B = '127.0.0.32';
let srv: TestServer;
let targetA: Ssh2Target;
let targetB: Ssh2Target;
let groupKey: EgressKey;
const people: Record<string, { name: string; key: { privateFile: string }; id: number; egress: EgressKey }> = {};

function person(name: string, settings?: Record<string, string>) {
  const p = addEgressAccount(srv, name, settings ? { settings } : {});
  people[name] = p;
  return p;
}

before(async () => {
  srv = await startTestServer();
  for (const n of ['mallory', 'member', 'guest', 'solo', 'ttl', 'forced', 'nokey']) person(n);
  person('robot', { osh_only: 'yes' });
  const gid = createGroup(srv.gh.store, 'web');
  groupKey = addGroupEgressKey(srv.gh.store, srv.gh.dataDir, gid);
  const keys = [
    groupKey.publicLine,
    ...Object.values(people)
      .filter((p) => p.name !== 'nokey')
      .map((p) => p.egress.publicLine),
  ];
  targetA = await startSsh2Target(A, keys);
  targetB = await startSsh2Target(B, keys);
  // The group reaches both servers; the guest only A; the member both.
  grantGroup(srv.gh.store, gid, { ip: A, user: 'web', port: targetA.port });
  grantGroup(srv.gh.store, gid, { ip: B, user: 'web', port: targetB.port });
  addRole(srv.gh.store, gid, people['member']?.id ?? -1, 'member');
  addRole(srv.gh.store, gid, people['guest']?.id ?? -1, 'guest');
  grantGuest(srv.gh.store, gid, people['guest']?.id ?? -1, { ip: A, user: 'web', port: targetA.port });
  grantPersonal(srv.gh.store, people['solo']?.id ?? -1, { ip: `${A.replace(/\.\d+$/, '.0')}/24` });
  grantPersonal(srv.gh.store, people['ttl']?.id ?? -1, { ip: A, expiresAt: Math.floor(Date.now() / 1000) - 10 });
  grantPersonal(srv.gh.store, people['robot']?.id ?? -1, { ip: A });
  grantPersonal(srv.gh.store, people['nokey']?.id ?? -1, { ip: A });
});
after(async () => {
  await targetA.close();
  await targetB.close();
  await srv.close();
});

function as(name: string, args: string[], opts: { timeoutMs?: number } = {}) {
  const p = people[name];
  assert.ok(p);
  return sshCall(srv.port, p.name, p.key.privateFile, args, opts);
}

test('no access at all: 107 KO_ACCESS_DENIED with command null', async () => {
  const r = await as('mallory', ['--json-greppable', `web@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(r.code, 107);
  const env = greppable(r.stdout);
  assert.equal(env.command, null);
  assert.equal(env.error_code, 'KO_ACCESS_DENIED');
  assert.equal(env.value, null);
});

test('a personal access on a /24 allows any user and port on it, with the personal key', async () => {
  const r = await as('solo', ['-q', `anyone@${A}`, '-p', String(targetA.port), '--', 'echo solo']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'solo\n');
  assert.deepEqual(targetA.logins.at(-1), { user: 'anyone', fingerprint: people['solo']?.egress.fingerprint });
});

test('a group member reaches every server of the group, with the group key', async () => {
  for (const t of [targetA, targetB]) {
    const r = await as('member', [`web@${t.host}`, '-p', String(t.port), '--', 'echo member']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'member\n');
    assert.match(r.stderr, /group-member of web with ED25519-256 key SHA256:/);
    assert.deepEqual(t.logins.at(-1), { user: 'web', fingerprint: groupKey.fingerprint });
  }
  // ...but only as the user and port the group's lines name.
  const r = await as('member', ['--json-greppable', `root@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(r.code, 107);
});

test('a guest reaches only the server its guest access names', async () => {
  const ok = await as('guest', [`web@${A}`, '-p', String(targetA.port), '--', 'echo guest']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'guest\n');
  assert.match(ok.stderr, /group-guest of web/);
  const no = await as('guest', ['--json-greppable', `web@${B}`, '-p', String(targetB.port), '--', 'echo guest']);
  assert.equal(no.code, 107);
  assert.equal(greppable(no.stdout).error_code, 'KO_ACCESS_DENIED');
});

test('an access line past its TTL allows nothing', async () => {
  const r = await as('ttl', ['--json-greppable', `root@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(r.code, 107);
  assert.equal(greppable(r.stdout).error_code, 'KO_ACCESS_DENIED');
});

test('an osh-only account connects nowhere, whatever its accesses', async () => {
  const r = await as('robot', ['--json-greppable', `root@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(r.code, 107);
  assert.equal(greppable(r.stdout).error_code, 'KO_ACCESS_DENIED');
  assert.match(r.stderr, /You don't have the right to connect anywhere/);
});

test("a forced key is the only key tried, and the listing says it's forced", async () => {
  const p = people['forced'];
  assert.ok(p);
  const second = addPersonalEgressKey(srv.gh.store, srv.gh.dataDir, p.id);
  const t = await startSsh2Target('127.0.0.35', [second.publicLine]);
  try {
    grantPersonal(srv.gh.store, p.id, { ip: t.host, forceKey: second.fingerprint });
    const r = await as('forced', [`root@${t.host}`, '-p', String(t.port), '--', 'echo forced']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`key ${second.fingerprint.replace(/[+/]/g, '\\$&')} \\[\\d{4}/\\d\\d/\\d\\d\\] \\(KEY FORCED IN ACL\\)`));
    assert.ok(!r.stderr.includes(p.egress.fingerprint), 'the other key is not even listed');
    assert.deepEqual(t.logins, [{ user: 'root', fingerprint: second.fingerprint }]);
  } finally {
    await t.close();
  }
});

test('every key refused: 105 KO_PERMISSION_DENIED, with what to check', async () => {
  const r = await as('nokey', ['--json-greppable', `root@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(r.code, 105, r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'KO_PERMISSION_DENIED');
  assert.match(r.stderr, /refused every key we tried/);
});

test('nothing listening: 105 KO_CONNECTION_REFUSED', async () => {
  const port = await freePort(A);
  const r = await as('solo', ['--json-greppable', `root@${A}`, '-p', String(port), '--', 'true']);
  assert.equal(r.code, 105);
  assert.equal(greppable(r.stdout).error_code, 'KO_CONNECTION_REFUSED');
});

test('--timeout bounds a target that accepts TCP but never speaks SSH', async () => {
  const silent = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => silent.listen(0, A, () => r()));
  const port = (silent.address() as net.AddressInfo).port;
  try {
    const started = Date.now();
    const r = await as('solo', ['--json-greppable', '--timeout', '1', `root@${A}`, '-p', String(port), '--', 'true']);
    assert.equal(r.code, 105);
    assert.equal(greppable(r.stdout).error_code, 'KO_CONNECTION_TIMEOUT');
    assert.ok(Date.now() - started < 8000);
  } finally {
    silent.close();
  }
});

test('--wait waits for the port to open, then connects', async () => {
  const port = await freePort('127.0.0.36');
  const call = sshCall(srv.port, 'solo', people['solo']?.key.privateFile ?? '', ['--wait', '--timeout', '20', 'root@127.0.0.36', '-p', String(port), '--', 'echo late'], {
    timeoutMs: 30_000,
  });
  await new Promise((r) => setTimeout(r, 1500));
  const t = await startSsh2Target('127.0.0.36', [people['solo']?.egress.publicLine ?? ''], { port });
  try {
    const r = await call;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'late\n');
    assert.match(r.stderr, /Waiting for port \d+ to be open on 127\.0\.0\.36/);
    assert.match(r.stderr, /Alive after waiting for \d+ seconds/);
  } finally {
    await t.close();
  }
});

test('--wait gives up after --timeout seconds: 105 KO_CONNECTION_TIMEOUT', async () => {
  const port = await freePort(A);
  const r = await as('solo', ['--json-greppable', '--wait', '--timeout', '2', `root@${A}`, '-p', String(port)], { timeoutMs: 20_000 });
  assert.equal(r.code, 105);
  assert.equal(greppable(r.stdout).error_code, 'KO_CONNECTION_TIMEOUT');
});

test('refusals before the decision: invalid host 128, invalid port 134, -t with -T 115', async () => {
  const host = await as('solo', ['--json-greppable', 'root@bad_host!', '--', 'true']);
  assert.equal(host.code, 128);
  assert.equal(greppable(host.stdout).error_code, 'KO_INVALID_REMOTE_HOST');
  const port = await as('solo', ['--json-greppable', `root@${A}`, '-p', '70000']);
  assert.equal(port.code, 134);
  assert.equal(greppable(port.stdout).error_code, 'KO_INVALID_PORT');
  const tty = await as('solo', ['--json-greppable', '-t', '-T', `root@${A}`]);
  assert.equal(tty.code, 115);
  assert.equal(greppable(tty.stdout).error_code, 'KO_TTY_NOTTY');
});

test('--use-key tries only that key; an unknown fingerprint tries none', async () => {
  const fp = people['solo']?.egress.fingerprint ?? '';
  const ok = await as('solo', ['--use-key', fp, `root@${A}`, '-p', String(targetA.port), '--', 'echo chosen']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'chosen\n');
  assert.match(ok.stderr, /\(KEY FORCED ON CMDLINE\)/);
  const none = await as('solo', ['--json-greppable', '--use-key', 'SHA256:nosuchkey', `root@${A}`, '-p', String(targetA.port), '--', 'true']);
  assert.equal(none.code, 105);
  assert.match(none.stderr, />>> No key matched the fingerprint you gave me \(SHA256:nosuchkey\)/);
  assert.equal(greppable(none.stdout).error_code, 'KO_PERMISSION_DENIED');
});
