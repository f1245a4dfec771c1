// The allowed-command plugins through the dispatcher (accountAddAllowedCommand,
// accountDelAllowedCommand, accountListAllowedCommands): who may call them, their checks and
// codes, the stored form of a pattern, values and texts. Then the enforcement on a connection
// request, in-process: a refusal is decided before a session channel is needed, so each refused
// construct is checked here quickly (test/e2e/security-allowlist.test.ts does it over SSH,
// against a real target).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { oshInProcess, callInProcess } from '../helpers/inProcess.js';
import { greppable } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addRole, createGroup, grantGroup, grantPersonal } from '../helpers/targets.js';
import { sqliteOf } from '../../src/store/inspect.js';

type Who = { readonly name: string };
let srv: TestServer;
let admin: Who;
let plain: Who;
let keeper: Who;
let robot: { name: string; id: number };
let webId: number;

const ADD = 'accountAddAllowedCommand';
const DEL = 'accountDelAllowedCommand';
const LIST = 'accountListAllowedCommands';
const TARGET = '127.0.0.73';

before(async () => {
  srv = await startTestServer();
  admin = srv.admin;
  plain = srv.addAccount('plainuser');
  keeper = srv.addAccount('keeper');
  robot = srv.addAccount('robot');
  for (const p of [ADD, DEL, LIST]) {
    const g = await oshInProcess(srv, admin, ['--osh', 'accountGrantCommand', '--account', 'keeper', '--command', p]);
    assert.equal(g.env.error_code, 'OK', p);
  }
  webId = createGroup(srv.gh.store, 'web');
});
after(async () => {
  await srv.close();
});

const osh = (who: Who, args: string[]) => oshInProcess(srv, who, args);
const rules = () => srv.gh.store.allowedCommands.forAccount(robot.id);
const clear = () => sqliteOf(srv.gh.store).prepare('DELETE FROM allowed_commands').run();

test('the three plugins are restricted: refused before parsing without a grant, run by a grantee and by an admin', async () => {
  for (const p of [ADD, DEL, LIST]) {
    const r = await osh(plain, ['--osh', p, '--account', 'robot', '--command', 'uptime']);
    assert.equal(r.exit, 106, p);
    assert.equal(r.env.command, null, p);
    assert.equal(r.env.error_code, 'KO_RESTRICTED_COMMAND', p);
  }
  const k = await osh(keeper, ['--osh', LIST, '--account', 'robot']);
  assert.equal(k.env.command, LIST);
  assert.equal(k.env.error_code, 'OK_EMPTY');
  const a = await osh(admin, ['--osh', LIST, '--account', 'robot']);
  assert.equal(a.env.error_code, 'OK_EMPTY');
  assert.equal(a.env.value, null);
  assert.equal(a.exit, 0);
  assert.match(a.env.error_message, /^Account robot has no allowed command: it is not command-restricted$/);
});

test('add: the rule is stored in its one form, the first one makes the account restricted, a duplicate changes nothing', async () => {
  clear();
  const r = await osh(keeper, ['--osh', ADD, '--account', 'robot', '--command', `'systemctl   status "*"'`]);
  assert.equal(r.exit, 0, r.stdout);
  assert.equal(r.env.command, ADD);
  assert.equal(r.env.error_code, 'OK');
  assert.deepEqual(r.env.value, { account: 'robot', pattern: `systemctl status '*'`, group: null, restricted: true });
  assert.equal(r.env.error_message, `Account robot may now run 'systemctl status '*''`);
  assert.match(r.stdout, /Account robot is now command-restricted: it may only run the commands its rules allow/);
  const stored = rules();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.pattern, `systemctl status '*'`);
  assert.equal(stored[0]?.added_by, 'keeper');
  assert.ok(Math.abs((stored[0]?.added_at ?? 0) - Date.now() / 1000) < 60);

  const w = await osh(keeper, ['--osh', ADD, '--account', 'robot', '--command', `'systemctl status *'`]);
  assert.equal(w.env.error_code, 'OK');
  assert.equal(w.env.value.pattern, 'systemctl status *', 'a bare * is the wildcard, a quoted one a literal: two rules');
  assert.doesNotMatch(w.stdout, /is now command-restricted/, 'said only for the first rule');

  // The same rule spelled another way is the same rule.
  const dupe = await osh(keeper, ['--osh', ADD, '--account', 'robot', '--command', `'"systemctl" status  *'`]);
  assert.equal(dupe.exit, 0);
  assert.equal(dupe.env.error_code, 'OK_NO_CHANGE');
  assert.deepEqual(dupe.env.value, { account: 'robot', pattern: 'systemctl status *', group: null, restricted: true });
  assert.match(dupe.env.error_message, /was already allowed to run 'systemctl status \*', no change required/);
  assert.equal(rules().length, 2);
});

