// Name resolution as an attack surface (issue 9, item 11). The server runs in-process with its
// resolver pointed (dnsServers) at a real UDP name server this test runs on 127.0.0.1: it answers
// some names, never answers others, and counts every query, so nothing ever leaves loopback.
// An account that could not connect anywhere makes the bastion ask nothing; a name server that
// never answers costs a caller dnsResolveTimeoutSeconds, not a hung call, and other calls go on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { startFakeDns, type FakeDns } from '../helpers/fakeDns.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';

const TARGET = '127.0.0.41';

let srv: TestServer;
let dns: FakeDns;
let target: Ssh2Target;
let base: Record<string, unknown>;
const people: Record<string, { name: string; key: { privateFile: string }; id: number }> = {};

before(async () => {
  dns = await startFakeDns({ 'target.example': TARGET });
  base = { bastionName: 'testbastion', dnsServers: [`127.0.0.1:${dns.port}`], dnsResolveTimeoutSeconds: 2 };
  srv = await startTestServer({ config: base });
  for (const n of ['nobody', 'anywhere', 'v6']) people[n] = addEgressAccount(srv, n);
  const anywhere = people['anywhere'];
  assert.ok(anywhere);
  target = await startSsh2Target(TARGET, [(anywhere as ReturnType<typeof addEgressAccount>).egress.publicLine]);
  // 'anywhere' may reach every IPv4 address: only DNS stands between it and a name.
  grantPersonal(srv.gh.store, anywhere.id, { ip: '0.0.0.0/0' });
  grantPersonal(srv.gh.store, people['v6']?.id ?? -1, { ip: '::1' });
});
after(async () => {
  await target.close();
  await srv.close();
  await dns.close();
});

function as(name: string, args: string[], opts: { timeoutMs?: number } = {}) {
  const p = people[name];
  assert.ok(p);
  return sshCall(srv.port, p.name, p.key.privateFile, args, opts);
}

test('control: a name the fake server knows resolves through it, and the connection is made', async () => {
  const r = await as('anywhere', ['-q', `web@target.example`, '-p', String(target.port), '--', 'echo via-dns']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /via-dns/);
  assert.ok((dns.queries.get('target.example') ?? 0) > 0, 'the bastion asked the fake name server');
});

test('an account without any access asking for a name: 107 access denied, and no DNS query is sent', async () => {
  const before = dns.total();
  const r = await as('nobody', ['--json-greppable', 'root@some.name.example', '--', 'id']);
  assert.equal(r.code, 107, r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, 'KO_ACCESS_DENIED');
  assert.equal(env.command, null);
  // Even a name the fake server knows is not asked about.
  const r2 = await as('nobody', ['--json-greppable', 'target.example', '-p', '2222']);
  assert.equal(r2.code, 107);
  assert.equal(dns.total(), before, 'no query reached the name server');
  assert.equal(dns.queries.get('some.name.example'), undefined);
  // The refusal is recorded as any access refusal is.
  const rows = srv.gh.store.sessions.list({ accountId: people['nobody']?.id ?? -1, limit: 100 });
  assert.ok(rows.some((s) => s.target_host === 'some.name.example' && s.allowed === 0));
});

test('an account whose every line names another port than the one asked: refused without a query either', async () => {
  const before = dns.total();
  grantPersonal(srv.gh.store, people['nobody']?.id ?? -1, { ip: '127.0.0.0/8', port: 2200 });
  const r = await as('nobody', ['--json-greppable', 'elsewhere.example', '-p', '22']);
  assert.equal(r.code, 107);
  assert.equal(greppable(r.stdout).error_code, 'KO_ACCESS_DENIED');
  assert.equal(dns.total(), before);
});

