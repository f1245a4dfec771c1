// The robot workflow of docs/robots.md, run as a reader would run it: every `sh` block of the page,
// in order, through bash with the real OpenSSH client and jq, against a test bastion and three
// ssh2 servers on loopback addresses; a `text` block right after an `sh` block is its exact
// output. Only `bastion` (an ssh_config Host entry giving each account its key), the servers' port
// (`--port 22`, `-p 22`) and the names (a name server on loopback) differ from the page. Around
// the blocks, what the page claims and the output can't show: the servers a refusal never dialled,
// the words each server received, the sessions rows. The same combinations in-process, with every
// refusal class: test/plugins/robot-workflow.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sqliteOf } from '../../src/store/inspect.js';
import { collect, type Finished } from '../helpers/child.js';
import { startFakeDns, type FakeDns } from '../helpers/fakeDns.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freePort, startSsh2Target, type Ssh2Target } from '../helpers/targets.js';

/** The checkout's root, from dist/test/e2e/. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE = path.join(ROOT, 'docs/robots.md');
const NAMES = { web1: 'web1.example.org', web2: 'web2.example.org', db1: 'db1.example.org' } as const;
type Server = keyof typeof NAMES;
const ADDRESS: Record<Server, string> = { web1: '127.0.13.1', web2: '127.0.13.2', db1: '127.0.13.3' };

let srv: TestServer;
let dns: FakeDns;
let port: number;
let dir: string;
let sshConfig: string;
const servers = new Map<Server, Ssh2Target>();

before(async () => {
  dns = await startFakeDns(Object.fromEntries((Object.keys(NAMES) as Server[]).map((s) => [NAMES[s], ADDRESS[s]])));
  srv = await startTestServer({ config: { dnsServers: [`127.0.0.1:${dns.port}`] } });
  port = await freePort(ADDRESS.web1);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-robots-'));
  // `bastion` is the test bastion; each account logs in with its own key (the robot's is made by the page).
  sshConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(
    sshConfig,
    [
      'Host bastion',
      '  HostName 127.0.0.1',
      `  Port ${srv.port}`,
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '  BatchMode yes',
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      'Match originalhost bastion user admin',
      `  IdentityFile ${srv.admin.key.privateFile}`,
      'Match originalhost bastion user robot',
      `  IdentityFile ${path.join(dir, 'robot')}`,
      '',
    ].join('\n'),
  );
});
after(async () => {
  for (const t of servers.values()) await t.close();
  await srv.close();
  await dns.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Block {
  readonly code: string;
  /** The `text` block right after it: its exact stdout. */
  readonly output: string | null;
  readonly line: number;
}

/** The page's `sh` blocks, in order, each with the `text` block that follows it (only blank lines between). */
function shBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const fences: { lang: string; body: string; start: number; end: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `unclosed fence at line ${i + 1}`);
    fences.push({ lang: open[1] ?? '', body: lines.slice(i + 1, end).join('\n') + '\n', start: i, end });
    i = end;
  }
  return fences.flatMap((f, k) => {
    if (f.lang !== 'sh') return [];
    const next = fences[k + 1];
    const adjacent = next?.lang === 'text' && lines.slice(f.end + 1, next.start).every((l) => l.trim() === '');
    return [{ code: f.body, output: adjacent && next ? next.body : null, line: f.start + 1 }];
  });
}

/** A block as the test runs it: the servers' port instead of 22, `ssh` reading the test's configuration. */
async function runBlock(code: string): Promise<Finished> {
  const script = `ssh() { command ssh -F "$ROBOTS_SSH_CONFIG" "$@"; }\n${code.replace(/(--port|-p) 22\b/g, `$1 ${port}`)}`;
  const child = spawn('bash', ['-c', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ROBOTS_SSH_CONFIG: sshConfig } });
  return collect(child, { timeoutMs: 30000, label: code });
}

