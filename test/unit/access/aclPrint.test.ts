// The listing printer: The Bastion's JSON entry shape and text table (empty columns left out),
// --include/--exclude on the text cells applied to both, and reverse names (loopback only here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { addedDate, printAcls, reverseNames } from '../../../src/access/aclPrint.js';
import { Terminal } from '../../../src/osh/terminal.js';
import type { PluginContext } from '../../../src/osh/context.js';
import type { AclView } from '../../../src/store/acl.js';

const NOW = 1_800_000_000;
function ctxWith(out: string[]): PluginContext {
  const term = new Terminal(
    { stdout: (t) => out.push(t), stderr: (t) => out.push(t) },
    { pty: false, quiet: false, json: 'none', boxes: false, fancyPrefixes: false, hostname: 'h', version: 'v' },
  );
  return { out: term, clock: { now: () => NOW * 1000 } } as unknown as PluginContext;
}
const row = (o: Partial<AclView>): AclView => ({
  id: 1,
  kind: 'group',
  account_id: null,
  group_id: 1,
  ip: '192.0.2.1',
  family: 4,
  prefix_len: 32,
  user: null,
  port: null,
  protocol: null,
  comment: null,
  expires_at: null,
  force_key: null,
  force_password: null,
  added_by: 'alice',
  added_at: NOW - 86400,
  ...o,
});

test('JSON entries have every field of The Bastion, port as a string, protocol lines as !proto', () => {
  const out: string[] = [];
  const [c] = printAcls(
    ctxWith(out),
    [{ type: 'group', group: 'web', acl: [row({ port: 22, user: 'root', comment: 'db', expires_at: NOW + 60 }), row({ ip: '10.0.0.0/8', protocol: 'sftp' })] }],
    {},
  );
  assert.ok(c);
  assert.deepEqual(c.acl[0], {
    ip: '192.0.2.1',
    user: 'root',
    port: '22',
    forceKey: null,
    forcePassword: null,
    expiry: NOW + 60,
    addedBy: 'alice',
    addedDate: addedDate(NOW - 86400),
    userComment: 'db',
    comment: null,
    proxyIp: null,
    proxyPort: null,
    proxyUser: null,
    reverseDns: null,
  });
  assert.equal(c.acl[1]?.user, '!sftp');
  const text = out.join('');
  assert.match(text, /IP PORT +USER +ACCESS-BY ADDED-BY +ADDED-AT +EXPIRY\? COMMENT/);
  assert.doesNotMatch(text, /FORCED-KEY|FORCED-PASSWORD/, 'columns nobody filled are left out');
  assert.match(text, /web\(group\)/);
  assert.match(text, /00:01:00 \(/, 'the expiry as a duration and a date');
  assert.match(text, /2 accesses listed/);
});

test('--include/--exclude match any text cell and filter the JSON as well; --hide-groups drops group contexts', () => {
  const acl = [row({ ip: '192.0.2.1' }), row({ ip: '192.0.2.2', comment: 'backup' }), row({ ip: '198.51.100.1' })];
  const only = printAcls(ctxWith([]), [{ type: 'group', group: 'web', acl }], { includes: ['192.0.2.*'], excludes: ['backup'] });
  assert.deepEqual(
    only[0]?.acl.map((e) => e.ip),
    ['192.0.2.1'],
  );
  const hidden = printAcls(
    ctxWith([]),
    [
      { type: 'personal', acl },
      { type: 'group-member', group: 'web', acl },
    ],
    { hideGroups: true },
  );
  assert.deepEqual(
    hidden.map((c) => c.type),
    ['personal'],
  );
});

const reverseCtx = (dnsSupportLevel: number) => ({
  config: { dnsResolveTimeoutSeconds: 5, dnsMaxConcurrentLookups: 3, dnsServers: [], dnsSupportLevel },
  log: pino({ level: 'silent' }),
  caller: { peer: { ip: '127.0.0.1' } },
});

test('reverse names: a loopback address resolves through /etc/hosts; blocks are not looked up', async () => {
  const names = await reverseNames(reverseCtx(2), [row({ ip: '127.0.0.1' }), row({ ip: '127.0.0.0/8' })]);
  assert.equal(typeof names.get('127.0.0.1'), 'string');
  assert.equal(names.has('127.0.0.0/8'), false);
});

test('reverse names below dnsSupportLevel 2: none looked up, every address printed as itself', async () => {
  for (const level of [0, 1]) {
    const names = await reverseNames(reverseCtx(level), [row({ ip: '127.0.0.1' })]);
    assert.equal(names.get('127.0.0.1'), null);
  }
});