test('add --group: scoped to an existing group, a rule of its own beside the unscoped one', async () => {
  clear();
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime']);
  const g = await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime', '--group', 'web']);
  assert.equal(g.env.error_code, 'OK');
  assert.deepEqual(g.env.value, { account: 'robot', pattern: 'uptime', group: 'web', restricted: true });
  assert.equal(g.env.error_message, "Account robot may now run 'uptime' on the servers of group web");
  const missing = await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime', '--group', 'nosuch']);
  assert.equal(missing.exit, 100);
  assert.equal(missing.env.error_code, 'KO_GROUP_NOT_FOUND');
  const bad = await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime', '--group', 'bad/name']);
  assert.equal(bad.env.error_code, 'KO_FORBIDDEN_NAME');
  assert.deepEqual(
    rules().map((r) => [r.pattern, r.group]),
    [
      ['uptime', null],
      ['uptime', 'web'],
    ],
  );
});

test('a pattern is read with the command parser: metacharacters and misplaced wildcards are refused at add time', async () => {
  clear();
  const cases: [string, RegExp][] = [
    [`'ls; id'`, /unquoted ';' \(a command separator\) at character 3/],
    [`'cat $(id)'`, /unquoted '\$' \(an expansion\)/],
    [`'cat f | sh'`, /unquoted '\|' \(a pipe\)/],
    [`'echo x > f'`, /unquoted '>' \(a redirection\)/],
    [`'systemctl status nginx*'`, /'\*' stands for one whole word/],
    [`'ls ** -l'`, /'\*\*' may only be the last word of a pattern/],
    [`'ls ?'`, /unquoted '\?'/],
    [`'PATH=/tmp ls'`, /variable assignment/],
    [`"'echo \\"$HOME\\"'"`, /inside double quotes/],
  ];
  for (const [pattern, why] of cases) {
    const r = await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', pattern]);
    assert.equal(r.exit, 100, pattern);
    assert.equal(r.env.command, ADD, pattern);
    assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER', pattern);
    assert.match(r.env.error_message, /^Invalid command pattern \(/, pattern);
    assert.match(r.env.error_message, why, pattern);
  }
  assert.equal(rules().length, 0, 'nothing was stored');
});

test('options: missing, empty, stray words (a pattern quoted once), unknown account', async () => {
  for (const p of [ADD, DEL]) {
    const noAccount = await osh(admin, ['--osh', p, '--command', 'uptime']);
    assert.equal(noAccount.env.error_code, 'ERR_MISSING_PARAMETER', p);
    assert.equal(noAccount.env.error_message, "Missing mandatory parameter 'account'");
    const noCommand = await osh(admin, ['--osh', p, '--account', 'robot']);
    assert.equal(noCommand.env.error_code, 'ERR_MISSING_PARAMETER', p);
    assert.equal(noCommand.env.error_message, "Missing mandatory parameter 'command'");
    const empty = await osh(admin, ['--osh', p, '--account', 'robot', '--command', "''"]);
    assert.equal(empty.env.error_code, 'ERR_MISSING_PARAMETER', p);
    const stray = await osh(admin, ['--osh', p, '--account', 'robot', '--command', 'systemctl', 'status', '*']);
    assert.equal(stray.env.error_code, 'ERR_BAD_OPTIONS', p);
    assert.match(stray.env.error_message, /unexpected argument 'status'/);
    const unknown = await osh(admin, ['--osh', p, '--account', 'nobody', '--command', 'uptime']);
    assert.equal(unknown.env.error_code, 'KO_NOT_FOUND', p);
  }
  const list = await osh(admin, ['--osh', LIST]);
  assert.equal(list.env.error_code, 'ERR_MISSING_PARAMETER');
  assert.equal((await osh(admin, ['--osh', LIST, '--account', 'nobody'])).env.error_code, 'KO_NOT_FOUND');
});

test("an account can't change its own rules unless it is an admin", async () => {
  clear();
  for (const p of [ADD, DEL]) {
    const r = await osh(keeper, ['--osh', p, '--account', 'keeper', '--command', '**']);
    assert.equal(r.exit, 100, p);
    assert.equal(r.env.error_code, 'ERR_SECURITY_VIOLATION', p);
    assert.match(r.env.error_message, /^You can't (add|remove) allowed commands of your own account, for security reasons/);
  }
  assert.equal(srv.gh.store.allowedCommands.forAccount(srv.gh.store.accounts.byName('keeper')?.id ?? -1).length, 0);
  const own = await osh(admin, ['--osh', ADD, '--account', admin.name, '--command', 'uptime']);
  assert.equal(own.env.error_code, 'OK');
  const undo = await osh(admin, ['--osh', DEL, '--account', admin.name, '--command', 'uptime']);
  assert.equal(undo.env.error_code, 'OK');
});

test('del: names the rule with its group; absent answers OK_NO_CHANGE; the last one lifts the restriction, and says so', async () => {
  clear();
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime']);
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', `'df -h'`, '--group', 'web']);
  const wrongScope = await osh(keeper, ['--osh', DEL, '--account', 'robot', '--command', `'df -h'`]);
  assert.equal(wrongScope.env.error_code, 'OK_NO_CHANGE', 'the unscoped rule is another rule');
  assert.match(wrongScope.env.error_message, /was not allowed to run 'df -h', no change required/);
  const scoped = await osh(keeper, ['--osh', DEL, '--account', 'robot', '--command', `'df   "-h"'`, '--group', 'web']);
  assert.equal(scoped.env.error_code, 'OK');
  assert.deepEqual(scoped.env.value, { account: 'robot', pattern: 'df -h', group: 'web', restricted: true });
  assert.equal(scoped.env.error_message, "Account robot may no longer run 'df -h' on the servers of group web");
  assert.doesNotMatch(scoped.stdout, /no longer command-restricted/);
  const last = await osh(keeper, ['--osh', DEL, '--account', 'robot', '--command', 'uptime']);
  assert.equal(last.env.error_code, 'OK');
  assert.deepEqual(last.env.value, { account: 'robot', pattern: 'uptime', group: null, restricted: false });
  assert.match(last.stdout, /Account robot has no allowed command left: it is no longer command-restricted and may run any command/);
  const again = await osh(keeper, ['--osh', DEL, '--account', 'robot', '--command', 'uptime']);
  assert.equal(again.env.error_code, 'OK_NO_CHANGE');
  assert.equal(again.exit, 0);
  const bad = await osh(keeper, ['--osh', DEL, '--account', 'robot', '--command', `'ls;'`]);
  assert.equal(bad.env.error_code, 'ERR_INVALID_PARAMETER');
});

test('list: every rule by pattern, with its group, author and time; the text says the account is restricted', async () => {
  clear();
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', `'uptime'`, '--group', 'web']);
  await osh(keeper, ['--osh', ADD, '--account', 'robot', '--command', `'journalctl -u * **'`]);
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'uptime']);
  const r = await osh(keeper, ['--osh', LIST, '--account', 'robot']);
  assert.equal(r.exit, 0);
  assert.equal(r.env.error_code, 'OK');
  const v = r.env.value as { pattern: string; group: string | null; added_by: string; added_at: number }[];
  assert.deepEqual(
    v.map((x) => [x.pattern, x.group, x.added_by]),
    [
      ['journalctl -u * **', null, 'keeper'],
      ['uptime', null, 'admin'],
      ['uptime', 'web', 'admin'],
    ],
  );
  for (const x of v) {
    assert.deepEqual(Object.keys(x), ['pattern', 'group', 'added_by', 'added_at']);
    assert.ok(Number.isInteger(x.added_at) && x.added_at > 1_600_000_000);
  }
  assert.match(r.stdout, /Account robot is command-restricted, and may only run:/);
  assert.match(r.stdout, /- uptime \(through group web\) {2}\[added by admin on \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\]/);
});

