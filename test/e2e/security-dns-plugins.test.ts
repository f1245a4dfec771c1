// Name resolution in plugins as an attack surface (issue 9, item 11), over SSH: a plugin's --host,
// the names of a server list on stdin and --reverse-dns all go through the one resolver with the
// configuration in force. The server runs in-process with dnsServers pointed at a real UDP name
// server this test runs on 127.0.0.1 (it answers some names and reverse names, never answers the
// rest, and counts every query): nothing is ever asked of any other name server. The other cases
// of the same checks run in-process, in test/plugins/security-dns-plugins.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { lookupName, resolverSettings } from '../../src/services/resolver.js';
import { brief, osh } from '../helpers/groups.js';
import { startFakeDns, type FakeDns } from '../helpers/fakeDns.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { addRole, aclEntry, createGroup } from '../helpers/targets.js';

const NAMED = '127.0.0.9';

let srv: TestServer;
let dns: FakeDns;
let base: Record<string, unknown>;
let keeper: TestAccount;
let lister: TestAccount;

before(async () => {
  dns = await startFakeDns({ 'plugin.example': NAMED });
  // The shortest deadline there is: the two attacks on a silent name server each wait it out.
  base = { bastionName: 'testbastion', dnsServers: [`127.0.0.1:${dns.port}`], dnsResolveTimeoutSeconds: 1 };
  srv = await startTestServer({ config: base });
  keeper = srv.addAccount('keeper');
  lister = srv.addAccount('lister');
  const g = createGroup(srv.gh.store, 'web');
  addRole(srv.gh.store, g, keeper.id, 'member');
  srv.gh.store.groups.addRole(g, keeper.id, 'aclkeeper', 'test', Math.floor(Date.now() / 1000));
  // 3,000 personal lines, none of whose addresses the name server will ever name.
  srv.gh.store.tx(() => {
    for (let i = 0; i < 3000; i++) srv.gh.store.acl.insert(aclEntry('personal', lister.id, null, { ip: `10.${Math.floor(i / 250)}.${i % 250}.1` }));
  });
});
after(async () => {
  await srv.close();
  await dns.close();
});

async function withConfig<T>(extra: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  srv.writeConfig({ ...base, ...extra });
  try {
    return await run();
  } finally {
    srv.writeConfig(base);
  }
}

test("a plugin's --host name is looked up once per call: the dispatcher's answer is the plugin's", async () => {
  // What one lookup of the name costs in queries (A, and AAAA when asked), through the same resolver.
  let before = dns.total();
  await lookupName('plugin.example', resolverSettings(srv.gh.config.current()));
  const oneLookup = dns.total() - before;
  assert.ok(oneLookup >= 1);
  // whoHasAccessTo is the case made in-process, in test/plugins/.
  before = dns.total();
  const r = await osh(srv, keeper, ['--osh', 'groupAddServer', '--group', 'web', '--host', 'plugin.example', '--user-any', '--port-any', '--force']);
  assert.equal(r.exit, 0, brief(r));
  assert.equal(dns.total() - before, oneLookup, 'groupAddServer asked the name server once');
});

test('dnsSupportLevel 0: plugins refuse a --host name with 132 KO_DNS_DISABLED, and ask nothing', async () => {
  await withConfig({ dnsSupportLevel: 0 }, async () => {
    const before = dns.total();
    // The other plugins are the cases made in-process, in test/plugins/.
    const r = await osh(srv, srv.admin, ['--osh', 'whoHasAccessTo', '--host', 'plugin.example']);
    assert.equal(r.exit, 132, `whoHasAccessTo: ${brief(r)}`);
    assert.equal(r.env.error_code, 'KO_DNS_DISABLED');
    assert.match(r.env.error_message, /DNS resolving is disabled/);
    assert.equal(dns.total(), before, 'no query reached the name server');
  });
});

// The two silent-name-server attacks ask about names nobody else asks about and log different
// lines, and each batch takes one of the three lookup slots: they wait out their deadline together.
describe('a name server that never answers', { concurrency: 2 }, () => {
  test('a server list of 500 names nobody answers: refused within the deadline, with one lookup at a time, not 500', async () => {
    const names = Array.from({ length: 500 }, (_, i) => `h${i}.hang-list.example`);
    const started = Date.now();
    const r = await osh(srv, keeper, ['--osh', 'groupSetServers', '--group', 'web', '--dry-run'], { stdin: names.join('\n') + '\n' });
    const elapsed = Date.now() - started;
    assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER', brief(r));
    const v = r.env.value as { errors: string[]; ACL: unknown[] };
    assert.equal(v.errors.length, 500);
    assert.match(v.errors[499] ?? '', /^In line 500 \(h499\.hang-list\.example\), Unable to resolve 'h499\.hang-list\.example' \(no answer within the 1 seconds/);
    // The default bound is 3 lookups in progress; a batch takes half of it: one name at a time.
    const distinct = [...dns.queries.keys()].filter((n) => n.endsWith('.hang-list.example'));
    assert.ok(distinct.length <= 1, `names asked: ${distinct.length}`);
    assert.ok(elapsed < 1000 + 20000, `answered after ${elapsed} ms`);
    const line = srv.logs.find((l) => l['msg'] === 'server list name resolution cut short');
    assert.ok(line, 'one log line for the cut-short list');
    assert.equal(line['why'], 'timeout');
    assert.equal(line['peer'], '127.0.0.1');
  });

  test('--reverse-dns over 3,000 lines with a name server that never answers: a bounded wait, every address printed as itself', async () => {
    const started = Date.now();
    const r = await osh(srv, lister, ['--osh', 'selfListAccesses', '--reverse-dns']);
    const elapsed = Date.now() - started;
    assert.equal(r.env.error_code, 'OK', brief(r));
    const acl = (r.env.value as { acl: { ip: string; reverseDns: string | null }[] }[]).flatMap((c) => c.acl);
    assert.equal(acl.length, 3000);
    assert.ok(acl.every((e) => e.reverseDns === null));
    assert.match(r.stdout, /10\.11\.249\.1/, 'the table shows the address');
    assert.match(r.stdout, /3000 accesses listed/);
    const ptrAsked = [...dns.queries.keys()].filter((n) => n.endsWith('.10.in-addr.arpa'));
    assert.ok(ptrAsked.length <= 1, `reverse names asked: ${ptrAsked.length}`);
    assert.ok(elapsed < 1000 + 20000, `answered after ${elapsed} ms`);
    const line = srv.logs.find((l) => l['msg'] === 'reverse name lookups cut short');
    assert.ok(line, 'one log line');
    assert.equal(line['why'], 'timeout');
    assert.equal(line['addresses'], 3000);
    assert.equal(line['peer'], '127.0.0.1');
  });
});
