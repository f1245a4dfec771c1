// batch through the dispatcher, in-process: lines read from stdin, each run as a call of its own
// (same account, same checks, its own audit row and log line), answered in order in one envelope;
// The Bastion's tests/functional/tests.d/340-selfaccesses.sh "batch plugin" assertions, the end
// conditions, the --json stripping, the batchMaxCommands cap and batch inside batch. Over SSH
// (stdin through OpenSSH, parsed with jq): test/e2e/batch.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { runCall } from '../../src/dispatch/dispatch.js';
import type { AuditRow } from '../../src/store/audit.js';
import { sqliteOf } from '../../src/store/inspect.js';
import type { Envelope } from '../helpers/clients.js';
import { callInProcess, oshInProcess, type InProcessAnswer } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let bob: { name: string };
before(async () => {
  srv = await startTestServer();
  bob = srv.addAccount('bob');
});
after(async () => {
  await srv.close();
});

const batch = (stdin: string, who: { name: string } = bob, extra: readonly string[] = []): Promise<InProcessAnswer> =>
  oshInProcess(srv, who, ['--osh', 'batch', ...extra], { stdin });

interface Item {
  command: string;
  result: { error_code: string; error_message: string; value: unknown };
}
const items = (env: Envelope): Item[] => env.value as Item[];
const commands = (env: Envelope): string[] => items(env).map((i) => i.command);
const codes = (env: Envelope): string[] => items(env).map((i) => i.result.error_code);
/** The account a listed info or accountInfo answer names. */
const accountOf = (item: Item | undefined): unknown => (item?.result.value as { account?: unknown } | null | undefined)?.account;

const auditRows = (): AuditRow[] => sqliteOf(srv.gh.store).prepare('SELECT * FROM audit ORDER BY id').all() as AuditRow[];

