// batch over SSH, as a robot runs it: the lines piped into the real OpenSSH client, the answer
// taken from the one JSON frame with The Bastion's documented awk (doc/sphinx/using/api.rst) and
// read with jq. What batch does with each line is tested in-process: test/plugins/batch.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { collect } from '../helpers/child.js';
import { sshCall } from '../helpers/clients.js';
import { OPENSSH_BATCH_OPTIONS } from '../helpers/openssh.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let bot: TestAccount;
before(async () => {
  srv = await startTestServer();
  bot = srv.addAccount('robot');
});
after(async () => {
  await srv.close();
});

// The ssh arguments come in as "$@" (no quoting to get wrong); pipefail makes ssh's status count.
const PIPELINE = [
  'set -o pipefail',
  `printf 'info\\nselfListIngressKeys\\n' | ssh "$@" -- --osh batch --json \\`,
  `  | awk '/^JSON_END\\r?$/ {if(P==1){exit}} { if(P==1){print} } /^JSON_START\\r?$/ {P=1}' \\`,
  `  | jq -c '[.command, .error_code, (.value | length), .value[0].command, .value[0].result.value.account, .value[1].command, .value[1].result.error_code]'`,
].join('\n');

test('printf … | ssh robot@bastion -- --osh batch --json, parsed with jq: two commands, answered in order', async () => {
  const child = spawn('bash', ['-c', PIPELINE, 'bash', ...OPENSSH_BATCH_OPTIONS, '-i', bot.key.privateFile, '-p', String(srv.port), `${bot.name}@127.0.0.1`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = await collect(child, { timeoutMs: 20000, label: 'batch pipeline' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['batch', 'OK', 2, 'info', 'robot', 'selfListIngressKeys', 'OK']);
});

test("on the wire: one frame (the batch's), the commands' text on stdout, a refusal on stderr, exit 0", async () => {
  const r = await sshCall(srv.port, bot.name, bot.key.privateFile, ['--osh', 'batch', '--json'], { stdin: 'info\naccountList\nquit\nselfListIngressKeys\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.match(/^JSON_START$/gm)?.length, 1);
  assert.match(r.stdout, /^~ --- launching command: info$/m);
  assert.match(r.stdout, /^=> information$/m);
  assert.match(r.stderr, /Sorry, this command is restricted/);
  const frame = /\nJSON_START\n(.*)\nJSON_END\n/.exec(r.stdout);
  assert.ok(frame?.[1]);
  const env = JSON.parse(frame[1]) as { value: { command: string; result: { error_code: string } }[] };
  assert.deepEqual(
    env.value.map((i) => [i.command, i.result.error_code]),
    [
      ['info', 'OK'],
      ['accountList', 'KO_RESTRICTED_COMMAND'],
    ],
  );
});
