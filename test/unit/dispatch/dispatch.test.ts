// runCall's promise, "exactly one envelope per call", held when something outside a plugin handler
// throws: a real SQLite store closed under the dispatcher, a plugin (loaded from its own folder)
// whose declaration breaks option parsing, and a client channel that fails after the answer.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, test } from 'node:test';
import type { CallOutcome } from '../../../src/dispatch/callTypes.js';
import { runCall } from '../../../src/dispatch/dispatch.js';
import type { Sink } from '../../../src/osh/terminal.js';
import { createLogger } from '../../../src/kernel/log.js';
import type { AnyPlugin } from '../../../src/osh/define.js';
import { loadPlugins } from '../../../src/osh/registry.js';
import { type DispatchBench, dispatchBench } from '../../helpers/dispatchBench.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dispatch-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const INTERNAL = 'Internal error, the details are in the bastion log';

function bench(name: string, plugins: ReadonlyMap<string, AnyPlugin>): DispatchBench {
  const b = dispatchBench(path.join(tmp, `${name}.db`), plugins);
  after(() => b.close());
  return b;
}

interface Call {
  readonly outcome: CallOutcome;
  readonly stdout: string;
  readonly stderr: string;
  readonly logs: Record<string, unknown>[];
}

/** One call through runCall; `failOn` makes the client channel throw on the first stdout write that contains it. */
async function call(b: DispatchBench, command: string, failOn?: string): Promise<Call> {
  let stdout = '';
  let stderr = '';
  const sink: Sink = {
    stdout(text) {
      if (failOn !== undefined && text.includes(failOn)) throw new Error('channel closed under the call');
      stdout += text;
    },
    stderr(text) {
      stderr += text;
    },
  };
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const outcome = await runCall(b.svc, {
    account: b.account,
    peer: { ip: '127.0.0.1', port: 40000 },
    connId: 'conn-test',
    command,
    kind: 'exec',
    pty: false,
    env: new Map(),
    stdin: Readable.from([]),
    gone: new AbortController().signal,
    sink,
    log: createLogger('info', logStream),
  });
  return { outcome, stdout, stderr, logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function envelopes(out: string): Record<string, unknown>[] {
  const greppable = out
    .split('\n')
    .filter((l) => l.startsWith('JSON_OUTPUT='))
    .map((l) => l.slice('JSON_OUTPUT='.length));
  const framed = [...out.matchAll(/\nJSON_START\n([\s\S]*?)\nJSON_END\n/g)].map((m) => m[1] as string);
  return [...greppable, ...framed].map((j) => JSON.parse(j) as Record<string, unknown>);
}

test('a store error before any plugin runs: one ERR_INTERNAL envelope (command null), the error line on stderr, exit 100', async () => {
  const b = bench('closed', await loadPlugins());
  // A real SQLite failure: the connection is gone when route reads the account's settings.
  b.store.close();
  const r = await call(b, '--json-greppable --osh info');
  assert.deepEqual(envelopes(r.stdout), [{ command: null, error_code: 'ERR_INTERNAL', error_message: INTERNAL, value: null }]);
  assert.match(r.stderr, /^~ \[!\] Internal error, the details are in the bastion log$/m);
  assert.deepEqual(r.outcome, { exit: 100, code: 'ERR_INTERNAL', plugin: null });
  assert.equal(r.logs.filter((l) => l['msg'] === 'call failed').length, 1);
  // The audit row can't be written either (same closed store): that is logged, not thrown.
  assert.equal(r.logs.filter((l) => l['msg'] === 'audit row could not be written').length, 1);
  assert.equal(r.logs.filter((l) => l['msg'] === 'call' && l['code'] === 'ERR_INTERNAL').length, 1);

  // Without --json, the same error line and no frame.
  const text = await call(b, '--osh info');
  assert.equal(envelopes(text.stdout).length, 0);
  assert.match(text.stderr, /~ \[!\] Internal error/);
  assert.equal(text.outcome.exit, 100);
});

test("a plugin whose declaration breaks option parsing: one ERR_INTERNAL envelope in the plugin's name, between its header and footer", async () => {
  // A plugin dropped into its own plugins folder, as a JS file nobody type-checked: `choices`
  // should be a list, and parsing --level against it throws outside the handler.
  const dir = path.join(tmp, 'plugins-broken');
  fs.mkdirSync(path.join(dir, 'open'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'open', 'brokenChoices.js'),
    `export default {
  name: 'brokenChoices',
  category: 'open',
  summary: 'A plugin with a malformed option declaration',
  options: { level: { type: 'string', choices: 5, description: 'A level' } },
  handler: () => ({ code: 'OK', value: 'never reached', msg: 'OK' }),
};
`,
  );
  const b = bench('broken', await loadPlugins(dir));
  const r = await call(b, '--json --osh brokenChoices --level high');
  assert.deepEqual(envelopes(r.stdout), [{ command: 'brokenChoices', error_code: 'ERR_INTERNAL', error_message: INTERNAL, value: null }]);
  const header = r.stdout.indexOf('=> A plugin with a malformed option declaration');
  const crit = r.stdout.indexOf('~ [!] Internal error');
  const frame = r.stdout.indexOf('JSON_START');
  const footer = r.stdout.indexOf('</brokenChoices>---');
  assert.ok(header >= 0 && header < crit && crit < frame && frame < footer, r.stdout);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.outcome, { exit: 100, code: 'ERR_INTERNAL', plugin: 'brokenChoices' });
  const rows = b.store.audit.recent(1);
  assert.equal(rows[0]?.error_code, 'ERR_INTERNAL');
  assert.equal(rows[0]?.plugin, 'brokenChoices');
  assert.equal(r.logs.filter((l) => l['msg'] === 'call failed').length, 1);
});

test('a throw after the envelope was written: no second envelope and no error line', async () => {
  const b = bench('late', await loadPlugins());
  // The client channel fails on the footer, after the plugin's answer went out.
  const r = await call(b, '--json-greppable --osh info', '</info>');
  const env = envelopes(r.stdout);
  assert.equal(env.length, 1, r.stdout);
  assert.equal(env[0]?.['command'], 'info');
  assert.equal(env[0]?.['error_code'], 'OK');
  assert.doesNotMatch(r.stdout + r.stderr, /Internal error/);
  assert.equal(r.outcome.code, 'ERR_INTERNAL');
  assert.equal(r.logs.filter((l) => l['msg'] === 'call failed').length, 1);
});