describe('batch runs each line as a call of its own', () => {
  test('info, selfListIngressKeys, selfListEgressKeys: answered in order, each with the envelope it gets alone', async () => {
    const a = await batch('info\nselfListIngressKeys\nselfListEgressKeys\n');
    assert.equal(a.exit, 0, a.stdout + a.stderr);
    assert.equal(a.env.command, 'batch');
    assert.equal(a.env.error_code, 'OK');
    assert.deepEqual(commands(a.env), ['info', 'selfListIngressKeys', 'selfListEgressKeys']);
    for (const item of items(a.env)) {
      // The Bastion's result is its helper's decoded envelope without `command`: the three keys.
      assert.deepEqual(Object.keys(item.result).sort(), ['error_code', 'error_message', 'value']);
      const alone = await oshInProcess(srv, bob, ['--osh', item.command]);
      assert.deepEqual(item.result, { error_code: alone.env.error_code, error_message: alone.env.error_message, value: alone.env.value }, item.command);
    }
    const [info] = items(a.env);
    assert.equal(accountOf(info), 'bob');
    // Each command's text is shown as it runs (its header, its lines), after The Bastion's line.
    assert.match(a.stdout, /^~ --- waiting for input$/m);
    assert.match(a.stdout, /^~ --- launching command: info\n-+\S+-+gatehouse-[^\n]*\n=> information\n/m);
    assert.match(a.stdout, /^~ --- launching command: selfListEgressKeys$/m);
    assert.doesNotMatch(a.stdout, /command failed/);
  });

  test("The Bastion's 340-selfaccesses batch: a restricted command answers KO_RESTRICTED_COMMAND in the list and the batch goes on", async () => {
    const a = await batch('info\naccountInfo --account admin\nselfListEgressKeys\n');
    assert.equal(a.exit, 0);
    assert.equal(a.env.command, 'batch');
    assert.equal(a.env.error_code, 'OK');
    const [first, second, third] = items(a.env);
    assert.equal(first?.command, 'info');
    assert.equal(first?.result.error_code, 'OK');
    assert.equal(accountOf(first), 'bob');
    assert.deepEqual(second, {
      command: 'accountInfo --account admin',
      result: { error_code: 'KO_RESTRICTED_COMMAND', error_message: 'Sorry, this command is restricted and requires you to be specifically granted', value: null },
    });
    assert.equal(third?.command, 'selfListEgressKeys');
    assert.equal(third?.result.error_code, 'OK');
    // The failed command is flagged after its launch line; its refusal goes to stderr, as when it is called alone.
    assert.match(a.stdout, /^~ --- launching command: accountInfo --account admin\n~ \[#\] --- command failed!\n~ --- launching command: selfListEgressKeys$/m);
    assert.equal(a.stdout.match(/command failed/g)?.length, 1);
    assert.match(a.stderr, /Sorry, this command is restricted/);
  });

  test('an admin runs the same restricted command: the rights are those of the caller, checked per command', async () => {
    const a = await batch('accountInfo --account bob\n', srv.admin);
    assert.deepEqual(codes(a.env), ['OK']);
    assert.equal(accountOf(items(a.env)[0]), 'bob');
  });

  test('a command sees what the commands before it did (they run one after the other)', async () => {
    const who = srv.addAccount('sequential');
    const a = await batch('selfListEgressKeys\nselfGenerateEgressKey --algo ed25519 --size 256\nselfListEgressKeys\n', who);
    assert.deepEqual(codes(a.env), ['OK', 'OK', 'OK']);
    const [before, , after] = items(a.env);
    assert.deepEqual(before?.result.value, {});
    assert.equal(Object.keys(after?.result.value ?? {}).length, 1);
  });

  test('errors of every kind are listed and do not stop the batch: unknown command, bad options, a refused split', async () => {
    const a = await batch("noSuchPlugin\ninfo --bogus\ninfo 'unbalanced\ninfo\n");
    assert.equal(a.exit, 0);
    assert.equal(a.env.error_code, 'OK');
    assert.deepEqual(commands(a.env), ['noSuchPlugin', 'info --bogus', "info 'unbalanced", 'info']);
    assert.deepEqual(codes(a.env), ['KO_UNKNOWN_COMMAND', 'ERR_BAD_OPTIONS', 'KO_GETOPTS_FAILED', 'OK']);
    assert.equal(a.stdout.match(/--- command failed!/g)?.length, 3);
  });

  test('without --json the output has no frame at all: the commands run in a batch never print theirs', async () => {
    const r = await callInProcess(srv, bob.name, ['--osh', 'batch'], { stdin: 'info\nselfListIngressKeys\n' });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /=> information/);
    assert.doesNotMatch(r.stdout, /JSON_(START|OUTPUT|END)/);
    const j = await callInProcess(srv, bob.name, ['--osh', 'batch', '--json'], { stdin: 'info\nselfListIngressKeys\n' });
    assert.equal(j.stdout.match(/^JSON_START$/gm)?.length, 1, 'one frame: the batch');
  });

  test('with a pty, the commands run in a batch are shown with CRLF line endings, stderr merged', async () => {
    const r = await callInProcess(srv, bob.name, ['--osh', 'batch', '--json'], { pty: true, stdin: 'info\raccountInfo --account admin\rquit\r' });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /~ --- launching command: info\r\n/);
    assert.match(r.stdout, /=> information\r\n/);
    assert.match(r.stdout, /Sorry, this command is restricted[^\n]*\r\n/);
    assert.doesNotMatch(r.stdout, /[^\r]\n/, 'every line ends with CRLF');
  });
});

