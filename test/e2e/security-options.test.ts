// Options and configuration keys that ask for something Gatehouse doesn't do (issue 9, item 12):
// each is refused, clearly, never parsed and then ignored. Over SSH, a bastion option osh.pl knows
// and Gatehouse doesn't implement ends the request with a code naming it, on stdout and on stderr,
// before any connection is attempted (a TCP listener the account may reach counts the attempts):
// one option for each code here, the others in-process in test/plugins/security-options.test.ts.
// A bastion.conf asking for a security behaviour Gatehouse lacks stops `gatehouse serve` (exit
// 110; the other keys, and the inert values that start, in-process too) and is refused on reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { freePort, runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer, type TestAccount } from '../helpers/server.js';
import { addEgressAccount, grantPersonal } from '../helpers/targets.js';

const TRAP = '127.0.0.43';
let srv: TestServer;
let user: TestAccount;
let trap: net.Server;
let trapPort: number;
let attempts = 0;

before(async () => {
  srv = await startTestServer();
  user = addEgressAccount(srv, 'optuser');
  trap = net.createServer((s) => {
    attempts++;
    s.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, TRAP, resolve));
  trapPort = (trap.address() as net.AddressInfo).port;
  grantPersonal(srv.gh.store, user.id, { ip: TRAP });
});
after(async () => {
  await new Promise<void>((resolve) => trap.close(() => resolve()));
  await srv.close();
});

const UNSUPPORTED = 'ERR_UNSUPPORTED_OPTION';
// [words, code, exit, how the message names the option]: one of each code.
const TABLE: readonly [string[], string, number, string][] = [
  [['-J', 'jump.example'], UNSUPPORTED, 111, '-J'],
  // The Bastion's own refusals where its policy can disable the feature.
  [['-e'], 'KO_TELNET_DENIED', 107, '-e/--telnet'],
  [['--kbd-interactive'], 'KO_KBD_INTERACTIVE_DENIED', 115, '--kbd-interactive'],
  [['-i'], 'KO_INTERACTIVE_DISABLED', 114, 'Interactive mode'],
];

test('control: the same request without such an option does dial the target', async () => {
  const seen = attempts;
  const r = await sshCall(srv.port, user.name, user.key.privateFile, ['--json-greppable', `root@${TRAP}`, '-p', String(trapPort), '--', 'true']);
  assert.equal(r.code, 105, r.stderr);
  assert.ok(attempts > seen, 'the trap counted the connection');
});

for (const [words, code, exit, named] of TABLE) {
  test(`connection request with ${words.join(' ')}: ${code}, exit ${exit}, no connection attempted`, async () => {
    const seen = attempts;
    const r = await sshCall(srv.port, user.name, user.key.privateFile, ['--json-greppable', ...words, `root@${TRAP}`, '-p', String(trapPort), '--', 'true']);
    assert.equal(r.code, exit, r.stderr);
    const env = greppable(r.stdout);
    assert.equal(env.error_code, code);
    assert.equal(env.command, null);
    assert.ok(env.error_message.includes(named), env.error_message);
    assert.ok(r.stderr.includes(named), 'the refusal is printed for people too');
    assert.equal(attempts, seen, 'the target was never dialled');
  });
}

// --- bastion.conf keys that change security -------------------------------------------------

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-opt-'));
}

// The other keys are refused in-process (startGatehouse's ConfigRefusedError), in test/plugins/.
test('serve refuses to start with readOnlySlaveMode set (exit 110, the key named)', async () => {
  const cwd = tmpDir();
  try {
    fs.writeFileSync(path.join(cwd, 'bastion.conf'), JSON.stringify({ bastionName: 'x', readOnlySlaveMode: true }, null, 2));
    const r = await runCli(['serve', '--listen', `127.0.0.1:${await freePort()}`], { cwd, env: { HOME: cwd } });
    assert.equal(r.code, 110, r.stderr);
    assert.match(r.stderr, /unsupported security settings: 'readOnlySlaveMode'/);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test('a running bastion refuses such a file on reload and keeps its configuration', async () => {
  srv.writeConfig({ bastionName: 'reloaded', readOnlySlaveMode: true });
  try {
    const r = await sshCall(srv.port, user.name, user.key.privateFile, ['--json-greppable', '--osh', 'info']);
    assert.equal(r.code, 0);
    const v = greppable(r.stdout).value as Record<string, unknown>;
    assert.equal(v['slave_mode'], 0);
    assert.equal(v['bastion_name'], 'testbastion', 'the last good configuration stays in force');
    assert.ok(srv.logs.some((l) => l['msg'] === 'configuration file rejected, keeping the last good one' && String(l['err']).includes('readOnlySlaveMode')));
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});