test("deleting a group takes its scoped rules with it (groupDelete), the account's other rules stay", async () => {
  clear();
  const tmp = createGroup(srv.gh.store, 'tmpgrp');
  assert.ok(tmp > 0);
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'id', '--group', 'tmpgrp']);
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', 'id']);
  const d = await osh(admin, ['--osh', 'groupDelete', '--group', 'tmpgrp', '--no-confirm']);
  assert.equal(d.env.error_code, 'OK', d.env.error_message);
  assert.deepEqual(
    rules().map((r) => [r.pattern, r.group]),
    [['id', null]],
  );
});

// ---- enforcement, in-process: decided before a session channel is needed -----------------------

/** A connection request in-process: the refusal comes before the bastion needs a channel to bridge. */
async function connect(who: Who, command: string | null, extra: string[] = []) {
  const args = ['--json-greppable', ...extra, `deploy@${TARGET}`, ...(command === null ? [] : ['--', command])];
  const r = await callInProcess(srv, who.name, args);
  return { exit: r.code, env: greppable(r.stdout), stderr: r.stderr };
}

test('enforcement: each refused construct answers KO_COMMAND_NOT_ALLOWED (106), audited, with a refused sessions row', async () => {
  clear();
  grantPersonal(srv.gh.store, robot.id, { ip: TARGET });
  await osh(admin, ['--osh', ADD, '--account', 'robot', '--command', `'systemctl status *'`]);
  const refused: [string | null, RegExp][] = [
    [null, /an interactive shell is not allowed/],
    ['systemctl restart nginx', /no allowed command of this account matches it on this server/],
    ['systemctl status nginx sshd', /no allowed command/],
    ['systemctl status nginx; reboot', /unquoted ';' \(a command separator\)/],
    ['systemctl status $(reboot)', /unquoted '\$' \(an expansion\)/],
    ['systemctl status `reboot`', /unquoted '`' \(a command substitution\)/],
    ['systemctl status nginx | sh', /unquoted '\|' \(a pipe\)/],
    ['systemctl status nginx && reboot', /unquoted '&'/],
    ['systemctl status nginx > /etc/motd', /unquoted '>' \(a redirection\)/],
    ['systemctl status ngin?', /unquoted '\?' \(a pathname expansion\)/],
    ['systemctl status ~root', /unquoted '~'/],
    ['systemctl status "$HOME"', /'\$' inside double quotes/],
    ['systemctl status nginx\\;reboot', /unquoted '\\' \(an escape\)/],
  ];
  for (const [command, why] of refused) {
    const audits = srv.gh.store.audit.recent(1)[0]?.id ?? 0;
    const r = await connect(robot, command);
    const label = String(command);
    assert.equal(r.exit, 106, `${label}: ${r.stderr}`);
    assert.equal(r.env.command, null, label);
    assert.equal(r.env.error_code, 'KO_COMMAND_NOT_ALLOWED', label);
    assert.match(r.env.error_message, new RegExp(`^Command not allowed for robot on deploy@${TARGET.replace(/\./g, '\\.')}:22: `), label);
    assert.match(r.env.error_message, why, label);
    assert.match(r.stderr, why, `${label}: said on stderr`);
    const audit = srv.gh.store.audit.recent(1)[0];
    assert.ok(audit && audit.id > audits, label);
    assert.equal(audit.kind, 'egress', label);
    assert.equal(audit.error_code, 'KO_COMMAND_NOT_ALLOWED', label);
    assert.equal(audit.exit_status, 106, label);
    const row = srv.gh.store.sessions.byId(audit.call_id);
    assert.equal(row?.allowed, 0, label);
    assert.equal(row?.exit_status, 106, label);
    assert.equal(row?.comment, 'command_not_allowed', label);
    assert.equal(row?.command, command, label);
    assert.equal(row?.recording, null, label);
  }
});

