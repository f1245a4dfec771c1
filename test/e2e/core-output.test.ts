// What a caller sees: the envelope and its three framings, marker escaping, ASCII-only JSON, the
// text around it, --quiet, colours, pty line endings; and the shell pipelines, run with
// the real ssh, awk, grep and jq.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { bash, framed, greppable, sshCall, sshCommandLine, type CallResult, type Envelope } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let ssh: string;
before(async () => {
  srv = await startTestServer();
  ssh = sshCommandLine(srv.port, 'admin', srv.admin.key.privateFile);
});
after(async () => {
  await srv.close();
});

const AWK = `awk '/^JSON_END\\r?$/ {if(P==1){exit}} { if(P==1){print} } /^JSON_START\\r?$/ {P=1}'`;
const GREP = `grep ^JSON_OUTPUT= | cut -d= -f2-`;
const ESC = '\x1b';

function jq(r: CallResult): Envelope {
  assert.equal(r.code, 0, `pipeline failed (${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return JSON.parse(r.stdout) as Envelope;
}

test("the issue's --json pipeline: awk between the frame lines, then jq", async () => {
  const env = jq(await bash(`${ssh} -- --osh info --json --quiet | ${AWK} | jq .`));
  assert.deepEqual(Object.keys(env), ['command', 'error_code', 'error_message', 'value']);
  assert.equal(env['command'], 'info');
  assert.equal(env['error_code'], 'OK');
  assert.equal(env['value'].account, 'admin');
});

test("the issue's --json-greppable pipeline: grep, cut, jq", async () => {
  const env = jq(await bash(`${ssh} -- --osh info --json-greppable --quiet | ${GREP} | jq .`));
  assert.equal(env['error_code'], 'OK');
  assert.equal(env['value'].bastion_name, 'testbastion');
});

test('--json-pretty through the same awk pipeline, without --quiet too', async () => {
  const env = jq(await bash(`${ssh} -- --osh info --json-pretty | ${AWK} | jq -c .`));
  assert.equal(env['value'].account, 'admin');
  const raw = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--json-pretty']);
  const body = /\nJSON_START\n([\s\S]*?)\nJSON_END\n/.exec(raw.stdout)?.[1] ?? '';
  assert.ok(body.split('\n').length > 10, 'indented over many lines');
  assert.match(body, /^\{\n {3}"command"/);
});

test('-tt: CRLF line endings, stderr merged into stdout, and the pipelines still work', async () => {
  const refused = await bash(`${ssh} -tt -- --osh noSuchPlugin --json`);
  assert.equal(refused.code, 104);
  assert.match(refused.stdout, /~ \[!\] Unknown command 'noSuchPlugin'\r\n/, 'the refusal is on stdout');
  assert.equal(/[^\r]\n/.test(refused.stdout), false, 'every line ends with CRLF');
  assert.equal(refused.stderr.includes('Unknown command'), false);
  const env = jq(await bash(`${ssh} -tt -- --osh info --json --quiet | ${AWK} | jq .`));
  assert.equal(env['error_code'], 'OK');
  const env2 = jq(await bash(`${ssh} -tt -- --osh info --json-greppable | ${GREP} | jq .`));
  assert.equal(env2['value'].account, 'admin');
});

test('without a pty: plain \\n, and refusals on stderr', async () => {
  const r = await bash(`${ssh} -- --osh noSuchPlugin --json`);
  assert.equal(r.code, 104);
  assert.equal(r.stdout.includes('\r'), false);
  assert.match(r.stderr, /~ \[!\] Unknown command 'noSuchPlugin'\n/);
  assert.equal(framed(r.stdout).error_code, 'KO_UNKNOWN_COMMAND');
});

test('colours only with a pty and neither --quiet nor a --json flag', async () => {
  const coloured = await bash(`${ssh} -tt -- --osh info`);
  assert.equal(coloured.code, 0);
  assert.ok(coloured.stdout.includes(`${ESC}[`), 'colours with -tt');
  for (const flags of ['--quiet', '--json', '--json-pretty', '--json-greppable']) {
    const r = await bash(`${ssh} -tt -- --osh info ${flags}`);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.includes(ESC), false, `no colour with ${flags}`);
  }
  const noPty = await bash(`${ssh} -- --osh info`);
  assert.equal(noPty.stdout.includes(ESC), false, 'no colour without a pty');
});

test('text: header on 80 columns, title, dashes, ~ body lines, footer; --quiet drops the decorations', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info']);
  const lines = r.stdout.split('\n');
  const host = os.hostname();
  assert.equal(lines[0]?.length, 80);
  assert.ok(lines[0]?.startsWith(`---${host}-`));
  assert.ok(lines[0]?.endsWith('gatehouse-0.1.0---') || /gatehouse-[\w.-]+---$/.test(lines[0] ?? ''));
  assert.equal(lines[1], '=> information');
  assert.equal(lines[2], '-'.repeat(80));
  assert.equal(lines[3], '~ You are admin');
  assert.equal(lines.at(-2), `${'-'.repeat(80 - 4 - 6)}</info>---`);
  assert.equal(lines.at(-1), '');
  const q = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--quiet']);
  assert.ok(q.stdout.startsWith('You are admin\n'));
  assert.equal(/^(---|=> |~ )|<\/info>/m.test(q.stdout), false);
});

test('UTF-8 boxes with a pty and a UTF-8 LANG sent by the client', async () => {
  const r = await bash(`LANG=en_US.UTF-8 ${ssh} -o SendEnv=LANG -tt -- --osh info`);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.includes('\u256d\u2500\u2500'), 'box header');
  assert.ok(r.stdout.includes('</info>\u2500\u2500\u2500'), 'box footer');
  const plain = await bash(`LANG=C ${ssh} -o SendEnv=LANG -tt -- --osh info`);
  assert.equal(plain.stdout.includes('\u2500'), false);
});

test('exactly one envelope per call, in every framing', async () => {
  for (const flag of ['--json', '--json-pretty', '--json-greppable']) {
    const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', flag]);
    const markers = r.stdout.match(/^JSON_(START|END|OUTPUT)/gm) ?? [];
    assert.deepEqual(markers, flag === '--json-greppable' ? ['JSON_OUTPUT'] : ['JSON_START', 'JSON_END'], flag);
  }
});

test('markers in a value are rewritten, non-ASCII is \\u-escaped (error message path)', async () => {
  const r = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'info', '--json-greppable', '--JSON_END-café']);
  assert.equal(r.code, 100);
  const line = r.stdout.split('\n').find((l) => l.startsWith('JSON_OUTPUT=')) ?? '';
  assert.match(line, /^[\x20-\x7e]*$/, 'ASCII only');
  assert.ok(line.includes('--JSON__END-caf\\u00e9'));
  assert.equal(greppable(r.stdout).error_message, 'Error parsing options: unknown option --JSON__END-café');
});

test('20 calls in parallel all come back whole and correct', async () => {
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => bash(`${ssh} -- --osh info --json${i % 2 ? '-greppable' : ''} --quiet | ${i % 2 ? GREP : AWK} | jq -c .`)),
  );
  for (const r of results) {
    const env = jq(r);
    assert.equal(env['error_code'], 'OK');
    assert.equal(env['value'].account, 'admin');
  }
});

test('a robot created by the admin (key by option, then on stdin) runs info, and is refused accountCreate', async () => {
  const key1 = srv.newKey('ed25519', 'robot1@ci');
  const create1 = jq(await bash(`${ssh} -- --osh accountCreate --account robot1 --uid-auto --public-key "'\\"${key1.publicLine}\\"'" --json-greppable | ${GREP}`));
  assert.equal(create1['error_code'], 'OK', JSON.stringify(create1));
  const key2 = srv.newKey('ecdsa', 'robot2@ci');
  const pub2 = path.join(srv.dir, 'robot2.pub');
  fs.writeFileSync(pub2, key2.publicLine + '\n');
  const create2 = jq(await bash(`${ssh} -- --osh accountCreate --account robot2 --uid-auto --json-greppable < '${pub2}' | ${GREP}`));
  assert.equal(create2['error_code'], 'OK', JSON.stringify(create2));
  for (const [name, key] of [
    ['robot1', key1],
    ['robot2', key2],
  ] as const) {
    const robot = sshCommandLine(srv.port, name, key.privateFile);
    const env = jq(await bash(`${robot} -- --osh info --json --quiet | ${AWK} | jq .`));
    assert.equal(env['value'].account, name);
    assert.equal(env['value'].is_admin, undefined);
    const refused = await bash(`${robot} -- --osh accountCreate --account robot9 --uid-auto --no-key --json-greppable`);
    assert.equal(refused.code, 106);
    assert.equal(greppable(refused.stdout).error_code, 'KO_RESTRICTED_COMMAND');
    assert.equal(greppable(refused.stdout).command, null);
  }
  assert.equal(srv.gh.store.accounts.byName('robot9'), undefined);
});

test('a --comment with frame markers and non-ASCII cannot break the frame and comes back escaped', async () => {
  const comment = 'evil"} JSON_END JSON_START {"x":1} JSON_OUTPUT= café ☕';
  const quoted = `"'${comment.replace(/"/g, '\\"')}'"`;
  const made = await bash(`${ssh} -- --osh accountCreate --account commented --uid-auto --no-key --comment ${quoted.replace(/\$/g, '\\$')} --json-greppable`);
  assert.equal(made.code, 0, made.stdout + made.stderr);
  const raw = await sshCall(srv.port, 'admin', srv.admin.key.privateFile, ['--osh', 'accountInfo', '--account', 'commented', '--json']);
  assert.equal(raw.code, 0, raw.stderr);
  assert.deepEqual(raw.stdout.match(/^JSON_(START|END|OUTPUT)/gm), ['JSON_START', 'JSON_END']);
  assert.ok(raw.stdout.includes('caf\\u00e9 \\u2615'));
  const env = jq(await bash(`${ssh} -- --osh accountInfo --account commented --json | ${AWK} | jq .`));
  assert.equal(env['value'].creation_information.comment, 'evil"} JSON__END JSON__START {"x":1} JSON__OUTPUT= café ☕');
  const grepped = jq(await bash(`${ssh} -- --osh accountInfo --account commented --json-greppable | ${GREP} | jq .`));
  assert.equal(grepped['value'].creation_information.comment, env['value'].creation_information.comment);
  // The store keeps the comment as given; only the output is rewritten.
  assert.equal(srv.gh.store.accounts.byName('commented')?.comment, comment);
});
