// accountCreate over SSH: the key given as an option or on stdin, the options stored, the new
// account able to log in, and every refusal leaving nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { greppable, sshCall, type Envelope } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { fingerprintOf } from '../../src/keys/publicKey.js';
import { VERSION } from '../../src/kernel/version.js';
import { sqliteOf } from '../../src/store/inspect.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

interface Call {
  code: number | null;
  env: Envelope;
  stdout: string;
}

async function admin(args: string[], stdin?: string): Promise<Call> {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--json-greppable', '--osh', ...args], stdin === undefined ? {} : { stdin });
  return { code: r.code, env: greppable(r.stdout), stdout: r.stdout };
}

/** The key line as one word for the remote side (OpenSSH joins words with spaces). */
const quoted = (line: string): string => `"${line}"`;

const row = (name: string) => srv.gh.store.accounts.byName(name);

describe('accountCreate', () => {
  test('with --public-key: OK, value null, key, egress key and creation facts stored; the account logs in', async () => {
    const key = srv.newKey('ed25519', 'alice@laptop');
    const r = await admin(['accountCreate', '--account', 'alice', '--uid', '9001', '--public-key', quoted(key.publicLine)]);
    assert.equal(r.code, 0, r.stdout);
    assert.deepEqual(r.env, { command: 'accountCreate', error_code: 'OK', error_message: r.env.error_message, value: null });
    const a = row('alice');
    assert.ok(a);
    assert.equal(a.uid, 9001);
    assert.equal(a.created_by, 'admin');
    assert.equal(a.ttl_seconds, null);
    assert.equal(a.comment, null);
    const keys = srv.gh.store.ingressKeys.forAccount(a.id);
    assert.equal(keys.length, 1);
    const blob = Buffer.from(key.publicLine.split(' ')[1] as string, 'base64');
    assert.equal(keys[0]?.fingerprint, fingerprintOf(blob));
    const egress = srv.gh.store.egressKeys.forAccount(a.id);
    assert.equal(egress.length, 1);
    assert.match(egress[0]?.comment ?? '', /^alice@testbastion:\d+$/);
    assert.equal(srv.gh.store.accounts.settings(a.id).get('creation_bastion_version'), VERSION);

    const info = await sshCall(srv.port, 'alice', key.privateFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(greppable(info.stdout).value.account, 'alice');
  });

  test('with the key on stdin and --uid-auto: the highest free uid, and the account logs in', async () => {
    const cfg = srv.gh.config.current();
    const used = new Set(srv.gh.store.accounts.all().map((a) => a.uid));
    let expected = cfg.accountUidMax;
    while (used.has(expected)) expected--;
    const key = srv.newKey('ecdsa');
    const r = await admin(['accountCreate', '--account', 'bob', '--uid-auto'], key.publicLine + '\n');
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.env.error_code, 'OK');
    assert.equal(r.env.value, null);
    assert.equal(row('bob')?.uid, expected);
    const info = await sshCall(srv.port, 'bob', key.privateFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(info.code, 0, info.stderr);
  });

  test('--no-key with the flags, --max-inactive-days, --comment and --ttl: all stored', async () => {
    const r = await admin([
      'accountCreate',
      '--account',
      'Bot.Two_x',
      '--uid',
      '9010',
      '--no-key',
      '--always-active',
      '--osh-only',
      '--immutable-key',
      '--max-inactive-days',
      '42',
      '--comment',
      quoted('ticket 1234'),
      '--ttl',
      '2h30m',
    ]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.env.error_code, 'OK');
    const a = row('Bot.Two_x');
    assert.ok(a);
    assert.equal(a.comment, 'ticket 1234');
    assert.equal(a.ttl_seconds, 9000);
    assert.equal(srv.gh.store.ingressKeys.forAccount(a.id).length, 0);
    const s = srv.gh.store.accounts.settings(a.id);
    assert.equal(s.get('always_active'), 'yes');
    assert.equal(s.get('osh_only'), 'yes');
    assert.equal(s.get('immutable_key'), 'yes');
    assert.equal(s.get('max_inactive_days'), '42');
  });

  test('--ttl: once elapsed, the account is refused with exit 121', async () => {
    const key = srv.newKey();
    const r = await admin(['accountCreate', '--account', 'temp', '--uid-auto', '--ttl', '1h', '--public-key', quoted(key.publicLine)]);
    assert.equal(r.code, 0, r.stdout);
    const ok = await sshCall(srv.port, 'temp', key.privateFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(ok.code, 0, ok.stderr);
    // Move the creation an hour and a bit into the past rather than waiting for the TTL.
    sqliteOf(srv.gh.store).prepare('UPDATE accounts SET created_at = created_at - 3700 WHERE name = ?').run('temp');
    const refused = await sshCall(srv.port, 'temp', key.privateFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(refused.code, 121);
    assert.equal(greppable(refused.stdout).error_code, 'KO_TTL_EXPIRED');
    assert.match(refused.stderr, /TTL has expired/);
  });

  test('refusals: each code, exit 100, and no account left behind', async () => {
    const key = srv.newKey();
    const pk = quoted(key.publicLine);
    const small = generateCheckedKeyPair('rsa', { bits: 1024 });
    const cases: [string[], string][] = [
      [['--account', 'x1', '--public-key', pk], 'ERR_MISSING_PARAMETER'],
      [['--account', 'x1', '--uid', '9100', '--uid-auto', '--public-key', pk], 'ERR_INCOMPATIBLE_PARAMETERS'],
      [['--account', 'x1', '--uid-auto', '--no-key', '--public-key', pk], 'ERR_INCOMPATIBLE_PARAMETERS'],
      [['--account', 'x1', '--uid', '0', '--no-key'], 'ERR_IN_YOUR_DREAMS'],
      [['--account', 'x1', '--uid', '9001', '--no-key'], 'ERR_UID_COLLISION'],
      [['--account', 'x1', '--uid', '150', '--no-key'], 'ERR_UID_INVALID_RANGE'],
      [['--account', 'x1', '--uid-auto', '--no-key', '--max-inactive-days', '-1'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'x1', '--uid-auto', '--no-key', '--ttl', '3x'], 'KO_INVALID_PARAMETER'],
      [['--account', 'bad!name', '--uid-auto', '--no-key'], 'ERR_INVALID_PARAMETER'],
      [['--account', 'keyring', '--uid-auto', '--no-key'], 'KO_FORBIDDEN_PREFIX'],
      [['--account', 'x1-tty', '--uid-auto', '--no-key'], 'KO_FORBIDDEN_SUFFIX'],
      [['--account', 'x', '--uid-auto', '--no-key'], 'KO_TOO_SMALL'],
      [['--account', 'a'.repeat(29), '--uid-auto', '--no-key'], 'KO_TOO_LONG'],
      [['--account', 'alice', '--uid-auto', '--no-key'], 'KO_ALREADY_EXISTING'],
      [['--account', 'x1', '--uid-auto', '--public-key', quoted('ssh-ed25519 notbase64!')], 'KO_NOT_A_KEY'],
      [['--account', 'x1', '--uid-auto', '--public-key', quoted(small.public)], 'KO_KEY_SIZE_TOO_SMALL'],
      [['--account', 'x1', '--uid-auto', '--bogus'], 'ERR_BAD_OPTIONS'],
    ];
    const before = srv.gh.store.accounts.count();
    for (const [args, code] of cases) {
      const r = await admin(['accountCreate', ...args]);
      assert.equal(r.env.error_code, code, `${args.join(' ')}\n${r.stdout}`);
      assert.equal(r.code, 100, args.join(' '));
      assert.equal(r.env.command, 'accountCreate');
      assert.equal(r.env.value, null);
    }
    assert.equal(srv.gh.store.accounts.count(), before);
    assert.equal(row('x1'), undefined);
  });

  test('no key on stdin (end of input) is a clear KO_NOT_A_KEY, at once', async () => {
    const r = await admin(['accountCreate', '--account', 'nokey', '--uid-auto']);
    assert.equal(r.code, 100);
    assert.equal(r.env.error_code, 'KO_NOT_A_KEY');
    assert.match(r.env.error_message, /stdin/);
    assert.equal(row('nokey'), undefined);
  });

  test('a private key on stdin is refused and not stored', async () => {
    const key = srv.newKey();
    const r = await admin(['accountCreate', '--account', 'leaky', '--uid-auto'], key.privateKey.split('\n')[0] + '\n');
    assert.equal(r.env.error_code, 'KO_PRIVATE_KEY');
    assert.equal(row('leaky'), undefined);
  });

  test('an account without the grant is refused before anything is parsed (106)', async () => {
    const u = srv.addAccount('plainuser');
    const r = await sshCall(srv.port, u.name, u.key.privateFile, ['--json-greppable', '--osh', 'accountCreate', '--account', 'x2', '--uid-auto', '--no-key']);
    assert.equal(r.code, 106);
    const env = greppable(r.stdout);
    assert.equal(env.error_code, 'KO_RESTRICTED_COMMAND');
    assert.equal(env.command, null);
    assert.equal(row('x2'), undefined);
  });

  test('an account granted accountCreate may create accounts', async () => {
    const u = srv.addAccount('creator');
    const id = row('creator')?.id ?? 0;
    srv.gh.store.grants.grant(id, 'accountCreate', 'test', Math.floor(Date.now() / 1000));
    const r = await sshCall(srv.port, u.name, u.key.privateFile, ['--json-greppable', '--osh', 'accountCreate', '--account', 'created2', '--uid-auto', '--no-key']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(row('created2')?.created_by, 'creator');
  });
});

test('a key whose from= names a host, not an address, is refused as selfAddIngressKey refuses it', async () => {
  const key = srv.newKey('ed25519', 'gina@laptop');
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, [
    // Single quotes so the double quotes of from="…" reach the key parser.
    '--json-greppable',
    '--osh',
    'accountCreate',
    '--account',
    'gina',
    '--uid-auto',
    '--public-key',
    `'from="laptop.example.org" ${key.publicLine}'`,
  ]);
  assert.equal(r.code, 100, r.stdout + r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'ERR_INVALID_PARAMETER');
  assert.equal(srv.gh.store.accounts.byName('gina'), undefined, 'nothing written');
});