test('enforcement: a newline never reaches the check: the dispatcher refuses it in any request (111), for every account', async () => {
  // The bastion's word splitter refuses a control character anywhere in the exec string, quoted or
  // not (KO_GETOPTS_FAILED), before the request is routed; the allow-list refuses one too
  // (test/unit/policy/commandAllowList.test.ts), should a command ever come another way.
  const audits = srv.gh.store.audit.recent(1)[0]?.id ?? 0;
  const r = await connect(robot, "systemctl status 'nginx\nreboot'");
  assert.equal(r.exit, 111);
  assert.equal(r.env.error_code, 'KO_GETOPTS_FAILED');
  assert.match(r.env.error_message, /control characters are not allowed in a command/);
  const audit = srv.gh.store.audit.recent(1)[0];
  assert.ok(audit && audit.id > audits);
  assert.equal(audit.error_code, 'KO_GETOPTS_FAILED');
  assert.equal(srv.gh.store.sessions.byId(audit.call_id), undefined, 'refused before the egress path');
});

test('enforcement: an allowed command goes on to connecting (here: no channel to bridge in-process)', async () => {
  const r = await connect(robot, 'systemctl status nginx');
  assert.notEqual(r.env.error_code, 'KO_COMMAND_NOT_ALLOWED');
  assert.equal(r.env.error_code, 'KO_CONNECTION_ERROR', r.env.error_message);
  assert.match(r.env.error_message, /No session channel/);
});

