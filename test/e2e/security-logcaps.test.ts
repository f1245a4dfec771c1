// Log flooding: a client that logs in with a 30 KB user name full of terminal escapes, and one
// that sends a 30 KB and a 64 KB exec string, leave log lines of bounded size with no control
// character in any field (an escape sequence can't reach an operator's terminal via jq -r).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { logLines, waitFor } from '../helpers/wait.js';
const { Client } = ssh2;

const LINE_MAX = 2048;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

/** Every string in a parsed log line, with the key it is under. */
function strings(v: unknown, key = ''): [string, string][] {
  if (typeof v === 'string') return [[key, v]];
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => strings(x, k));
}

function assertBounded(lines: readonly Record<string, unknown>[]): void {
  for (const line of lines) {
    const text = JSON.stringify(line);
    assert.ok(text.length < LINE_MAX, `a ${text.length}-character log line: ${text.slice(0, 300)}…`);
    for (const [k, s] of strings(line)) {
      // A stack trace keeps its line breaks (\n, escaped by JSON); nothing else may hold a control character.
      assert.equal(CONTROL.test(k === 'stack' ? s.replace(/\n/g, '') : s), false, `control character in ${k}: ${JSON.stringify(s.slice(0, 80))}`);
    }
  }
}

/** Connects and runs `command` (or only authenticates when null); resolves once the connection is gone. */
function session(username: string, privateKey: string | undefined, command: string | null): Promise<{ ready: boolean; exit: number | null; error: string | null }> {
  return new Promise((resolve) => {
    const c = new Client();
    let ready = false;
    let exit: number | null = null;
    let error: string | null = null;
    c.on('ready', () => {
      ready = true;
      if (command === null) return c.end();
      c.exec(command, (err, ch) => {
        if (err) {
          error = err.message;
          return c.end();
        }
        ch.on('exit', (code: number | null) => (exit = code));
        ch.on('data', () => {});
        ch.stderr.on('data', () => {});
        ch.on('close', () => c.end());
      });
    });
    c.on('error', (e) => (error = e.message));
    c.on('close', () => resolve({ ready, exit, error }));
    c.connect({ host: '127.0.0.1', port: srv.port, username, ...(privateKey ? { privateKey } : {}), readyTimeout: 15000 });
  });
}

test('a 30 KB user name with terminal escapes is logged clipped and escaped', async () => {
  const name = `\u001b[2J\u001b]0;pwned\u0007${'A'.repeat(30_000)}\r\nfake log line`;
  const before = srv.logs.length;
  const r = await session(name, srv.admin.key.privateKey, null);
  assert.equal(r.ready, false);
  await waitFor('the refusal', () => logLines(srv.logs.slice(before), 'auth refused').length > 0);
  const refused = logLines(srv.logs.slice(before), 'auth refused')[0];
  const shown = String(refused?.['account']);
  assert.ok(shown.startsWith('\\x1b[2J\\x1b]0;pwned\\x07AAA'), shown.slice(0, 40));
  assert.ok(shown.endsWith(`A…[${Buffer.byteLength(name)} bytes]`), shown.slice(-40));
  assert.ok(shown.length < 300);
  assertBounded(srv.logs.slice(before));
});

test('a 30 KB and a 64 KB exec string: the calls are answered or the connection refused, and every line stays bounded', async () => {
  const before = srv.logs.length;
  const long = await session('admin', srv.admin.key.privateKey, `--osh \u001b[31m${'x'.repeat(30_000)}`);
  assert.equal(long.ready, true);
  assert.equal(long.exit, 104, String(long.error));
  await waitFor('the call line', () => logLines(srv.logs.slice(before), 'call').length > 0);
  // 64 KB is past what an SSH packet may carry to ssh2 (35000 bytes): the connection is dropped.
  const huge = await session('admin', srv.admin.key.privateKey, `${'y'.repeat(64 * 1024)}\u001b[0m`);
  assert.equal(huge.ready, true);
  assert.equal(huge.exit, null);
  assertBounded(srv.logs.slice(before));
  // The server is still fine.
  const after = await session('admin', srv.admin.key.privateKey, '--osh info --quiet');
  assert.equal(after.exit, 0);
});

test('every line the server wrote during these tests is bounded', () => {
  assertBounded(srv.logs);
});
