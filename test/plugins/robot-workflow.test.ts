// Where clush, batch and command allow-lists meet, in-process through the dispatcher to real ssh2
// targets on loopback: a command-restricted robot runs clush on several servers. An allowed
// command runs on each of them (the target gets the words re-quoted); a command no rule allows,
// one that isn't plain words, or no command at all is refused per host with
// KO_COMMAND_NOT_ALLOWED and sysret 106, leaves a refused sessions row and a log line, and the
// targets see no connection; a rule scoped to a group allows the command on that group's servers
// only; batch lines that run clush get exactly the same answers. The same workflow over the real
// OpenSSH client, as docs/robots.md shows it: test/e2e/robot-workflow.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sqliteOf } from '../../src/store/inspect.js';
import { oshInProcess, type InProcessAnswer } from '../helpers/inProcess.js';
import { startTestServer, type TestAccount, type TestServer } from '../helpers/server.js';
import {
  addEgressAccount,
  addGroupEgressKey,
  addRole,
  createGroup,
  type EgressKey,
  freePort,
  grantGroup,
  grantPersonal,
  startSsh2Target,
  type Ssh2Target,
} from '../helpers/targets.js';

// Two servers of the group web (reached as a member, with the group's key) and one reached by a
// personal access (with the robot's own key), on one port.
const WEB1 = '127.0.12.1';
const WEB2 = '127.0.12.2';
const DB1 = '127.0.12.3';
const ALL = [WEB1, WEB2, DB1];
let srv: TestServer;
let robot: TestAccount & { egress: EgressKey };
let webKey: EgressKey;
let port: number;
const targets = new Map<string, Ssh2Target>();

before(async () => {
  srv = await startTestServer();
  const store = srv.gh.store;
  robot = addEgressAccount(srv, 'robot');
  const web = createGroup(store, 'web');
  webKey = addGroupEgressKey(store, srv.gh.dataDir, web);
  addRole(store, web, robot.id, 'member');
  port = await freePort(WEB1);
  for (const h of ALL) targets.set(h, await startSsh2Target(h, [robot.egress.publicLine, webKey.publicLine], { port }));
  for (const h of [WEB1, WEB2]) grantGroup(store, web, { ip: h, user: 'deploy', port });
  grantPersonal(store, robot.id, { ip: DB1, user: 'deploy', port });
  for (const [pattern, group] of [
    ["'uname *'", null],
    ["'df -P **'", null],
    ["'uptime'", 'web'],
  ] as const) {
    const r = await oshInProcess(srv, srv.admin, ['--osh', 'accountAddAllowedCommand', '--account', 'robot', '--command', pattern, ...(group ? ['--group', group] : [])]);
    assert.equal(r.env.error_code, 'OK', `${pattern}: ${r.env.error_message}`);
  }
});
after(async () => {
  for (const t of targets.values()) await t.close();
  await srv.close();
});

const target = (h: string): Ssh2Target => {
  const t = targets.get(h);
  if (!t) throw new Error(`no target ${h}`);
  return t;
};
/** A clush line's words after --osh, as a batch line or a call gives them: `command` is one word for the bastion. */
const clushWords = (hosts: readonly string[], command: string, extra: readonly string[] = []): string[] => [
  'clush',
  '--no-confirm',
  '--no-pause-on-failure',
  '--user',
  'deploy',
  '--port',
  String(port),
  '--list',
  hosts.join(','),
  '--command',
  command,
  ...extra,
];
const clush = (hosts: readonly string[], command: string, extra: readonly string[] = []): Promise<InProcessAnswer> =>
  oshInProcess(srv, robot, ['--osh', ...clushWords(hosts, command, extra)]);
const connections = (hosts: readonly string[]): number => hosts.reduce((n, h) => n + target(h).connections, 0);

interface HostEntry {
  stdout: string[];
  stderr: string[];
  sysret: number;
  error_code: string;
  duration_ms: number;
  truncated: boolean;
}
const entry = (value: Record<string, HostEntry>, h: string): HostEntry => {
  const e = value[h];
  if (!e) throw new Error(`no entry for ${h} in ${JSON.stringify(value)}`);
  return e;
};

/** Every host of `value` refused by the allow-list: 106, nothing on stdout, the reason on stderr. */
function assertRefused(value: Record<string, HostEntry>, hosts: readonly string[], why: RegExp): void {
  for (const h of hosts) {
    const e = entry(value, h);
    assert.equal(e.error_code, 'KO_COMMAND_NOT_ALLOWED', h);
    assert.equal(e.sysret, 106, h);
    assert.deepEqual(e.stdout, [], h);
    assert.equal(e.truncated, false, h);
    assert.equal(e.stderr.length, 1, h);
    assert.match(e.stderr[0] ?? '', new RegExp(`^Command not allowed for robot on deploy@${h.replace(/\./g, '\\.')}:${port}: `), h);
    assert.match(e.stderr[0] ?? '', why, h);
  }
}