test('enforcement: an account without rules is not restricted; access is decided before the command', async () => {
  const free = srv.addAccount('freebot');
  grantPersonal(srv.gh.store, free.id, { ip: TARGET });
  const shell = await connect(free, null);
  assert.equal(shell.env.error_code, 'KO_CONNECTION_ERROR', 'a shell goes on');
  const meta = await connect(free, 'ls; id');
  assert.equal(meta.env.error_code, 'KO_CONNECTION_ERROR', 'and any command');
  // No access at all: the decision answers first, whatever the command.
  const denied = await callInProcess(srv, 'robot', ['--json-greppable', 'deploy@127.0.0.74', '--', 'ls; id']);
  assert.equal(greppable(denied.stdout).error_code, 'KO_ACCESS_DENIED');
  assert.equal(denied.code, 107);
});

test('enforcement: a group-scoped rule allows only through that group', async () => {
  clear();
  const member = srv.addAccount('memberbot');
  grantPersonal(srv.gh.store, member.id, { ip: TARGET });
  await osh(admin, ['--osh', ADD, '--account', 'memberbot', '--command', 'uptime', '--group', 'web']);
  const personal = await connect(member, 'uptime');
  assert.equal(personal.env.error_code, 'KO_COMMAND_NOT_ALLOWED', 'a personal access is not through web');
  assert.match(personal.env.error_message, /no allowed command of this account matches it on this server/);
  addRole(srv.gh.store, webId, member.id, 'member');
  grantGroup(srv.gh.store, webId, { ip: TARGET });
  const viaWeb = await connect(member, 'uptime');
  assert.equal(viaWeb.env.error_code, 'KO_CONNECTION_ERROR', 'through web it goes on');
});
