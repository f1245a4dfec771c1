// Name resolution in plugins (issue 9, item 11), through the dispatcher in-process: a plugin's
// --host, the names of a server list on stdin and --reverse-dns all go through the one resolver
// with the configuration in force. The bastion's dnsServers point at a real UDP name server this
// test runs on 127.0.0.1 (it answers some names and reverse names, never answers the rest, and
// counts every query): nothing is ever asked of any other name server. The attacks over SSH (a
// name server that never answers, a listing of thousands of addresses, DNS disabled) are in
// test/e2e/security-dns-plugins.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lookupName, resolverSettings } from '../../src/services/resolver.js';
import { brief } from '../helpers/groups.js';
import { ptrName, startFakeDns, type FakeDns } from '../helpers/fakeDns.js';
import { oshInProcess as osh } from '../helpers/inProcess.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { addRole, createGroup, grantPersonal } from '../helpers/targets.js';

const NAMED = '127.0.0.9';

let srv: TestServer;
let dns: FakeDns;
let base: Record<string, unknown>;
let keeper: TestAccount;
let named: TestAccount;

before(async () => {
  dns = await startFakeDns({ 'plugin.example': NAMED, [ptrName(NAMED)]: 'plugin.example' });
  base = { bastionName: 'testbastion', dnsServers: [`127.0.0.1:${dns.port}`], dnsResolveTimeoutSeconds: 1 };
  srv = await startTestServer({ config: base });
  keeper = srv.addAccount('keeper');
  named = srv.addAccount('named');
  const g = createGroup(srv.gh.store, 'web');
  addRole(srv.gh.store, g, keeper.id, 'member');
  srv.gh.store.groups.addRole(g, keeper.id, 'aclkeeper', 'test', Math.floor(Date.now() / 1000));
  grantPersonal(srv.gh.store, named.id, { ip: NAMED });
});
after(async () => {
  await srv.close();
  await dns.close();
});

/** Queries whose name ends with `suffix`. */
const asked = (suffix: string): number => [...dns.queries].filter(([n]) => n.endsWith(suffix)).reduce((a, [, c]) => a + c, 0);

async function withConfig<T>(extra: Record<string, unknown>, run: () => Promise<T>): Promise<T> {
  srv.writeConfig({ ...base, ...extra });
  try {
    return await run();
  } finally {
    srv.writeConfig(base);
  }
}

test("control: a plugin's --host name is resolved by dnsServers, not the system resolver", async () => {
  // plugin.example is in no /etc/hosts: only the fake name server knows it.
  const r = await osh(srv, keeper, ['--osh', 'groupAddServer', '--group', 'web', '--host', 'plugin.example', '--user-any', '--port-any', '--force']);
  assert.equal(r.env.error_code, 'OK', brief(r));
  const lines = srv.gh.store.acl.list({ kind: 'group', groupId: srv.gh.store.groups.byName('web')?.id ?? -1 }, Math.floor(Date.now() / 1000));
  assert.ok(
    lines.some((l) => l.ip === NAMED),
    'the line holds the address the fake name server gave',
  );
});

test("a plugin's --host name is looked up once per call: the dispatcher's answer is the plugin's", async () => {
  // What one lookup of the name costs in queries (A, and AAAA when asked), through the same resolver.
  let before = dns.total();
  await lookupName('plugin.example', resolverSettings(srv.gh.config.current()));
  const oneLookup = dns.total() - before;
  assert.ok(oneLookup >= 1);
  // groupAddServer is the case made over SSH, in test/e2e/.
  before = dns.total();
  const r = await osh(srv, srv.admin, ['--osh', 'whoHasAccessTo', '--host', 'plugin.example']);
  assert.equal(r.exit, 0, brief(r));
  assert.equal(dns.total() - before, oneLookup, 'whoHasAccessTo asked the name server once');
});

test('dnsSupportLevel 0: plugins refuse a --host name with 132 KO_DNS_DISABLED, and ask nothing', async () => {
  await withConfig({ dnsSupportLevel: 0 }, async () => {
    const before = dns.total();
    // whoHasAccessTo is the case made over SSH, in test/e2e/.
    for (const args of [
      ['--osh', 'selfForgetHostKey', '--host', 'plugin.example'],
      ['--osh', 'groupAddServer', '--group', 'web', '--host', 'plugin.example', '--user-any', '--port-any', '--force'],
    ]) {
      const r = await osh(srv, keeper, args);
      assert.equal(r.exit, 132, `${args[1]}: ${brief(r)}`);
      assert.equal(r.env.error_code, 'KO_DNS_DISABLED');
      assert.match(r.env.error_message, /DNS resolving is disabled/);
    }
    assert.equal(dns.total(), before, 'no query reached the name server');
  });
});

test('dnsSupportLevel 0: the names of a server list on stdin are refused line by line, without a query', async () => {
  await withConfig({ dnsSupportLevel: 0 }, async () => {
    const before = dns.total();
    const r = await osh(srv, keeper, ['--osh', 'groupSetServers', '--group', 'web', '--dry-run'], { stdin: 'plugin.example\n127.0.0.1\nroot@other.example:22\n' });
    assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER', brief(r));
    const v = r.env.value as { errors: string[]; ACL: { ip: string }[] };
    assert.deepEqual(v.errors, [
      'In line 1 (plugin.example), DNS resolving is disabled on this bastion',
      'In line 3 (root@other.example:22), DNS resolving is disabled on this bastion',
    ]);
    assert.deepEqual(
      v.ACL.map((e) => e.ip),
      ['127.0.0.1'],
    );
    assert.equal(dns.total(), before);
  });
});

test('--reverse-dns: a PTR answer names the address; below dnsSupportLevel 2 nothing is asked, as The Bastion', async () => {
  const r = await osh(srv, named, ['--osh', 'selfListAccesses', '--reverse-dns']);
  assert.equal(r.env.error_code, 'OK', brief(r));
  const entry = (r.env.value as { acl: { ip: string; reverseDns: string | null }[] }[])[0]?.acl[0];
  assert.deepEqual({ ip: entry?.ip, reverseDns: entry?.reverseDns }, { ip: NAMED, reverseDns: 'plugin.example' });
  for (const level of [1, 0]) {
    await withConfig({ dnsSupportLevel: level }, async () => {
      const before = asked('.in-addr.arpa');
      const off = await osh(srv, named, ['--osh', 'selfListAccesses', '--reverse-dns']);
      assert.equal(off.env.error_code, 'OK', brief(off));
      const e = (off.env.value as { acl: { reverseDns: string | null }[] }[])[0]?.acl[0];
      assert.equal(e?.reverseDns, null);
      assert.equal(asked('.in-addr.arpa'), before, `level ${level}: no reverse query`);
    });
  }
});