describe('where a batch ends, and what it reads', () => {
  test("a line 'exit' or 'quit', in any case, ends it: the lines after are not run", async () => {
    for (const word of ['exit', 'quit', 'EXIT', 'Quit']) {
      const a = await batch(`info\n${word}\nselfListIngressKeys\n`);
      assert.equal(a.exit, 0, word);
      assert.deepEqual(commands(a.env), ['info'], word);
    }
    // Only the whole line: ' exit' is a command (The Bastion compares the line as it is).
    const a = await batch(' exit\n');
    assert.deepEqual(codes(a.env), ['KO_UNKNOWN_COMMAND']);
  });

  test('end of input ends it; a last line without a newline is run; nothing at all answers an empty list', async () => {
    assert.deepEqual(commands((await batch('info\nselfListIngressKeys')).env), ['info', 'selfListIngressKeys']);
    const empty = await batch('');
    assert.equal(empty.exit, 0);
    assert.equal(empty.env.error_code, 'OK');
    assert.deepEqual(empty.env.value, []);
  });

  test('any --json* in a line is dropped (after a blank, as The Bastion does); blank lines are skipped', async () => {
    const a = await batch('info --json\n\n   \nselfListIngressKeys --json-pretty\n --json\ninfo --json-greppable --quiet\n');
    assert.equal(a.exit, 0);
    assert.deepEqual(commands(a.env), ['info', 'selfListIngressKeys', 'info --quiet']);
    assert.deepEqual(codes(a.env), ['OK', 'OK', 'OK']);
    assert.match(a.stdout, /^~ --- launching command: info --quiet$/m);
    // One envelope in the whole output: the batch's (oshInProcess requires exactly one JSON_OUTPUT line).
    assert.doesNotMatch(a.stdout, /JSON_START/);
  });

  test('the commands read no stdin: a command asking for input sees end of input, and the batch reads on', async () => {
    const a = await batch('selfAddIngressKey\ninfo\n');
    assert.deepEqual(commands(a.env), ['selfAddIngressKey', 'info']);
    assert.notEqual(codes(a.env)[0], 'OK');
    assert.equal(codes(a.env)[1], 'OK');
  });

  test('a line longer than stdinMaxLineBytes ends the batch with KO_INPUT_TOO_LONG, the commands already run listed', async () => {
    const a = await batch(`info\n${'x'.repeat(70_000)}\ninfo\n`);
    assert.equal(a.exit, 100);
    assert.equal(a.env.command, 'batch');
    assert.equal(a.env.error_code, 'KO_INPUT_TOO_LONG');
    assert.deepEqual(commands(a.env), ['info']);
    const logged = srv.logs.filter((l) => l['msg'] === 'stdin refused: longer than the limit' && l['plugin'] === 'batch');
    assert.deepEqual(
      logged.map((l) => [l['what'], l['limit']]),
      [['line', 65536]],
    );
  });

  test('batchMaxCommands: the command past it is not run, KO_TOO_MANY_COMMANDS lists those that were', async () => {
    srv.writeConfig({ bastionName: 'testbastion', batchMaxCommands: 2 });
    try {
      const rowsBefore = auditRows().length;
      const a = await batch('info\nselfListIngressKeys\nselfListEgressKeys\ninfo\n');
      assert.equal(a.exit, 100);
      assert.equal(a.env.command, 'batch');
      assert.equal(a.env.error_code, 'KO_TOO_MANY_COMMANDS');
      assert.equal(a.env.error_message, 'More than batchMaxCommands (2) commands were sent: the rest of the input was not run');
      assert.deepEqual(commands(a.env), ['info', 'selfListIngressKeys']);
      assert.deepEqual(codes(a.env), ['OK', 'OK']);
      assert.doesNotMatch(a.stdout, /launching command: selfListEgressKeys/);
      assert.equal(auditRows().length, rowsBefore + 3, 'two commands and the batch: the third never ran');
      const logged = srv.logs.filter((l) => l['msg'] === 'batch stopped: more commands than batchMaxCommands');
      assert.deepEqual(
        logged.map((l) => [l['level'], l['plugin'], l['limit']]),
        [[40, 'batch', 2]],
        'one warning when the limit trips',
      );
      // Exactly the cap is fine, and so are blank lines and the end word past it.
      const full = await batch('info\n\ninfo\nexit\n');
      assert.equal(full.env.error_code, 'OK');
      assert.deepEqual(commands(full.env), ['info', 'info']);
    } finally {
      srv.writeConfig({ bastionName: 'testbastion' });
    }
  });
});