const server = (s: Server): Ssh2Target => {
  const t = servers.get(s);
  if (!t) throw new Error(`${s} is not started yet`);
  return t;
};
/** Starts the page's servers with the authorized_keys lines a block wrote. */
async function startServers(which: readonly Server[], keysFile: string): Promise<void> {
  const lines = fs.readFileSync(path.join(dir, keysFile), 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 1, keysFile);
  assert.match(lines[0] ?? '', /^from="[^"]*" (ssh-ed25519|ecdsa-sha2-nistp\d+|ssh-rsa) \S+ \S+$/, 'the line to put in authorized_keys');
  for (const s of which) servers.set(s, await startSsh2Target(ADDRESS[s], lines, { port }));
}
const connections = (which: readonly Server[]): number => which.reduce((n, s) => n + server(s).connections, 0);
const lastExec = (s: Server): string | undefined => server(s).execs.at(-1);

interface SessionRow {
  target_ip: string;
  allowed: number;
  exit_status: number | null;
  comment: string | null;
  via_ip: string | null;
}
const robotSessions = (): SessionRow[] =>
  sqliteOf(srv.gh.store).prepare("SELECT target_ip, allowed, exit_status, comment, via_ip FROM sessions WHERE account = 'robot' ORDER BY rowid").all() as SessionRow[];

/**
 * What each block is checked for beyond its exit status and output, found by a piece of its text
 * (each must name exactly one block, so a block can't leave the page without its test noticing).
 */
