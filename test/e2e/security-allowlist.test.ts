// Command allow-lists, attacked over SSH with the real OpenSSH client: a command-restricted robot
// runs an allowed command on a real target and gets its output (the target receives the words
// re-quoted, so a quoted $(…) stays a literal word), and a rule scoped to a group connects only
// through that group, with its key; each way out of the list — a command no rule
// matches, a shell metacharacter (; $(…) | `…`), a newline, an interactive shell (with or without
// a pty), a group-scoped rule used on a personal access — answers KO_COMMAND_NOT_ALLOWED with exit
// 106, is audited, leaves a refused sessions row, and never reaches the target: a second target
// that only ever gets refused requests counts zero connections. An account without rules is not
// affected.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { greppable, sshCall } from '../helpers/clients.js';
import { oshInProcess } from '../helpers/inProcess.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import { addEgressAccount, addGroupEgressKey, addRole, createGroup, type EgressKey, grantGroup, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';

const HOST = '127.0.0.77';
/** Only ever sent refused requests: it must see no connection at all. */
const QUIET = '127.0.0.78';
let srv: TestServer;
let target: Ssh2Target;
let quiet: Ssh2Target;
let robot: TestAccount & { egress: EgressKey };
let human: TestAccount & { egress: EgressKey };
let opsKey: EgressKey;

before(async () => {
  srv = await startTestServer();
  const store = srv.gh.store;
  robot = addEgressAccount(srv, 'robot');
  human = addEgressAccount(srv, 'human');
  // ops reaches the target too, with its own key: a rule scoped to ops must connect with that key.
  const ops = createGroup(store, 'ops');
  opsKey = addGroupEgressKey(store, srv.gh.dataDir, ops);
  addRole(store, ops, robot.id, 'member');
  target = await startSsh2Target(HOST, [robot.egress.publicLine, human.egress.publicLine, opsKey.publicLine]);
  quiet = await startSsh2Target(QUIET, [robot.egress.publicLine]);
  for (const t of [target, quiet]) grantPersonal(store, robot.id, { ip: t.host, user: 'deploy', port: t.port });
  grantPersonal(store, human.id, { ip: HOST, user: 'deploy', port: target.port });
  grantGroup(store, ops, { ip: HOST, user: 'deploy', port: target.port });
  createGroup(store, 'web');
  for (const [pattern, group] of [
    [`'echo allowed **'`, null],
    [`"printf '%s|' **"`, null],
    [`'sh -c * *'`, null],
    [`'id'`, 'web'],
    [`'echo scoped'`, 'ops'],
  ] as const) {
    const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountAddAllowedCommand', '--account', 'robot', '--command', pattern, ...(group ? ['--group', group] : [])]);
    assert.equal(r.env.error_code, 'OK', `${pattern}: ${r.env.error_message}`);
  }
});
after(async () => {
  await target.close();
  await quiet.close();
  await srv.close();
});

const to = (t: Ssh2Target): string[] => [`deploy@${t.host}`, '-p', String(t.port)];
const run = (who: TestAccount, args: string[], sshOptions: string[] = []) => sshCall(srv.port, who.name, who.key.privateFile, args, { sshOptions });

test('an allowed command runs on the target: its output comes back, and the target got the words re-quoted', async () => {
  const r = await run(robot, ['-q', ...to(target), '--', 'echo allowed "a  b" c']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'allowed a  b c\n');
  assert.equal(target.execs.at(-1), `'echo' 'allowed' 'a  b' 'c'`);
  const audit = srv.gh.store.audit.recent(1)[0];
  assert.equal(audit?.error_code, 'OK');
  assert.equal(srv.gh.store.sessions.byId(audit?.call_id ?? '')?.allowed, 1);
});

test('an unscoped rule connects through every access (personal first); a rule scoped to ops only through ops, with its key', async () => {
  const mine = await run(robot, ['-q', ...to(target), '--', 'echo allowed']);
  assert.equal(mine.code, 0, mine.stderr);
  assert.equal(target.logins.at(-1)?.fingerprint, robot.egress.fingerprint);
  const scoped = await run(robot, ['-q', ...to(target), '--', 'echo scoped']);
  assert.equal(scoped.code, 0, scoped.stderr);
  assert.equal(scoped.stdout, 'scoped\n');
  assert.equal(target.logins.at(-1)?.fingerprint, opsKey.fingerprint, 'the personal key was not even tried');
  const verbose = await run(robot, [...to(target), '--', 'echo scoped']);
  assert.match(verbose.stderr, /group-member of ops/);
  assert.doesNotMatch(verbose.stderr, /personal access/);
});

