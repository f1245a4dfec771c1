// Options and configuration keys that ask for something Gatehouse doesn't do (issue 9, item 12),
// in-process: each is refused, clearly, never parsed and then ignored. Through the dispatcher,
// every bastion option osh.pl knows and Gatehouse doesn't implement ends the request with a code
// naming it, before any connection is attempted (a TCP listener the account may reach counts the
// attempts). A bastion.conf asking for a security behaviour Gatehouse lacks stops startGatehouse
// with a ConfigRefusedError naming the key (which `gatehouse serve` turns into exit 110). The same
// attacks over SSH and through the command line, one case of each, are in
// test/e2e/security-options.test.ts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { ConfigRefusedError } from '../../src/config/parse.js';
import { startGatehouse, type Gatehouse } from '../../src/cli/main.js';
import { greppable } from '../helpers/clients.js';
import { callInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestServer, type TestAccount } from '../helpers/server.js';
import { addEgressAccount, grantPersonal } from '../helpers/targets.js';
import { waitFor } from '../helpers/wait.js';

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
// [words, code, exit, how the message names the option]. One of each code (-J, -e,
// --kbd-interactive, -i) is refused over SSH, in test/e2e/, with the control that does dial.
const TABLE: readonly [string[], string, number, string][] = [
  [['--bind', '127.0.0.1'], UNSUPPORTED, 111, '--bind'],
  [['--password', 'pwfile'], UNSUPPORTED, 111, '--password'],
  [['-P'], UNSUPPORTED, 111, '-P/--self-password'],
  [['--self-password'], UNSUPPORTED, 111, '-P/--self-password'],
  [['-x'], UNSUPPORTED, 111, '-x/--forward-agent'],
  [['--forward-agent'], UNSUPPORTED, 111, '-x/--forward-agent'],
  [['--proactive-mfa'], UNSUPPORTED, 111, '--proactive-mfa'],
  [['--mfa-token', 'v1,1,abc'], UNSUPPORTED, 111, '--mfa-token'],
  [['--generate-mfa-token'], UNSUPPORTED, 111, '--generate-mfa-token'],
  [['--fallback-password-delay', '3'], UNSUPPORTED, 111, '--fallback-password-delay'],
  [['--term-passthrough'], UNSUPPORTED, 111, '--term-passthrough'],
  [['--netconf'], UNSUPPORTED, 111, '--netconf'],
  [['--always-escape'], UNSUPPORTED, 111, '--always-escape'],
  [['--verbose'], UNSUPPORTED, 111, '--verbose'],
  [['--debug'], UNSUPPORTED, 111, '--debug'],
  // The Bastion's own refusal where its policy can disable the feature.
  [['--telnet'], 'KO_TELNET_DENIED', 107, '-e/--telnet'],
];

for (const [words, code, exit, named] of TABLE) {
  test(`connection request with ${words.join(' ')}: ${code}, exit ${exit}, no connection attempted`, async () => {
    const seen = attempts;
    const r = await callInProcess(srv, user.name, ['--json-greppable', ...words, `root@${TRAP}`, '-p', String(trapPort), '--', 'true']);
    assert.equal(r.code, exit, r.stderr);
    const env = greppable(r.stdout);
    assert.equal(env.error_code, code);
    assert.equal(env.command, null);
    assert.ok(env.error_message.includes(named), env.error_message);
    assert.ok(r.stderr.includes(named), 'the refusal is printed for people too');
    assert.equal(attempts, seen, 'the target was never dialled');
  });
}

test('a plugin call is refused the same way, before the plugin runs', async () => {
  const r = await callInProcess(srv, user.name, ['--json-greppable', '--osh', 'info', '--bind', '10.0.0.1']);
  assert.equal(r.code, 111);
  const env = greppable(r.stdout);
  assert.equal(env.error_code, UNSUPPORTED);
  assert.equal(env.command, null);
  assert.match(env.error_message, /--bind/);
  const line = srv.logs.find((l) => l['msg'] === 'call' && l['code'] === UNSUPPORTED);
  assert.ok(line, 'the call line says which refusal it was');
});

