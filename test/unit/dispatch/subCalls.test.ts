// ctx.osh as the dispatcher builds it (src/dispatch/subCalls.ts), with runCall replaced by a stub:
// what a sub-call is given (the caller's account and connection with its addresses, `--osh LINE`,
// no pty, stdin at its end, the parent named), where its text and its envelope go, the envelope
// decoded as a script would read its frame, and no sub-calls from within a sub-call. Through the
// real dispatcher and plugins: test/plugins/batch.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { CallInput, CallOutcome, Services } from '../../../src/dispatch/callTypes.js';
import { subCalls } from '../../../src/dispatch/subCalls.js';
import type { Envelope } from '../../../src/osh/envelope.js';
import { Terminal } from '../../../src/osh/terminal.js';
import type { AccountRow } from '../../../src/store/accounts.js';

const SVC = {} as Services;
const ACCOUNT = { id: 7, name: 'bob' } as AccountRow;

function parentCall(opts: { pty?: boolean; parent?: CallInput['parent'] } = {}): { caller: CallInput; term: Terminal; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const sink = { stdout: (s: string) => (stdout += s), stderr: (s: string) => (stderr += s) };
  const caller: CallInput = {
    account: ACCOUNT,
    peer: { ip: '127.0.0.9', port: 4242 },
    local: { ip: '127.0.0.1', port: 2222 },
    connId: 'conn-1',
    command: '--osh batch --json',
    kind: 'exec',
    pty: opts.pty === true,
    env: new Map([['LANG', 'C.UTF-8']]),
    stdin: process.stdin,
    sink,
    gone: new AbortController().signal,
    log: pino({ level: 'silent' }),
    ...(opts.parent ? { parent: opts.parent } : {}),
  };
  const term = new Terminal(sink, { pty: opts.pty === true, quiet: false, json: 'default', boxes: false, fancyPrefixes: false, hostname: 'h', version: 'v' });
  return { caller, term, out: () => stdout, err: () => stderr };
}

/** A runCall stand-in: records what it was given, writes text, answers `env` (or nothing). */
function stubRun(env: Envelope | null, outcome: CallOutcome = { exit: 0, code: 'OK', plugin: 'info' }) {
  const seen: CallInput[] = [];
  const run = async (_svc: Services, input: CallInput): Promise<CallOutcome> => {
    seen.push(input);
    input.sink.stdout('line one\nline two\n');
    input.sink.stderr('an error\n');
    if (env) input.sink.answer?.(env);
    return outcome;
  };
  return { run, seen };
}

test('a sub-call is a new call of the same account on the same connection: `--osh LINE`, no pty, no stdin, its parent named', async () => {
  const p = parentCall({ pty: true });
  const stub = stubRun({ command: 'info', error_code: 'OK', error_message: 'OK', value: { account: 'bob' } });
  const calls = subCalls(stub.run, SVC, p.caller, p.term, { callId: 'abc', plugin: 'batch' });
  assert.equal(calls.available, true);
  const answer = await calls.run('info --json');
  assert.deepEqual(answer, { envelope: { command: 'info', error_code: 'OK', error_message: 'OK', value: { account: 'bob' } }, exit: 0 });
  const [input] = stub.seen;
  assert.ok(input);
  assert.equal(input.command, '--osh info --json');
  assert.equal(input.account, ACCOUNT);
  assert.deepEqual(input.peer, p.caller.peer);
  // The bastion's address of the connection: the via of the sessions rows a sub-call's clush writes.
  assert.deepEqual(input.local, { ip: '127.0.0.1', port: 2222 });
  assert.equal(input.connId, 'conn-1');
  assert.equal(input.kind, 'exec');
  assert.equal(input.pty, false);
  assert.equal(input.env, p.caller.env);
  assert.equal(input.gone, p.caller.gone);
  assert.equal(input.ingress, undefined);
  assert.deepEqual(input.parent, { callId: 'abc', plugin: 'batch' });
  // Its stdin is at its end already: nothing of the caller's reaches it.
  const chunks: unknown[] = [];
  for await (const c of input.stdin) chunks.push(c);
  assert.deepEqual(chunks, []);
});

test("its text goes to the caller's terminal (the caller's line endings; stderr merged with a pty), its envelope does not", async () => {
  const withPty = parentCall({ pty: true });
  await subCalls(stubRun({ command: 'info', error_code: 'OK', error_message: 'OK', value: null }).run, SVC, withPty.caller, withPty.term, { callId: 'a', plugin: 'batch' }).run(
    'info',
  );
  assert.equal(withPty.out(), 'line one\r\nline two\r\nan error\r\n');
  assert.equal(withPty.err(), '');
  const plain = parentCall();
  await subCalls(stubRun({ command: 'info', error_code: 'OK', error_message: 'OK', value: null }).run, SVC, plain.caller, plain.term, { callId: 'a', plugin: 'batch' }).run('info');
  assert.equal(plain.out(), 'line one\nline two\n');
  assert.equal(plain.err(), 'an error\n');
  assert.doesNotMatch(plain.out() + withPty.out(), /JSON_/);
});

test('the envelope comes back as its frame would carry it: plain data, markers defused, ERR_INTERNAL for a value JSON cannot hold', async () => {
  const p = parentCall();
  const date = new Date(0);
  const marked = await subCalls(
    stubRun({ command: 'info', error_code: 'OK', error_message: 'JSON_START', value: { at: date, gone: undefined, text: 'x\nJSON_END' } }).run,
    SVC,
    p.caller,
    p.term,
    { callId: 'a', plugin: 'batch' },
  ).run('info');
  assert.deepEqual(marked.envelope, { command: 'info', error_code: 'OK', error_message: 'JSON__START', value: { at: '1970-01-01T00:00:00.000Z', text: 'x\nJSON__END' } });
  const big = await subCalls(stubRun({ command: 'info', error_code: 'OK', error_message: 'OK', value: { n: 1n } }).run, SVC, p.caller, p.term, {
    callId: 'a',
    plugin: 'batch',
  }).run('info');
  assert.deepEqual(big.envelope, { command: 'info', error_code: 'ERR_INTERNAL', error_message: 'Internal error: the result could not be encoded', value: null });
});

test('a sub-call that left no envelope (a fault) still answers, with its outcome', async () => {
  const p = parentCall();
  const answer = await subCalls(stubRun(null, { exit: 100, code: 'ERR_INTERNAL', plugin: 'info' }).run, SVC, p.caller, p.term, { callId: 'a', plugin: 'batch' }).run('info');
  assert.deepEqual(answer, { envelope: { command: 'info', error_code: 'ERR_INTERNAL', error_message: 'ERR_INTERNAL', value: null }, exit: 100 });
});

test('within a sub-call there are no sub-calls: KO_NESTED_CALL, and nothing runs', async () => {
  const p = parentCall({ parent: { callId: 'outer', plugin: 'batch' } });
  const stub = stubRun({ command: 'info', error_code: 'OK', error_message: 'OK', value: null });
  const calls = subCalls(stub.run, SVC, p.caller, p.term, { callId: 'inner', plugin: 'batch' });
  assert.equal(calls.available, false);
  const answer = await calls.run('info');
  assert.equal(answer.exit, 100);
  assert.equal(answer.envelope.error_code, 'KO_NESTED_CALL');
  assert.equal(answer.envelope.command, null);
  assert.equal(stub.seen.length, 0);
  assert.equal(p.out() + p.err(), '');
});