test('quoted metacharacters are plain words: the target prints them, it does not run them', async () => {
  const r = await run(robot, ['-q', ...to(target), '--', `printf '%s|' 'a b' "c'd" '$(id)' '; reboot' '\`id\`'`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "a b|c'd|$(id)|; reboot|`id`|");
});

test("the remote command's exit status is the call's", async () => {
  const r = await run(robot, ['-q', ...to(target), '--', `sh -c 'exit 7' x`]);
  assert.equal(r.code, 7, r.stderr);
});

/** A refused request: 106, the envelope, the message on stderr, the audit row and the refused sessions row. */
async function refused(args: string[], why: RegExp, sshOptions: string[] = []): Promise<void> {
  const before = srv.gh.store.audit.recent(1)[0]?.id ?? 0;
  const r = await run(robot, ['--json-greppable', ...to(quiet), ...args], sshOptions);
  const label = `${args.join(' ')}${sshOptions.length ? ` (${sshOptions.join(' ')})` : ''}`;
  assert.equal(r.code, 106, `${label}: ${r.stdout}${r.stderr}`);
  const env = greppable(r.stdout);
  assert.equal(env.command, null, label);
  assert.equal(env.error_code, 'KO_COMMAND_NOT_ALLOWED', label);
  assert.equal(env.value, null, label);
  assert.match(env.error_message, new RegExp(`^Command not allowed for robot on deploy@${QUIET.replace(/\./g, '\\.')}:${quiet.port}: `), label);
  assert.match(env.error_message, why, label);
  // Without a pty the refusal is on stderr; with one, stderr is merged into the terminal.
  assert.match(sshOptions.length ? r.stdout : r.stderr, why, label);
  const audit = srv.gh.store.audit.recent(1)[0];
  assert.ok(audit && audit.id > before, `${label}: audited`);
  assert.equal(audit.account, 'robot', label);
  assert.equal(audit.kind, 'egress', label);
  assert.equal(audit.error_code, 'KO_COMMAND_NOT_ALLOWED', label);
  assert.equal(audit.exit_status, 106, label);
  const row = srv.gh.store.sessions.byId(audit.call_id);
  assert.equal(row?.allowed, 0, label);
  assert.equal(row?.comment, 'command_not_allowed', label);
  assert.equal(row?.exit_status, 106, label);
  assert.equal(row?.target_ip, QUIET, label);
  assert.equal(quiet.connections, 0, `${label}: the target saw no connection`);
  assert.deepEqual(quiet.execs, [], label);
}

test('a command no rule matches is refused before the target is dialled', async () => {
  await refused(['--', 'uname -a'], /no allowed command of this account matches it on this server/);
  await refused(['--', 'echo'], /no allowed command/);
  await refused(['--', 'printf x'], /no allowed command/);
});

test('shell metacharacters are refused: ; $(…) | `…` && > and an escape', async () => {
  await refused(['--', 'echo allowed; id'], /unquoted ';' \(a command separator\) at character 13/);
  await refused(['--', 'echo allowed $(id)'], /unquoted '\$' \(an expansion\)/);
  await refused(['--', 'echo allowed "$(id)"'], /'\$' inside double quotes/);
  await refused(['--', 'echo allowed | sh'], /unquoted '\|' \(a pipe\)/);
  await refused(['--', 'echo allowed `id`'], /unquoted '`' \(a command substitution\)/);
  await refused(['--', 'echo allowed && id'], /unquoted '&'/);
  await refused(['--', 'echo allowed > /tmp/x'], /unquoted '>' \(a redirection\)/);
  await refused(['--', 'echo allowed \\; id'], /unquoted '\\' \(an escape\)/);
  await refused(['--', 'echo allowed *'], /unquoted '\*' \(a pathname expansion\)/);
});

test('an interactive shell is refused, with or without a pty', async () => {
  await refused([], /an interactive shell is not allowed, only a command matching a rule/);
  await refused(['--'], /an interactive shell is not allowed/);
  await refused([], /an interactive shell is not allowed/, ['-tt']);
});

test('a rule scoped to a group does not allow the command on a personal access', async () => {
  await refused(['--', 'id'], /no allowed command of this account matches it on this server/);
});

test('a newline is refused before routing, for every account (111): the target still sees nothing', async () => {
  const r = await run(robot, ['--json-greppable', ...to(quiet), '--', "echo allowed 'a\nid'"]);
  assert.equal(r.code, 111, r.stderr);
  assert.equal(greppable(r.stdout).error_code, 'KO_GETOPTS_FAILED');
  assert.equal(srv.gh.store.audit.recent(1)[0]?.error_code, 'KO_GETOPTS_FAILED');
  assert.equal(quiet.connections, 0);
});

test('an account without rules is not restricted: its command reaches the target shell as typed', async () => {
  const r = await run(human, ['-q', ...to(target), '--', 'echo one; echo two | tr a-z A-Z']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'one\nTWO\n');
  assert.equal(target.execs.at(-1), 'echo one; echo two | tr a-z A-Z');
});

test('the quiet target was never connected to, the other one was', () => {
  assert.equal(quiet.connections, 0);
  assert.equal(quiet.logins.length, 0);
  assert.ok(target.connections >= 4);
});