test('a name server that never answers: 102 within the timeout, saying so; a parallel call is not held up', async () => {
  const started = Date.now();
  const hanging = as('anywhere', ['--json-greppable', 'root@hang.example', '--', 'id'], { timeoutMs: 30000 });
  let hangingDone = false;
  void hanging.then(() => (hangingDone = true));
  const info = await sshCall(srv.port, srv.admin.name, srv.admin.key.privateFile, ['--json-greppable', '--osh', 'info']);
  assert.equal(info.code, 0);
  assert.equal(greppable(info.stdout).error_code, 'OK');
  assert.equal(hangingDone, false, 'info answered while the lookup was still waiting');
  const r = await hanging;
  const elapsed = Date.now() - started;
  assert.equal(r.code, 102, r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, 'KO_HOST_NOT_FOUND');
  assert.match(env.error_message, /hang\.example.*no answer within 2 seconds/);
  assert.ok(elapsed < 2000 + 15000, `refused after ${elapsed} ms`);
  assert.ok((dns.queries.get('hang.example') ?? 0) > 0);
  const line = srv.logs.find((l) => l['msg'] === 'egress name resolution failed' && l['host'] === 'hang.example');
  assert.ok(line, 'one log line for the timeout');
  assert.equal(line['why'], 'timeout');
  assert.equal(line['peer'], '127.0.0.1');
});

test('lookups in progress are bounded: one more is refused at once, not queued', async () => {
  srv.writeConfig({ ...base, dnsMaxConcurrentLookups: 1, dnsResolveTimeoutSeconds: 4 });
  try {
    const first = as('anywhere', ['--json-greppable', 'root@hang1.example', '--', 'id'], { timeoutMs: 40000 });
    const deadline = Date.now() + 20000;
    while (!dns.queries.has('hang1.example')) {
      if (Date.now() > deadline) throw new Error('the first lookup never reached the name server');
      await new Promise((r) => setTimeout(r, 20));
    }
    let firstDone = false;
    void first.then(() => (firstDone = true));
    const second = await as('anywhere', ['--json-greppable', 'root@hang2.example', '--', 'id']);
    assert.equal(second.code, 102);
    assert.match(greppable(second.stdout).error_message, /too many name lookups in progress/);
    assert.equal(dns.queries.get('hang2.example'), undefined, 'the second name was never asked');
    assert.equal(firstDone, false, 'refused while the first was still waiting');
    const line = srv.logs.find((l) => l['msg'] === 'egress name resolution failed' && l['host'] === 'hang2.example');
    assert.equal(line?.['why'], 'busy');
    const r1 = await first;
    assert.equal(r1.code, 102);
  } finally {
    srv.writeConfig(base);
  }
});

test("a plugin's --host goes through the same resolver: a hanging name is refused with 102 in time", async () => {
  const r = await sshCall(srv.port, srv.admin.name, srv.admin.key.privateFile, ['--json-greppable', '--osh', 'whoHasAccessTo', '--host', 'hang3.example'], { timeoutMs: 30000 });
  assert.equal(r.code, 102, r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, 'KO_HOST_NOT_FOUND');
  assert.match(env.error_message, /no answer within 2 seconds/);
  assert.ok((dns.queries.get('hang3.example') ?? 0) > 0);
  assert.ok(srv.logs.some((l) => l['msg'] === 'plugin --host resolution failed' && l['host'] === 'hang3.example' && l['why'] === 'timeout'));
});

test('dnsSupportLevel 0: a name is refused with 132 KO_DNS_DISABLED, without a query', async () => {
  srv.writeConfig({ ...base, dnsSupportLevel: 0 });
  try {
    const before = dns.total();
    const r = await as('anywhere', ['--json-greppable', 'target.example', '-p', String(target.port), '--', 'true']);
    assert.equal(r.code, 132);
    assert.equal(greppable(r.stdout).error_code, 'KO_DNS_DISABLED');
    assert.equal(dns.total(), before);
  } finally {
    srv.writeConfig(base);
  }
});

test('IPv6Allowed is false by default, as in The Bastion: an IPv6 target is refused with 133', async () => {
  const r = await as('v6', ['--json-greppable', 'root@::1', '--', 'id']);
  assert.equal(r.code, 133, r.stderr);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, 'KO_IP_VERSION_DISABLED');
  assert.match(env.error_message, /IPv6 support disabled by policy/);
  // IPv4Allowed false refuses IPv4 addresses the same way.
  srv.writeConfig({ ...base, IPv4Allowed: false, IPv6Allowed: true });
  try {
    const r4 = await as('anywhere', ['--json-greppable', `root@${TARGET}`, '-p', String(target.port), '--', 'id']);
    assert.equal(r4.code, 133);
    assert.match(greppable(r4.stdout).error_message, /IPv4 support disabled by policy/);
  } finally {
    srv.writeConfig(base);
  }
});
