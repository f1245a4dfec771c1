// accountDelete through the dispatcher: --no-confirm, the confirmation sentence on stdin, a wrong
// one and none at all (never a hang), the admin protection, and everything of the account removed
// with it. (The end of stdin on an SSH channel reaching a plugin: test/e2e/keys-ingress.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Envelope } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

async function call(who: { name: string }, args: string[], stdin?: string): Promise<{ code: number | null; env: Envelope; stdout: string }> {
  const r = await oshInProcess(srv, who, ['--osh', 'accountDelete', ...args], stdin === undefined ? {} : { stdin });
  return { code: r.exit, env: r.env, stdout: r.stdout };
}
const admin = () => srv.admin;
const exists = (name: string): boolean => srv.gh.store.accounts.byName(name) !== undefined;
const now = () => Math.floor(Date.now() / 1000);

function rowsOf(table: string, accountId: number): number {
  const r = sqliteOf(srv.gh.store).prepare(`SELECT count(*) AS n FROM ${table} WHERE account_id = ?`).get(accountId) as { n: number };
  return r.n;
}

describe('accountDelete', () => {
  test("--no-confirm: deleted with its keys, egress keys, grants and settings; The Bastion's value shape", async () => {
    srv.addAccount('victim', { settings: { osh_only: 'yes' } });
    const id = srv.gh.store.accounts.byName('victim')?.id ?? 0;
    srv.gh.store.grants.grant(id, 'accountInfo', 'test', now());
    srv.gh.store.egressKeys.insert({
      accountId: id,
      type: 'ssh-ed25519',
      size: 256,
      fingerprint: 'SHA256:x',
      base64: 'AAAA',
      comment: 'c',
      privateSealed: Buffer.from('sealed'),
      createdAt: now(),
    });
    for (const t of ['ingress_keys', 'account_egress_keys', 'command_grants', 'account_settings']) assert.ok(rowsOf(t, id) > 0, t);

    const r = await call(admin(), ['--account', 'victim', '--no-confirm']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.env.command, 'accountDelete');
    assert.equal(r.env.error_code, 'OK');
    assert.deepEqual(r.env.value, { account: 'victim', ttygroup: null, operation: 'deleted', errors: 0 });
    assert.equal(exists('victim'), false);
    for (const t of ['ingress_keys', 'account_egress_keys', 'command_grants', 'account_settings']) assert.equal(rowsOf(t, id), 0, t);
  });

  test('the confirmation sentence on stdin deletes', async () => {
    srv.addAccount('victim2');
    const r = await call(admin(), ['--account', 'victim2'], 'Yes, do as I say and delete victim2, kthxbye\n');
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.env.error_code, 'OK');
    assert.equal(r.env.value.operation, 'deleted');
    assert.equal(exists('victim2'), false);
  });

  test('a wrong sentence: ERR_OPERATOR_IS_DRUNK, nothing deleted', async () => {
    srv.addAccount('keepme');
    for (const sentence of ['foobar\n', 'Yes, do as I say and delete someoneelse, kthxbye\n', 'yes, do as i say and delete keepme, kthxbye\n']) {
      const r = await call(admin(), ['--account', 'keepme'], sentence);
      assert.equal(r.code, 100);
      assert.equal(r.env.error_code, 'ERR_OPERATOR_IS_DRUNK');
      assert.equal(r.env.value, null);
      assert.equal(exists('keepme'), true);
    }
  });

  test('no stdin at all: ERR_OPERATOR_IS_DRUNK (end of input, no wait for the timeout), nothing deleted', async () => {
    const r = await call(admin(), ['--account', 'keepme']);
    assert.equal(r.code, 100);
    assert.equal(r.env.error_code, 'ERR_OPERATOR_IS_DRUNK');
    assert.match(r.env.error_message, /stdin/);
    assert.equal(exists('keepme'), true);
  });

  test('refusals: unknown account, invalid name, missing --account', async () => {
    const cases: [string[], string][] = [
      [['--account', 'nosuchaccount', '--no-confirm'], 'KO_NOT_FOUND'],
      [['--account', 'realm/user', '--no-confirm'], 'KO_REALM_FORBIDDEN'],
      [['--account', 'keyx', '--no-confirm'], 'KO_FORBIDDEN_PREFIX'],
      [['--no-confirm'], 'ERR_MISSING_PARAMETER'],
    ];
    for (const [args, code] of cases) {
      const r = await call(admin(), args);
      assert.equal(r.env.error_code, code, args.join(' '));
      assert.equal(r.code, 100);
    }
  });

  test('an account granted accountDelete may delete accounts, but not an admin', async () => {
    const deleter = srv.addAccount('deleter');
    const id = srv.gh.store.accounts.byName('deleter')?.id ?? 0;
    srv.gh.store.grants.grant(id, 'accountDelete', 'test', now());
    srv.addAccount('victim3');
    const ok = await call(deleter, ['--account', 'victim3', '--no-confirm']);
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(exists('victim3'), false);

    const refused = await call(deleter, ['--account', 'admin', '--no-confirm']);
    assert.equal(refused.code, 100);
    assert.equal(refused.env.error_code, 'ERR_SECURITY_VIOLATION');
    assert.equal(exists('admin'), true);
  });

  test('without the grant: 106 before anything is parsed', async () => {
    const u = srv.addAccount('nogrant');
    const r = await call(u, ['--account', 'keepme', '--no-confirm']);
    assert.equal(r.code, 106);
    assert.equal(r.env.error_code, 'KO_RESTRICTED_COMMAND');
    assert.equal(r.env.command, null);
    assert.equal(exists('keepme'), true);
  });

  test('the robot alias of --no-confirm works', async () => {
    srv.addAccount('victim4');
    const r = await call(admin(), ['--account', 'victim4', '--i-am-a-robot-and-i-dont-know-how-to-answer-your-question']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(exists('victim4'), false);
  });
});