interface Check {
  readonly in: string;
  readonly before?: () => unknown;
  readonly after: (r: Finished, before: unknown) => Promise<void> | void;
}
const sessionsBefore = (): number => robotSessions().length;
const CHECKS: readonly Check[] = [
  {
    in: 'accountCreate --account robot',
    after: () => {
      const robot = srv.gh.store.accounts.byName('robot');
      assert.ok(robot, 'the account exists');
      assert.equal(srv.gh.store.accounts.settings(robot.id).get('always_active'), 'yes');
    },
  },
  { in: 'groupInfo --group web', after: () => startServers(['web1', 'web2'], 'web.authorized_keys') },
  {
    in: 'groupAddMember --group web --account robot',
    // groupAddServer logged in to each server with the group's key before adding it.
    after: () => assert.ok(connections(['web1', 'web2']) >= 2),
  },
  { in: 'selfListEgressKeys', after: () => startServers(['db1'], 'robot.authorized_keys') },
  {
    in: `--command '"uname -s"'`,
    after: () => {
      for (const s of ['web1', 'web2', 'db1'] as const) assert.equal(lastExec(s), `'uname' '-s'`, `${s} got the words re-quoted`);
      assert.deepEqual(
        robotSessions()
          .slice(-3)
          .map((r) => r.via_ip),
        ['127.0.0.1', '127.0.0.1', '127.0.0.1'],
      );
    },
  },
  {
    in: `--command '"cat /etc/shadow"'`,
    before: () => ({ seen: connections(['web1', 'web2', 'db1']), rows: sessionsBefore() }),
    after: (_r, b) => {
      const { seen, rows } = b as { seen: number; rows: number };
      assert.equal(connections(['web1', 'web2', 'db1']), seen, 'no server saw a connection');
      assert.deepEqual(
        robotSessions()
          .slice(rows)
          .map((r) => [r.target_ip, r.allowed, r.exit_status, r.comment])
          .sort(),
        [ADDRESS.web1, ADDRESS.web2, ADDRESS.db1].map((ip) => [ip, 0, 106, 'command_not_allowed']).sort(),
      );
      const audit = srv.gh.store.audit.recent(1)[0];
      assert.deepEqual([audit?.account, audit?.plugin, audit?.error_code, audit?.exit_status], ['robot', 'clush', 'OK', 0]);
    },
  },
  {
    in: `--command '"uptime"' --no-confirm --no-pause-on-failure \\\n  --json-greppable --quiet | grep '^JSON_OUTPUT=' | cut -d= -f2- > uptime.json`,
    before: () => connections(['db1']),
    after: (_r, b) => {
      assert.equal(lastExec('web1'), `'uptime'`);
      assert.equal(connections(['db1']), b, 'db1 was not dialled');
    },
  },
  {
    in: '.value.stdout[0] // .value.stderr[0]',
    after: (r) => {
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.equal(lines.length, 3);
      for (const [s, l] of (['web1', 'web2', 'db1'] as const).map((s, i) => [s, lines[i] ?? ''] as const)) {
        assert.equal(l, `${NAMES[s]}: Command not allowed for robot on deploy@${ADDRESS[s]}:${port}: no allowed command of this account matches it on this server`);
      }
    },
  },
  {
    in: 'check_clush uptime.json',
    after: (r) => assert.equal(r.stderr, 'call: OK\ndb1.example.org: KO_COMMAND_NOT_ALLOWED 106\n', 'the failed servers on stderr'),
  },
  {
    in: '--osh batch',
    before: () => ({ db1: connections(['db1']), rows: sessionsBefore() }),
    after: (_r, b) => {
      const { db1, rows } = b as { db1: number; rows: number };
      assert.equal(lastExec('db1'), `'df' '-P' '/'`);
      assert.equal(connections(['db1']) - db1, 1, 'db1 was dialled for df only, not for uptime');
      const added = robotSessions().slice(rows);
      assert.deepEqual(added.map((r) => r.comment ?? 'ran').sort(), ['command_not_allowed', 'ran', 'ran', 'ran']);
      // The lines' sessions rows say where the robot came in, as a clush call's own do.
      assert.deepEqual(
        added.map((r) => r.via_ip),
        ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1'],
      );
      assert.deepEqual(
        srv.gh.store.audit.recent(4).map((a) => [a.plugin, a.error_code]),
        [
          ['batch', 'OK'],
          ['clush', 'OK'],
          ['clush', 'OK'],
          ['clush', 'OK'],
        ],
      );
    },
  },
  {
    in: '-- --json-greppable deploy@db1.example.org -p 22 > shell.out',
    before: () => ({ db1: connections(['db1']), rows: sessionsBefore() }),
    after: (_r, b) => {
      const { db1, rows } = b as { db1: number; rows: number };
      assert.equal(connections(['db1']), db1, 'neither the shell nor the command with ; reached db1');
      assert.deepEqual(
        robotSessions()
          .slice(rows)
          .map((r) => [r.target_ip, r.allowed, r.exit_status, r.comment]),
        [
          [ADDRESS.db1, 0, 106, 'command_not_allowed'],
          [ADDRESS.db1, 0, 106, 'command_not_allowed'],
        ],
      );
    },
  },
];

test('docs/robots.md, block by block: each exits 0 and prints what the page shows', async () => {
  const blocks = shBlocks(fs.readFileSync(PAGE, 'utf8'));
  assert.ok(blocks.length >= 15, `the page has ${blocks.length} sh blocks`);
  for (const c of CHECKS) {
    assert.equal(blocks.filter((b) => b.code.includes(c.in)).length, 1, `exactly one block holds ${JSON.stringify(c.in)}`);
  }
  for (const block of blocks) {
    const check = CHECKS.find((c) => block.code.includes(c.in));
    const pre = check?.before?.();
    const r = await runBlock(block.code);
    const label = `docs/robots.md line ${block.line}:\n${block.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
    assert.equal(r.code, 0, label);
    if (block.output !== null) assert.equal(r.stdout, block.output, label);
    await check?.after(r, pre);
  }
});

test('docs/robots.md is linked from the README and from clush.md', () => {
  for (const [page, link] of [
    ['README.md', '(docs/robots.md)'],
    ['docs/clush.md', '(robots.md)'],
  ] as const) {
    assert.ok(fs.readFileSync(path.join(ROOT, page), 'utf8').includes(link), page);
  }
});