describe('batch inside a batch, audit and log', () => {
  test('batch as a batch line answers KO_NESTED_CALL without reading or running anything; the outer batch goes on', async () => {
    const rowsBefore = auditRows().length;
    const a = await batch('batch\ninfo\n');
    assert.equal(a.exit, 0);
    assert.deepEqual(items(a.env)[0], {
      command: 'batch',
      result: { error_code: 'KO_NESTED_CALL', error_message: 'A batch can not be run from a batch', value: null },
    });
    assert.equal(items(a.env)[1]?.command, 'info');
    assert.equal(items(a.env)[1]?.result.error_code, 'OK');
    const rows = auditRows().slice(rowsBefore);
    assert.deepEqual(
      rows.map((r) => [r.plugin, r.error_code, r.exit_status]),
      [
        ['batch', 'KO_NESTED_CALL', 100],
        ['info', 'OK', 0],
        ['batch', 'OK', 0],
      ],
    );
  });

  test('each command is audited as a call of its own, on the same connection; its log line names the batch', async () => {
    const rowsBefore = auditRows().length;
    const logsBefore = srv.logs.length;
    const a = await batch('info\naccountInfo --account admin --json\nselfListIngressKeys\n');
    assert.equal(a.exit, 0);
    const rows = auditRows().slice(rowsBefore);
    assert.deepEqual(
      rows.map((r) => [r.account, r.kind, r.plugin, JSON.parse(r.args), r.error_code, r.exit_status]),
      [
        ['bob', 'osh', 'info', [], 'OK', 0],
        ['bob', 'refused', 'accountInfo', ['--account', 'admin'], 'KO_RESTRICTED_COMMAND', 106],
        ['bob', 'osh', 'selfListIngressKeys', [], 'OK', 0],
        ['bob', 'osh', 'batch', [], 'OK', 0],
      ],
    );
    assert.equal(new Set(rows.map((r) => r.conn_id)).size, 1, 'one connection');
    assert.equal(new Set(rows.map((r) => r.call_id)).size, 4, 'four calls');
    const batchCall = rows[3]?.call_id;
    const lines = srv.logs.slice(logsBefore).filter((l) => l['msg'] === 'call');
    assert.deepEqual(
      lines.map((l) => [l['plugin'], l['code'], l['via'] ?? null, l['parentCall'] ?? null]),
      [
        ['info', 'OK', 'batch', batchCall],
        ['accountInfo', 'KO_RESTRICTED_COMMAND', 'batch', batchCall],
        ['selfListIngressKeys', 'OK', 'batch', batchCall],
        ['batch', 'OK', null, null],
      ],
    );
    assert.equal(lines[3]?.['call'], batchCall);
  });

  test('a sub-call is a plugin call or nothing: a connection request made as one is refused before anything is dialled', async () => {
    // ctx.osh always runs `--osh LINE`; this is the dispatcher's own guard, called directly.
    const row = srv.gh.store.accounts.byName(bob.name);
    assert.ok(row);
    let stdout = '';
    let stderr = '';
    const outcome = await runCall(srv.gh.services, {
      account: row,
      peer: { ip: '127.0.0.1', port: 40000 },
      connId: randomUUID(),
      command: '--json 127.0.0.1 -p 1 -- true',
      kind: 'exec',
      pty: false,
      env: new Map(),
      stdin: Readable.from([]),
      gone: new AbortController().signal,
      sink: {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
      },
      log: srv.gh.log,
      parent: { callId: 'c0ffee', plugin: 'batch' },
    });
    assert.equal(outcome.exit, 104);
    assert.equal(outcome.code, 'KO_UNKNOWN_COMMAND');
    assert.equal(outcome.kind, undefined, 'not an egress call');
    assert.match(stderr, /Only --osh commands can be run from a batch/);
    assert.match(stdout, /"error_code":"KO_UNKNOWN_COMMAND"/);
  });

  test('--help shows the declaration: the end words, the stripping, the cap', async () => {
    const r = await callInProcess(srv, bob.name, ['--osh', 'batch', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /'exit' or 'quit'/);
    assert.match(r.stdout, /--json option in a line is dropped/);
    assert.match(r.stdout, /batchMaxCommands/);
  });
});