test('-i with interactiveModeAllowed: still refused, as unsupported', async () => {
  srv.writeConfig({ bastionName: 'testbastion', interactiveModeAllowed: true });
  try {
    const r = await callInProcess(srv, user.name, ['--json-greppable', '-i']);
    assert.equal(r.code, 111);
    assert.equal(greppable(r.stdout).error_code, UNSUPPORTED);
  } finally {
    srv.writeConfig({ bastionName: 'testbastion' });
  }
});

test('--never-escape asks for what Gatehouse always does: accepted', async () => {
  const r = await callInProcess(srv, user.name, ['--json-greppable', '--never-escape', '--osh', 'info']);
  assert.equal(r.code, 0, r.stderr);
});

// --- bastion.conf keys that change security -------------------------------------------------

// readOnlySlaveMode is also refused through `gatehouse serve`, in test/e2e/.
const REFUSED_CONFIGS: readonly [Record<string, unknown>, string][] = [
  [{ ingressToEgressRules: [[['10.0.0.0/8'], ['192.168.0.0/16'], 'ALLOW-EXCLUSIVE']] }, 'ingressToEgressRules'],
  [{ ingressRequirePIV: true }, 'ingressRequirePIV'],
  [{ accountExternalValidationProgram: '/usr/local/bin/validate' }, 'accountExternalValidationProgram'],
  [{ accountMFAPolicy: 'totp-required' }, 'accountMFAPolicy'],
];

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-opt-'));
}

/** startGatehouse as `gatehouse serve` runs it, on the bastion.conf given. */
function startWith(cwd: string, conf: string, logDestination: Writable = new Writable({ write: (_c, _e, cb) => cb() })): Promise<Gatehouse> {
  const configPath = path.join(cwd, 'bastion.conf');
  fs.writeFileSync(configPath, conf);
  return startGatehouse({ configPath, overrides: { listen: ['127.0.0.1:0'], dataDir: path.join(cwd, 'data'), hostKeysDir: path.join(cwd, 'hk') }, logDestination });
}

for (const [keys, name] of REFUSED_CONFIGS) {
  test(`startGatehouse refuses to start with ${name} set (ConfigRefusedError, which serve exits 110 for; the key named)`, async () => {
    const cwd = tmpDir();
    try {
      const e = await startWith(cwd, JSON.stringify({ bastionName: 'x', ...keys }, null, 2)).then(
        (gh) => gh.close().then(() => null),
        (thrown: unknown) => thrown,
      );
      assert.ok(e instanceof ConfigRefusedError, String(e));
      assert.match(e.message, new RegExp(`unsupported security settings: '${name}'`));
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
}

test('the inert values of those keys (as in bastion.conf.dist) start normally; unknown keys only warn', async () => {
  const cwd = tmpDir();
  try {
    const conf = {
      bastionName: 'x',
      readOnlySlaveMode: false,
      ingressToEgressRules: [],
      ingressRequirePIV: false,
      accountExternalValidationProgram: '',
      accountMFAPolicy: 'enabled',
      syslogFacility: 'local7',
    };
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    const gh = await startWith(cwd, JSON.stringify(conf, null, 2), sink);
    try {
      await waitFor('the listening line', () => logs.some((l) => l['msg'] === 'listening'));
      assert.ok(logs.some((l) => String(l['msg']).includes("option 'syslogFacility' is not used by Gatehouse")));
    } finally {
      await gh.close();
    }
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});

test('in-process: startGatehouse throws ConfigRefusedError and listens on nothing', async () => {
  const cwd = tmpDir();
  try {
    const configPath = path.join(cwd, 'bastion.conf');
    fs.writeFileSync(configPath, '# a replica\n{ "readOnlySlaveMode": true }\n');
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await assert.rejects(
      startGatehouse({ configPath, overrides: { listen: ['127.0.0.1:0'], dataDir: path.join(cwd, 'data'), hostKeysDir: path.join(cwd, 'hk') }, logDestination: sink }),
      (e: unknown) => e instanceof ConfigRefusedError && /readOnlySlaveMode/.test(e.message),
    );
    assert.equal(fs.existsSync(path.join(cwd, 'data')), false, 'nothing was created');
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
