// clush through the dispatcher, in-process, to real ssh2 targets on loopback: each host is a
// connection request of its own (its output captured, not bridged), so the whole egress path runs
// without an SSH client. The Bastion's 362-clush.sh assertions first, then what Gatehouse adds:
// parallel hosts, per-host refusals and failures, --timeout, bounded output, prompts, --group.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqliteOf } from '../../src/store/inspect.js';
import { callInProcess, oshInProcess, type InProcessAnswer } from '../helpers/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addEgressAccount, addGroupEgressKey, addRole, createGroup, freePort, grantGroup, grantPersonal, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';

// Eight targets on one port, each on its own loopback address; two more addresses on that port:
// one with a target but no access, one with nothing listening.
const HOSTS = Array.from({ length: 8 }, (_, i) => `127.0.11.${i + 1}`);
const NO_ACCESS = '127.0.11.9';
const CLOSED = '127.0.11.10';
let srv: TestServer;
let targets: Ssh2Target[];
let denied: Ssh2Target;
let port: number;
let alice: { name: string; id: number };
let bob: { name: string; id: number };
let tmp: string;

before(async () => {
  srv = await startTestServer();
  const a = addEgressAccount(srv, 'alice');
  alice = a;
  const b = srv.addAccount('bob');
  bob = b;
  const group = createGroup(srv.gh.store, 'clushers');
  const gkey = addGroupEgressKey(srv.gh.store, srv.gh.dataDir, group);
  addRole(srv.gh.store, group, b.id, 'member');
  port = await freePort(HOSTS[0] as string);
  targets = [];
  for (const h of HOSTS) {
    targets.push(await startSsh2Target(h, [a.egress.publicLine, gkey.publicLine], { port }));
    grantPersonal(srv.gh.store, a.id, { ip: h, user: 'deploy', port });
  }
  grantPersonal(srv.gh.store, a.id, { ip: CLOSED, user: 'deploy', port });
  denied = await startSsh2Target(NO_ACCESS, [a.egress.publicLine], { port });
  // bob reaches three of them through the group, as 362-clush.sh's account does.
  for (const h of HOSTS.slice(0, 3)) grantGroup(srv.gh.store, group, { ip: h, user: 'deploy', port });
  grantGroup(srv.gh.store, group, { ip: '127.0.11.64/26' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-clush-'));
});
after(async () => {
  for (const t of targets) await t.close();
  await denied.close();
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const clush = (args: readonly string[], opts: { who?: { name: string }; stdin?: string; pty?: boolean } = {}): Promise<InProcessAnswer> =>
  oshInProcess(srv, opts.who ?? alice, ['--osh', 'clush', ...args], {
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(opts.pty ? { pty: true } : {}),
  });
/**
 * The options every live call here uses: no prompts, user and port of the targets. `command` is
 * one word as OpenSSH sends it (the bastion splits it as a shell would): quoted once, as the words
 * after a local shell's own quoting.
 */
const live = (list: readonly string[], command: string, extra: readonly string[] = []): string[] => [
  '--no-confirm',
  '--no-pause-on-failure',
  '--no-stdin',
  '--user',
  'deploy',
  '--port',
  String(port),
  '--list',
  list.join(','),
  '--command',
  command,
  ...extra,
];
const logins = (): number => targets.reduce((n, t) => n + t.logins.length, 0) + denied.logins.length;
const sessionsOf = (account: string): { id: string; target_ip: string; allowed: number; exit_status: number | null; comment: string | null; bytes_down: number }[] =>
  sqliteOf(srv.gh.store).prepare('SELECT id, target_ip, allowed, exit_status, comment, bytes_down FROM sessions WHERE account = ? ORDER BY started_at, id').all(account) as {
    id: string;
    target_ip: string;
    allowed: number;
    exit_status: number | null;
    comment: string | null;
    bytes_down: number;
  }[];

describe('parameter validation (362-clush.sh)', () => {
  test('no --list: ERR_MISSING_PARAMETER, with the help', async () => {
    const r = await clush(['--command', '"true"']);
    assert.equal(r.exit, 100);
    assert.equal(r.env.command, 'clush');
    assert.equal(r.env.error_code, 'ERR_MISSING_PARAMETER');
    assert.equal(r.env.error_message, "Missing mandatory parameter 'list'");
    assert.match(r.stdout, /--list HOSTLIST/);
  });

  test('no --command: ERR_MISSING_PARAMETER', async () => {
    const r = await clush(['--list', '127.0.0.1']);
    assert.equal(r.env.command, 'clush');
    assert.equal(r.env.error_code, 'ERR_MISSING_PARAMETER');
    assert.equal(r.env.error_message, "Missing mandatory parameter 'command'");
  });

  test('an invalid host in the list is refused before anything is dialled', async () => {
    const before = logins();
    const r = await clush(['--list', `${HOSTS[0]},bad_host`, '--command', '"true"', '--no-confirm', '--no-stdin']);
    assert.equal(r.env.command, 'clush');
    assert.equal(r.env.error_code, 'ERR_INVALID_PARAMETER');
    assert.equal(r.env.error_message, "This doesn't appear to be a valid host 'bad_host'");
    assert.equal(logins(), before);
  });

  test('a list of nothing but commas is empty; an empty field inside it is not a host', async () => {
    const empty = await clush(['--list', ',,', '--command', '"true"', '--no-confirm']);
    assert.equal(empty.env.error_code, 'ERR_INVALID_PARAMETER');
    assert.equal(empty.env.error_message, 'Host list to execute the command on is empty');
    const hole = await clush(['--list', 'a,,b', '--command', '"true"', '--no-confirm']);
    assert.equal(hole.env.error_message, "This doesn't appear to be a valid host ''");
  });

  test('--list with --group, --step-by-step with --parallel 2, a bad --timeout or --parallel are refused', async () => {
    const both = await clush(['--list', 'a', '--group', 'clushers', '--command', '"true"']);
    assert.equal(both.env.error_code, 'ERR_INCOMPATIBLE_PARAMETERS');
    const step = await clush(['--list', 'a', '--command', '"true"', '--step-by-step', '--parallel', '2']);
    assert.equal(step.env.error_code, 'ERR_INCOMPATIBLE_PARAMETERS');
    const timeout = await clush(['--timeout', 'soon', '--list', 'a', '--command', '"true"', '--no-confirm']);
    assert.equal(timeout.env.error_code, 'ERR_INVALID_PARAMETER');
    assert.equal(timeout.env.error_message, "--timeout expects a number of seconds, got 'soon'");
    const zero = await clush(['--list', 'a', '--command', '"true"', '--parallel', '0']);
    assert.equal(zero.env.error_code, 'ERR_INVALID_PARAMETER');
    const many = await clush(['--list', 'a', '--command', '"true"', '--parallel', '129']);
    assert.equal(many.env.error_code, 'ERR_INVALID_PARAMETER');
    assert.equal(many.env.error_message, '--parallel can be at most 128 on this bastion (clushMaxParallel)');
  });
});

describe('running (362-clush.sh and more)', () => {
  test('one host: OK, sysret 0, stdout as a list of lines; a failing command: sysret 3, still OK', async () => {
    const r = await clush(live([HOSTS[0] as string], '"echo proxyjump-test-landed-on=remoteserver"'));
    assert.equal(r.exit, 0, r.stdout + r.stderr);
    assert.equal(r.env.command, 'clush');
    assert.equal(r.env.error_code, 'OK');
    const h = r.env.value[HOSTS[0] as string];
    assert.equal(h.sysret, 0);
    assert.ok(h.stdout.some((l: string) => /proxyjump-test-landed-on=remoteserver/.test(l)));
    assert.equal(h.error_code, 'OK');
    assert.equal(h.truncated, false);
    assert.equal(typeof h.duration_ms, 'number');
    assert.deepEqual(Object.keys(h), ['stdout', 'stderr', 'sysret', 'error_code', 'duration_ms', 'truncated']);

    const failing = await clush(live([HOSTS[0] as string], '"exit 3"'));
    assert.equal(failing.env.error_code, 'OK');
    assert.equal(failing.env.value[HOSTS[0] as string].sysret, 3);
  });

  test('362-clush.sh as the group member it sets up: the group key, the group server', async () => {
    const r = await clush(live([HOSTS[1] as string], '"echo via-group"'), { who: bob });
    assert.equal(r.env.error_code, 'OK', r.stderr);
    assert.equal(r.env.value[HOSTS[1] as string].sysret, 0);
    assert.deepEqual(r.env.value[HOSTS[1] as string].stdout, ['via-group']);
  });

  test('stdout and stderr stay apart, split into lines as Perl does; an empty output is no line', async () => {
    const r = await clush(live(HOSTS.slice(0, 2), `"printf 'a\\n\\nb\\n\\n'; echo err >&2; exit 2"`));
    for (const h of HOSTS.slice(0, 2)) {
      assert.deepEqual(r.env.value[h].stdout, ['a', '', 'b']);
      assert.deepEqual(r.env.value[h].stderr, ['err']);
      assert.equal(r.env.value[h].sysret, 2);
    }
    const quiet = await clush(live([HOSTS[0] as string], '"true"'));
    assert.deepEqual(quiet.env.value[HOSTS[0] as string].stdout, []);
    assert.deepEqual(quiet.env.value[HOSTS[0] as string].stderr, []);
  });

  test('hosts get an empty stdin, even without --no-stdin', async () => {
    const args = live([HOSTS[0] as string], '"wc -c"').filter((w) => w !== '--no-stdin');
    const r = await clush(args, { stdin: 'not for the hosts' });
    assert.deepEqual(
      r.env.value[HOSTS[0] as string].stdout.map((l: string) => l.trim()),
      ['0'],
    );
  });

  test('8 hosts in parallel: every one of them runs while all the others have started', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'barrier-'));
    // Each host marks its start, then waits (20 s at most) until 8 have started, then says how
    // many it saw and when it started and ended: run one after the other, the first would see 1.
    const cmd = `"s=$(date +%s%N); mktemp -p ${dir} >/dev/null; i=0; while [ $(ls ${dir} | wc -l) -lt 8 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; echo seen=$(ls ${dir} | wc -l) start=$s end=$(date +%s%N)"`;
    const r = await clush(live(HOSTS, cmd, ['--parallel', '8']));
    assert.equal(r.env.error_code, 'OK', r.stderr);
    const spans = HOSTS.map((h) => {
      const line = r.env.value[h].stdout[0] as string;
      const m = /^seen=(\d+) start=(\d+) end=(\d+)$/.exec(line);
      assert.ok(m, line);
      assert.equal(m[1], '8');
      return { start: BigInt(m[2] as string), end: BigInt(m[3] as string) };
    });
    // All the intervals share a moment: the last to start started before the first to end ended.
    const base = spans[0]?.start ?? 0n;
    const lastStart = Math.max(...spans.map((s) => Number(s.start - base)));
    const firstEnd = Math.min(...spans.map((s) => Number(s.end - base)));
    assert.ok(lastStart < firstEnd);
  });

  test('--parallel 1 runs the hosts one after the other, in the order of the list', async () => {
    const order = [...HOSTS.slice(0, 4)].reverse();
    const r = await clush(live(order, '"echo $(date +%s%N); echo $(date +%s%N)"', ['--parallel', '1']));
    assert.deepEqual(Object.keys(r.env.value), order);
    const spans = order.map((h) => r.env.value[h].stdout.map((l: string) => BigInt(l)) as bigint[]);
    for (let i = 1; i < spans.length; i++) assert.ok((spans[i - 1]?.[1] ?? 0n) < (spans[i]?.[0] ?? 0n), 'each host ends before the next starts');
  });

  test('a host without access is refused on its own, never dialled, while the others run', async () => {
    const before = denied.logins.length;
    const r = await clush(live([HOSTS[0] as string, NO_ACCESS, HOSTS[1] as string], '"echo ran"'));
    assert.equal(r.env.error_code, 'OK');
    const refused = r.env.value[NO_ACCESS];
    assert.equal(refused.error_code, 'KO_ACCESS_DENIED');
    assert.equal(refused.sysret, 107);
    assert.deepEqual(refused.stdout, []);
    assert.ok(
      refused.stderr.some((l: string) => l.startsWith(`Access denied for alice to deploy@${NO_ACCESS}:${port}`)),
      refused.stderr.join('\n'),
    );
    assert.equal(denied.logins.length, before, 'the refused host was never logged into');
    for (const h of [HOSTS[0], HOSTS[1]] as string[]) assert.deepEqual(r.env.value[h].stdout, ['ran']);
  });

  test('an unreachable host: KO_CONNECTION_REFUSED, exit 105, with the reason on its stderr', async () => {
    const r = await clush(live([CLOSED, HOSTS[0] as string], '"echo ran"'));
    const h = r.env.value[CLOSED];
    assert.equal(h.error_code, 'KO_CONNECTION_REFUSED');
    assert.equal(h.sysret, 105);
    assert.ok(
      h.stderr.some((l: string) => /connection refused/.test(l)),
      h.stderr.join('\n'),
    );
    assert.equal(r.env.value[HOSTS[0] as string].sysret, 0);
  });

  test('--timeout: the host still running is closed (KO_TIMEOUT, 117), its sessions row says timeout', async () => {
    const r = await clush(['--timeout', '1', ...live([HOSTS[2] as string, HOSTS[3] as string], '"sleep 30"')]);
    for (const h of [HOSTS[2], HOSTS[3]] as string[]) {
      assert.equal(r.env.value[h].error_code, 'KO_TIMEOUT');
      assert.equal(r.env.value[h].sysret, 117);
    }
    const rows = sessionsOf('alice').slice(-2);
    assert.deepEqual(
      rows.map((s) => [s.comment, s.exit_status]),
      [
        ['timeout', null],
        ['timeout', null],
      ],
    );
  });

  test('a host flooding stdout: kept up to clushMaxOutputBytes, marked truncated, read to its end', async () => {
    srv.writeConfig({ clushMaxOutputBytes: 65536 });
    try {
      const r = await clush(live([HOSTS[4] as string], '"yes | head -c 5000000; echo done >&2"'));
      const h = r.env.value[HOSTS[4] as string];
      assert.equal(h.error_code, 'OK_OUTPUT_TRUNCATED');
      assert.equal(h.truncated, true);
      assert.equal(h.sysret, 0);
      const kept = h.stdout.reduce((n: number, l: string) => n + l.length + 1, 0);
      assert.ok(kept <= 65536 + 1, `kept ${kept} bytes`);
      assert.deepEqual(h.stderr, ['done']);
      const row = sessionsOf('alice').at(-1);
      assert.equal(row?.bytes_down, 5000000 + 'done\n'.length, 'the whole output was read from the target');
    } finally {
      srv.writeConfig({});
    }
  });

  test('each host is a session of its own (its own sessions row and recording); the call is one audit row', async () => {
    const before = sessionsOf('alice').length;
    const r = await clush(live([HOSTS[5] as string, HOSTS[6] as string, NO_ACCESS], '"echo hi"'));
    assert.equal(r.env.error_code, 'OK');
    const rows = sessionsOf('alice').slice(before);
    assert.equal(rows.length, 3);
    assert.equal(new Set(rows.map((s) => s.id)).size, 3);
    assert.deepEqual(rows.map((s) => s.target_ip).sort(), [HOSTS[5], HOSTS[6], NO_ACCESS].sort());
    assert.deepEqual(rows.map((s) => s.allowed).sort(), [0, 1, 1]);
    const audit = srv.gh.store.audit.recent(1)[0];
    assert.equal(audit?.plugin, 'clush');
    assert.equal(audit?.error_code, 'OK');
    assert.ok(rows.every((s) => s.id !== audit?.call_id));
  });

  test('--group: the servers of a group the caller is a member of (address blocks skipped)', async () => {
    const r = await clush(['--no-confirm', '--no-pause-on-failure', '--group', 'clushers', '--command', '"echo grouped"'], { who: bob });
    assert.equal(r.env.error_code, 'OK', r.stderr);
    assert.deepEqual(Object.keys(r.env.value), HOSTS.slice(0, 3));
    for (const h of HOSTS.slice(0, 3)) assert.deepEqual(r.env.value[h].stdout, ['grouped']);
    assert.match(r.stdout, /1 entry of group clushers is an address block, not a host: skipped/);
    const outsider = await clush(['--no-confirm', '--group', 'clushers', '--command', '"true"']);
    assert.equal(outsider.env.error_code, 'KO_ACCESS_DENIED');
    const missing = await clush(['--no-confirm', '--group', 'nosuchgroup', '--command', '"true"']);
    assert.equal(missing.env.error_code, 'KO_GROUP_NOT_FOUND');
  });
});

describe('prompts', () => {
  test('without --no-confirm a line (ENTER) starts the run; end of input cancels it and nothing is dialled', async () => {
    const args = live([HOSTS[7] as string], '"echo confirmed"').filter((w) => w !== '--no-confirm');
    const yes = await clush(args, { stdin: '\n' });
    assert.equal(yes.env.error_code, 'OK');
    assert.match(yes.stdout, /Press ENTER to proceed, or CTRL\+C to cancel\./);
    const before = logins();
    const no = await clush(args, { stdin: '' });
    assert.equal(no.env.error_code, 'KO_CANCELLED');
    assert.equal(no.env.value, null);
    assert.equal(logins(), before);
  });

  test('under a pty, ^C at the confirmation cancels', async () => {
    const args = live([HOSTS[7] as string], '"true"').filter((w) => w !== '--no-confirm');
    const r = await clush(args, { stdin: '\x03', pty: true });
    assert.equal(r.env.error_code, 'KO_CANCELLED');
  });

  test('a failed host pauses the run: a line goes on, end of input stops there (the value has the hosts that ran)', async () => {
    const args = (list: string[]) => live(list, '"exit 4"', ['--parallel', '1']).filter((w) => w !== '--no-pause-on-failure');
    const goOn = await clush(args([HOSTS[0] as string, HOSTS[1] as string]), { stdin: '\n\n' });
    assert.equal(goOn.env.error_code, 'OK');
    assert.deepEqual(Object.keys(goOn.env.value), [HOSTS[0], HOSTS[1]]);
    assert.match(goOn.stdout, /Last command failed \(return code: 4\), press ENTER to continue or CTRL\+C to stop here/);

    const before = targets[1]?.logins.length;
    const stop = await clush(args([HOSTS[0] as string, HOSTS[1] as string]), { stdin: '' });
    assert.equal(stop.env.error_code, 'KO_CANCELLED');
    assert.equal(stop.env.error_message, 'Stopped at your request: 1 of 2 hosts were not run');
    assert.deepEqual(Object.keys(stop.env.value), [HOSTS[0]]);
    assert.equal(targets[1]?.logins.length, before, 'the second host was never dialled');
  });

  test('--step-by-step asks before each host', async () => {
    const args = live(HOSTS.slice(0, 2), '"echo step"', ['--step-by-step']);
    const one = await clush(args, { stdin: '\n' });
    assert.equal(one.env.error_code, 'KO_CANCELLED');
    assert.deepEqual(Object.keys(one.env.value), [HOSTS[0]]);
    assert.match(one.stdout, /Press ENTER to execute the command on this host/);
    const both = await clush(args, { stdin: '\n\n' });
    assert.equal(both.env.error_code, 'OK');
    assert.deepEqual(Object.keys(both.env.value), HOSTS.slice(0, 2));
  });
});

describe('text output', () => {
  test('each host as it ends, its output, and a progress line on stderr', async () => {
    const t = await callInProcess(srv, alice.name, ['--osh', 'clush', ...live([HOSTS[0] as string, NO_ACCESS], '"echo shown; echo oops >&2"')]);
    assert.equal(t.code, 0);
    assert.match(t.stdout, new RegExp(`~ ${HOSTS[0]?.replace(/\./g, '\\.')}: exit 0 in \\d+ ms\\n`));
    assert.match(t.stdout, /^shown$/m);
    assert.match(t.stderr, /^oops$/m);
    assert.match(t.stdout, new RegExp(`${NO_ACCESS.replace(/\./g, '\\.')}: exit 107 \\(KO_ACCESS_DENIED\\)`));
    assert.match(t.stderr, /^clush: 1\/2 hosts done, [01] failed$/m);
    assert.match(t.stderr, /^clush: 2\/2 hosts done, 1 failed$/m);
  });
});