const sessionsSince = (rowid: number): { target_ip: string; allowed: number; exit_status: number | null; comment: string | null }[] =>
  sqliteOf(srv.gh.store).prepare('SELECT target_ip, allowed, exit_status, comment FROM sessions WHERE account = ? AND rowid > ? ORDER BY rowid').all('robot', rowid) as {
    target_ip: string;
    allowed: number;
    exit_status: number | null;
    comment: string | null;
  }[];
const lastSessionRowid = (): number => (sqliteOf(srv.gh.store).prepare('SELECT coalesce(max(rowid), 0) AS n FROM sessions').get() as { n: number }).n;

describe('clush by a command-restricted account', () => {
  test('an allowed command runs on every host: its output in the value, the words re-quoted on each target, each with the key of its access', async () => {
    const r = await clush(ALL, '"uname -s"');
    assert.equal(r.exit, 0, r.stdout + r.stderr);
    assert.equal(r.env.error_code, 'OK');
    assert.deepEqual(Object.keys(r.env.value), ALL);
    for (const h of ALL) {
      const e = entry(r.env.value, h);
      assert.equal(e.error_code, 'OK', h);
      assert.equal(e.sysret, 0, h);
      assert.deepEqual(e.stdout, ['Linux'], h);
      assert.deepEqual(e.stderr, [], h);
      assert.equal(target(h).execs.at(-1), `'uname' '-s'`, h);
    }
    assert.equal(target(WEB1).logins.at(-1)?.fingerprint, webKey.fingerprint);
    assert.equal(target(DB1).logins.at(-1)?.fingerprint, robot.egress.fingerprint);
  });

  test('a trailing ** allows any further words, and none; the words before it are fixed', async () => {
    const r = await clush([DB1], '"df -P /"');
    assert.equal(entry(r.env.value, DB1).sysret, 0);
    assert.match(entry(r.env.value, DB1).stdout[0] ?? '', /^Filesystem /);
    assert.equal(target(DB1).execs.at(-1), `'df' '-P' '/'`);
    const bare = await clush([DB1], '"df -P"');
    assert.equal(entry(bare.env.value, DB1).error_code, 'OK');
    const before = connections([DB1]);
    const other = await clush([DB1], '"df -h /"');
    assertRefused(other.env.value, [DB1], /no allowed command of this account matches it on this server/);
    assert.equal(connections([DB1]), before);
  });

  test('a command no rule allows is refused on every host, per host: 106, a refused sessions row each, a log line each, and no target is dialled', async () => {
    const before = connections(ALL);
    const rowid = lastSessionRowid();
    const logged = srv.logs.length;
    const r = await clush(ALL, '"cat /etc/shadow"');
    // The call itself ran every host: OK and exit 0, as with any per-host failure (The Bastion's clush).
    assert.equal(r.exit, 0);
    assert.equal(r.env.error_code, 'OK');
    assert.deepEqual(Object.keys(r.env.value), ALL);
    assertRefused(r.env.value, ALL, /no allowed command of this account matches it on this server$/);
    assert.equal(connections(ALL), before, 'no target saw a connection');
    assert.deepEqual(
      sessionsSince(rowid)
        .map((s) => [s.target_ip, s.allowed, s.exit_status, s.comment])
        .sort(),
      ALL.map((h) => [h, 0, 106, 'command_not_allowed']),
      'one refused sessions row per host',
    );
    const refusals = srv.logs.slice(logged).filter((l) => l.msg === 'egress command refused');
    assert.equal(refusals.length, 3);
    assert.ok(refusals.every((l) => l.why === 'no-rule'));
    // The call's own audit row: clush, OK.
    const audit = srv.gh.store.audit.recent(1)[0];
    assert.equal(audit?.plugin, 'clush');
    assert.equal(audit?.error_code, 'OK');
    // For people: each host a failed line, and the progress counts them as failed.
    assert.match(r.stdout, new RegExp(`${DB1.replace(/\./g, '\\.')}: exit 106 \\(KO_COMMAND_NOT_ALLOWED\\)`));
    assert.match(r.stderr, /^clush: 3\/3 hosts done, 3 failed$/m);
  });

  test('each refusal class, per host: shell syntax, a command of blanks only (a shell), one word more than the rule', async () => {
    const before = connections(ALL);
    const meta = await clush([WEB1, DB1], `"uname -s; id"`);
    assertRefused(meta.env.value, [WEB1, DB1], /the command can't be read as plain words: unquoted ';' \(a command separator\) at character 9/);
    const subst = await clush([WEB1, DB1], `'uname "$(id)"'`);
    assertRefused(subst.env.value, [WEB1, DB1], /'\$' inside double quotes/);
    const blank = await clush([WEB1, DB1], `"  "`);
    assertRefused(blank.env.value, [WEB1, DB1], /an interactive shell is not allowed, only a command matching a rule/);
    const tooMany = await clush([WEB1, DB1], `"uname -s -r"`);
    assertRefused(tooMany.env.value, [WEB1, DB1], /no allowed command/);
    assert.equal(connections(ALL), before);
  });

  test('a rule scoped to a group: the command runs on that group servers, and is refused on a server reached by personal access', async () => {
    const before = connections([DB1]);
    const r = await clush(ALL, '"uptime"');
    assert.equal(r.env.error_code, 'OK');
    for (const h of [WEB1, WEB2]) {
      const e = entry(r.env.value, h);
      assert.equal(e.error_code, 'OK', h);
      assert.equal(e.sysret, 0, h);
      assert.match(e.stdout[0] ?? '', /load average/, h);
      assert.equal(target(h).execs.at(-1), `'uptime'`, h);
      assert.equal(target(h).logins.at(-1)?.fingerprint, webKey.fingerprint, h);
    }
    assertRefused(r.env.value, [DB1], /no allowed command of this account matches it on this server/);
    assert.equal(connections([DB1]), before, 'the personal server was not dialled');
  });

  test('clush --group runs a group-scoped command on the group servers', async () => {
    const r = await oshInProcess(srv, robot, ['--osh', 'clush', '--no-confirm', '--no-pause-on-failure', '--group', 'web', '--command', '"uptime"']);
    assert.equal(r.env.error_code, 'OK', r.stderr);
    assert.deepEqual(Object.keys(r.env.value), [WEB1, WEB2]);
    for (const h of [WEB1, WEB2]) assert.equal(entry(r.env.value, h).sysret, 0, h);
  });

  test('a failed host still pauses the run without --no-pause-on-failure: end of input stops there, the next host is never dialled', async () => {
    const before = connections([WEB2]);
    const words = clushWords([DB1, WEB2], '"uptime"', ['--parallel', '1']).filter((w) => w !== '--no-pause-on-failure');
    const r = await oshInProcess(srv, robot, ['--osh', ...words]);
    assert.equal(r.env.error_code, 'KO_CANCELLED');
    assert.deepEqual(Object.keys(r.env.value), [DB1]);
    assert.equal(entry(r.env.value, DB1).error_code, 'KO_COMMAND_NOT_ALLOWED');
    assert.match(r.stdout, /Last command failed \(return code: 106\)/);
    assert.equal(connections([WEB2]), before);
  });
});

describe('batch lines that run clush', () => {
  interface Item {
    command: string;
    result: { error_code: string; error_message: string; value: Record<string, HostEntry> | null };
  }

  test('the same rules, the same answers as the calls made alone; refused hosts are not dialled', async () => {
    const lines = [
      clushWords(ALL, '"uname -s"').join(' '),
      clushWords(ALL, '"cat /etc/shadow"').join(' '),
      clushWords([WEB1, DB1], '"uptime"').join(' '),
      clushWords([WEB1], `"uname -s; id"`).join(' '),
    ];
    const beforeDb = connections([DB1]);
    const before = connections(ALL);
    const rowid = lastSessionRowid();
    const r = await oshInProcess(srv, robot, ['--osh', 'batch'], { stdin: lines.map((l) => `${l}\n`).join('') });
    assert.equal(r.exit, 0, r.stdout + r.stderr);
    assert.equal(r.env.command, 'batch');
    assert.equal(r.env.error_code, 'OK');
    const items = r.env.value as Item[];
    assert.deepEqual(
      items.map((i) => [i.command, i.result.error_code]),
      lines.map((l) => [l, 'OK']),
    );
    const [allowed, denied, scoped, meta] = items.map((i) => i.result.value ?? {});
    for (const h of ALL) assert.deepEqual(entry(allowed ?? {}, h).stdout, ['Linux'], h);
    assertRefused(denied ?? {}, ALL, /no allowed command/);
    assert.equal(entry(scoped ?? {}, WEB1).sysret, 0);
    assertRefused(scoped ?? {}, [DB1], /no allowed command of this account matches it on this server/);
    assertRefused(meta ?? {}, [WEB1], /unquoted ';'/);
    // Only the allowed hosts were dialled: three for uname, one (WEB1) for uptime.
    assert.equal(connections(ALL) - before, 4);
    assert.equal(connections([DB1]) - beforeDb, 1);
    assert.deepEqual(
      sessionsSince(rowid)
        .map((s) => s.comment ?? 'ran')
        .sort(),
      [...Array(5).fill('command_not_allowed'), ...Array(4).fill('ran')],
    );
    // Each line is a call of its own: one audit row each, after the batch's.
    const audit = srv.gh.store.audit.recent(5);
    assert.deepEqual(
      audit.map((a) => [a.plugin, a.error_code]),
      [['batch', 'OK'], ...Array(4).fill(['clush', 'OK'])],
    );
  });
});
