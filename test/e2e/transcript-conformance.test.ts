// Conformance with The Bastion: its own functional tests' calls, recorded against a real The
// Bastion 3.24 (test/helpers/transcript-recording.jsonl), replayed in order against a real
// Gatehouse, one server per module. For each step we compare the exit status, the envelope's
// command and error_code, and the shape of the value (types, keys, and the values that don't
// depend on the machine, the clock or the keys). Steps that can't apply are in SKIP, deliberate
// differences in KNOWN (test/helpers/transcriptData.ts), both with their reasons.
//
// A step runs in-process when its bash line can be read with certainty (transcriptLine.ts, checked
// against bash for every line): the login decided by the SSH server's own functions, then the real
// dispatcher. Connection requests (egress bridges the SSH channel) and the lines only bash can
// read run as before, with bash and OpenSSH. A twin bastion per module keeps the transport honest:
// it replays the module up to its last sampled step (PARITY_SAMPLE) and runs each sampled step
// over real OpenSSH, and its answer and audit row must be the replay's in-process ones. The
// modules run side by side, each on its own bastions, so the TTL waits of 325 and 350 overlap.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, after } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { collect } from '../helpers/child.js';
import { framed, type Envelope } from '../helpers/clients.js';
import { compareShape, KeyMap, loadTranscript, runStep, runStepInProcess, type InProcessRun, type Step, type StepRun } from '../helpers/transcript.js';
import {
  CONFIG_BEFORE,
  ENVIRONMENT_KEYS,
  ENVIRONMENT_PATHS,
  JSON_VARIANTS,
  PARITY_SAMPLE,
  KEY_FILES,
  KNOWN,
  KNOWN_FIELDS,
  LOGIN_WITH,
  MODULE_CONFIG,
  SKIP,
  STDIN,
  VOLATILE_PATHS,
  WAIT_BEFORE,
} from '../helpers/transcriptData.js';
import { readStepLine } from '../helpers/transcriptLine.js';

const steps = loadTranscript();
const modules = [...new Set(steps.map((s) => s.module))];
// Every recorded public key gets its stand-in before anything runs, so fingerprints map both ways.
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-transcript-keys-'));
const keys = new KeyMap(keyDir);
after(() => fs.rmSync(keyDir, { recursive: true, force: true }));
for (const s of steps) keys.scan(s.command);

test('the skip-list and the known differences name only steps of the recording', () => {
  const ids = new Set(steps.map((s) => s.id));
  assert.equal(ids.size, steps.length, 'step ids are unique');
  for (const id of [
    ...Object.keys(SKIP),
    ...Object.keys(KNOWN),
    ...Object.keys(CONFIG_BEFORE),
    ...Object.keys(LOGIN_WITH),
    ...Object.keys(WAIT_BEFORE),
    ...Object.keys(STDIN),
    ...Object.keys(PARITY_SAMPLE),
    ...JSON_VARIANTS,
  ])
    assert.ok(ids.has(id), `${id} is not a recorded step`);
  for (const id of Object.keys(KNOWN)) assert.ok(!(id in SKIP), `${id} is both skipped and a known difference`);
  for (const [id, why] of [...Object.entries(SKIP), ...Object.entries(KNOWN).map(([k, v]) => [k, v.reason] as const)]) {
    assert.ok(why.length > 10, `${id} has a reason`);
  }
});

/** The differences between the recorded answer (or the known Gatehouse one) and ours. */
function differences(step: Step, got: { code: number | null; envelope: { command: string | null; error_code: string; value: unknown } | null }): string[] {
  const known = KNOWN[step.id];
  const out: string[] = [];
  const exit = known?.exit ?? step.exit;
  if (got.code !== exit) out.push(`exit ${exit} vs ours ${got.code}`);
  const rec = step.envelope;
  const code = known?.error_code !== undefined ? known.error_code : (rec?.error_code ?? null);
  if (code === null) {
    if (got.envelope !== null) out.push(`no envelope expected, ours ${got.envelope.error_code}`);
    return out;
  }
  if (got.envelope === null) {
    out.push(`envelope ${code} expected, ours none`);
    return out;
  }
  const command = known?.command !== undefined ? known.command : (rec?.command ?? null);
  if (got.envelope.command !== command) out.push(`command ${command} vs ours ${got.envelope.command}`);
  if (got.envelope.error_code !== code) out.push(`error_code ${code} vs ours ${got.envelope.error_code}`);
  if (known?.value === 'null') {
    if (got.envelope.value !== null) out.push(`value null expected, ours ${JSON.stringify(got.envelope.value).slice(0, 80)}`);
  } else if (rec) {
    // Our keys and fingerprints in place of the recorded ones, so key lines can be compared.
    const recValue: unknown = JSON.parse(keys.rewrite(JSON.stringify(rec.value)));
    const v = known?.value ?? {};
    compareShape(
      recValue,
      got.envelope.value,
      'value',
      {
        ...v,
        ignorePaths: [
          ...(v.ignorePaths ?? []),
          ...KNOWN_FIELDS.map((f) => f.path),
          ...ENVIRONMENT_PATHS.filter((e) => !e.command || e.command.test(step.command)).map((e) => e.path),
        ],
        volatile: VOLATILE_PATHS,
        environmentKeys: ENVIRONMENT_KEYS,
      },
      out,
    );
  }
  return out;
}

test('the parity sample has each way a step can differ over the wire', () => {
  const sample = steps.filter((s) => s.id in PARITY_SAMPLE);
  assert.ok(
    sample.some((s) => s.exit === 255 && s.envelope === null),
    'a login refused',
  );
  assert.ok(
    sample.some((s) => s.id in STDIN),
    'stdin from a here-document',
  );
  assert.ok(
    sample.some((s) => /<<< /.test(s.command)),
    'stdin from a here-string',
  );
  assert.ok(
    sample.some((s) => /^\s*echo .*\|\s*ssh /.test(s.command)),
    'stdin from a pipe',
  );
  assert.ok(
    sample.some((s) => /< \w+\.pub$/.test(s.command)),
    'stdin from a file',
  );
  assert.ok(
    sample.some((s) => s.id in LOGIN_WITH && s.exit === 0),
    "a login with another of the account's keys",
  );
  assert.ok(JSON_VARIANTS.length > 0 && JSON_VARIANTS.every((id) => id in PARITY_SAMPLE), '--json framing, on sampled steps');
});

/** The step's command line as the replay runs it: our keys in place of the recorded ones, and the rebuilt stdin. */
function stepCommand(step: Step): string {
  const stdin = STDIN[step.id];
  // A rebuilt stdin replaces the cut redirection (`<<< "-----BEGIN…` or `< <(printf \`).
  const recorded =
    stdin === undefined ? step.command : `${step.command.replace(/\s*(<<<\s*"-----BEGIN.*|<\s*<\(printf \\)\s*$/, '')} <<'TRANSCRIPT_STDIN'\n${stdin}TRANSCRIPT_STDIN`;
  return keys.rewrite(recorded);
}

/** The key files the recorded lines read (`< account1key1file.pub`), in a new directory. */
function keyFilesDir(parent: string): string {
  const cwd = fs.mkdtempSync(path.join(parent, 'cwd-'));
  for (const [file, suffix] of Object.entries(KEY_FILES)) fs.writeFileSync(path.join(cwd, file), `${keys.bySuffix(suffix).line} root@vm\n`);
  return cwd;
}

// The in-process replay reads each line in JS (transcriptLine.ts): every line it reads must give
// the words and the stdin bash gives the replay's `ssh` function, checked here in one bash run
// where that function writes them to files. (What OpenSSH does with the words, taking a first
// `--` as the end of its options, is checked by the transport parity below: the audit rows.)
test('each line read in-process gives the words and stdin bash gives', async () => {
  const out = fs.mkdtempSync(path.join(keyDir, 'bash-'));
  const cwd = keyFilesDir(keyDir);
  const read = steps
    .filter((s) => !(s.id in SKIP))
    .flatMap((step, n) => {
      const r = readStepLine(stepCommand(step), cwd);
      return r.ok ? [{ n, step, line: r.line }] : [];
    });
  const script = [
    // The words, each ended by a NUL, then stdin as it comes (read to its end by a builtin).
    `ssh() { printf '%s\\0' "$@" > "${out}/$N.args"; IFS= read -r -d '' s; printf '%s' "$s" > "${out}/$N.stdin"; }`,
    ...read.map(({ n, step }) => `N=${n}\n${stepCommand(step)}`),
  ].join('\n');
  const done = await collect(spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }), { timeoutMs: 60000, label: 'bash reading the recorded lines' });
  assert.equal(done.code, 0, done.stderr);
  const mismatches: string[] = [];
  for (const { n, step, line } of read) {
    const words = fs
      .readFileSync(path.join(out, `${n}.args`), 'utf8')
      .split('\0')
      .slice(0, -1);
    const [host, ...rest] = words;
    const args = rest[0] === '--' ? rest.slice(1) : rest;
    const stdin = fs.readFileSync(path.join(out, `${n}.stdin`), 'utf8');
    if (host !== `${line.who}@bastion`) mismatches.push(`${step.id}: bash logs in ${host}, read ${line.who}`);
    if (JSON.stringify(args) !== JSON.stringify(line.args)) mismatches.push(`${step.id}: bash words ${JSON.stringify(args)}, read ${JSON.stringify(line.args)}`);
    if (stdin !== line.stdin) mismatches.push(`${step.id}: bash stdin ${JSON.stringify(stdin)}, read ${JSON.stringify(line.stdin)}`);
  }
  assert.ok(read.length > 0, 'some lines are read in-process');
  assert.deepEqual(mismatches, []);
});

/** One module's bastion, the directory its steps run in (the key files), and the keys its accounts log in with. */
class ModuleBastion {
  /** account → private key file, as the module has set them so far (accountCreate sets one). */
  private readonly logins = new Map<string, string>();

  private constructor(
    readonly mod: string,
    readonly srv: TestServer,
    /** The server's clock: moved forward where the module waited for a TTL to run out. */
    readonly clock: MovableClock,
    readonly cwd: string,
    /** A key no account has: what an account the replay has no key for logs in with. */
    readonly stranger: string,
  ) {
    this.logins.set('admin', srv.admin.key.privateFile);
  }

  static async start(mod: string): Promise<ModuleBastion> {
    const clock = new MovableClock();
    const srv = await startTestServer({ config: MODULE_CONFIG[mod] ?? {}, clock });
    return new ModuleBastion(mod, srv, clock, keyFilesDir(srv.dir), srv.newKey().privateFile);
  }

  /**
   * The step's command line as it runs here (our keys, the rebuilt stdin) and the keys it logs in
   * with; writes the configuration the step needs first, and notes the key an accountCreate gives.
   */
  prepare(step: Step): PreparedStep {
    const cfg = CONFIG_BEFORE[step.id];
    if (cfg) this.srv.writeConfig({ bastionName: 'testbastion', ...(MODULE_CONFIG[this.mod] ?? {}), ...cfg });
    const command = stepCommand(step);
    // An accountCreate sets the key its account logs in with from then on.
    const created = /--osh accountCreate .*--account (\S+)/.exec(step.command);
    if (created?.[1]) {
      const blob = /(?:ecdsa-sha2-nistp\d+|ssh-ed25519) (AAAA[A-Za-z0-9+/]+=*)/.exec(step.command)?.[1];
      const file = /< (account\dkey\dfile\.pub)/.exec(step.command)?.[1];
      const suffix = blob ? blob.slice(-12) : file ? KEY_FILES[file] : undefined;
      const priv = suffix ? keys.bySuffix(suffix).privateFile : null;
      if (priv) this.logins.set(created[1], priv);
    }
    const other = LOGIN_WITH[step.id];
    const who = /^\s*(?:echo .*\|\s*)?ssh (\S+)@bastion/.exec(step.command)?.[1];
    const stepLogins = new Map(this.logins);
    if (other && who) stepLogins.set(who, keys.bySuffix(KEY_FILES[other] ?? '').privateFile ?? this.stranger);
    return { command, keys: stepLogins };
  }

  overSsh(p: PreparedStep): Promise<StepRun> {
    return runStep(p.command, { port: this.srv.port, cwd: this.cwd, keys: p.keys, strangerKey: this.stranger });
  }

  inProcess(p: PreparedStep): Promise<InProcessRun> {
    return runStepInProcess(this.srv, p.command, { cwd: this.cwd, keys: p.keys, strangerKey: this.stranger });
  }

  /** In-process when it can, else with bash and OpenSSH. */
  async run(p: PreparedStep): Promise<StepRun> {
    const r = await this.inProcess(p);
    return r.ok ? r.run : this.overSsh(p);
  }

  close(): Promise<void> {
    return this.srv.close();
  }
}

interface PreparedStep {
  readonly command: string;
  readonly keys: ReadonlyMap<string, string>;
}

/** A module's steps in order, the skipped ones left out. */
const replayed = (mod: string): Step[] => steps.filter((s) => s.module === mod && !(s.id in SKIP));

/** The system clock plus an offset the replay moves forward. */
class MovableClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * Waits before a step as the module did (a TTL running out): by moving the server's clock, which
 * every TTL and expiry check reads, instead of sleeping the recorded seconds.
 */
function waitBefore(bastion: ModuleBastion, step: Step): void {
  const wait = WAIT_BEFORE[step.id];
  if (wait) bastion.clock.advance(wait * 1000);
}

/** A sampled step as the replay ran it in-process, with the audit row it left; or why it could not run in-process. */
interface LocalAnswer {
  readonly run: InProcessRun;
  readonly audit: string | null;
}

/** An answer the replay gives the parity check once it has it. */
interface Pending {
  readonly promise: Promise<LocalAnswer>;
  resolve(a: LocalAnswer): void;
  reject(e: unknown): void;
}

function pending(): Pending {
  let resolve: (a: LocalAnswer) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<LocalAnswer>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejected when the replay fails before this step: the parity check, if it waits for it, fails too.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Replays a module's steps in order: what differs from the recording, and which steps went over SSH. */
async function replayModule(bastion: ModuleBastion, all: readonly Step[], answers: ReadonlyMap<string, Pending>): Promise<{ report: string[]; overSsh: string[] }> {
  const report: string[] = [];
  const overSsh: string[] = [];
  try {
    for (const step of all) {
      waitBefore(bastion, step);
      const p = bastion.prepare(step);
      const before = lastAuditId(bastion.srv);
      const local = await bastion.inProcess(p);
      answers.get(step.id)?.resolve({ run: local, audit: auditSince(bastion.srv, before) });
      if (!local.ok) overSsh.push(`${step.id} (${local.why})`);
      const got = local.ok ? local.run : await bastion.overSsh(p);
      const diffs = differences(step, got);
      if (diffs.length) report.push(`${step.id}\n    ${diffs.join('\n    ')}\n    stderr: ${got.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}`);
    }
  } catch (e) {
    for (const a of answers.values()) a.reject(e);
    throw e;
  }
  return { report, overSsh };
}

/**
 * The twin replays the same steps up to the last sampled one, on its own (in-process when it can,
 * as the replay does), so at each sampled step it is in the state the replay was in: there it
 * runs the step over real OpenSSH, and its answer and audit row must be the replay's in-process ones.
 */
async function checkParity(twin: ModuleBastion, prefix: readonly Step[], answers: ReadonlyMap<string, Pending>): Promise<{ parity: string[]; sampled: number }> {
  const parity: string[] = [];
  let sampled = 0;
  for (const step of prefix) {
    waitBefore(twin, step);
    const p = twin.prepare(step);
    const answer = answers.get(step.id);
    if (!answer) {
      await twin.run(p);
      continue;
    }
    sampled++;
    if (JSON_VARIANTS.includes(step.id)) parity.push(...(await jsonParity(twin, step, p)));
    const before = lastAuditId(twin.srv);
    const wire = await twin.overSsh(p);
    const wireAudit = auditSince(twin.srv, before);
    const local = await answer.promise;
    if (!local.run.ok) {
      parity.push(`${step.id}: not read in-process (${local.run.why})`);
      continue;
    }
    parity.push(...transportDifferences(step.id, step, wire, local.run.run));
    if (local.audit !== wireAudit) parity.push(`${step.id}: audit row over SSH ${wireAudit}, in-process ${local.audit}`);
    // Every call that got past the login leaves its row: a missing one would make the comparison empty.
    if (wireAudit === null && wire.code !== 255) parity.push(`${step.id}: no audit row over SSH`);
  }
  return { parity, sampled };
}

// The modules run side by side, each on its own bastion, with its twin for the parity check.
describe('replay, and the transport parity of a sample', { concurrency: true }, () => {
  for (const mod of modules) {
    test(`module ${mod}`, async (t) => {
      const all = replayed(mod);
      const prefix = all.slice(0, Math.max(...all.map((s, i) => (s.id in PARITY_SAMPLE ? i + 1 : 0))));
      const answers = new Map(prefix.filter((s) => s.id in PARITY_SAMPLE).map((s) => [s.id, pending()] as const));
      const [bastion, twin] = await Promise.all([ModuleBastion.start(mod), prefix.length > 0 ? ModuleBastion.start(mod) : null]);
      try {
        const [{ report, overSsh }, checked] = await Promise.all([replayModule(bastion, all, answers), twin ? checkParity(twin, prefix, answers) : null]);
        await t.test(`replays module ${mod}`, (tt) => {
          tt.diagnostic(`${all.length - overSsh.length} steps in-process, ${overSsh.length} over SSH${overSsh.length ? `: ${overSsh.join(', ')}` : ''}`);
          assert.deepEqual(report, [], `module ${mod} differs from The Bastion:\n${report.join('\n')}`);
        });
        if (checked) {
          await t.test(`module ${mod}: sampled steps answer the same over OpenSSH and in-process`, (tt) => {
            tt.diagnostic(`${checked.sampled} sampled steps compared`);
            assert.deepEqual(checked.parity, [], `module ${mod}: OpenSSH and in-process answer differently:\n${checked.parity.join('\n')}`);
          });
        }
      } finally {
        await Promise.all([bastion.close(), twin?.close()]);
      }
    });
  }
});

/**
 * A sampled step that only reads, with --json in place of --json-greppable, on the twin: over
 * OpenSSH, then in-process; the envelopes in their JSON_START…JSON_END frames must agree.
 */
async function jsonParity(twin: ModuleBastion, step: Step, p: PreparedStep): Promise<string[]> {
  const variant: PreparedStep = { ...p, command: p.command.replace('--json-greppable', '--json') };
  const before = lastAuditId(twin.srv);
  const wire = await twin.overSsh(variant);
  const wireAudit = auditSince(twin.srv, before);
  const between = lastAuditId(twin.srv);
  const local = await twin.inProcess(variant);
  if (!local.ok) return [`${step.id} --json: not read in-process (${local.why})`];
  const localAudit = auditSince(twin.srv, between);
  const out = transportDifferences(`${step.id} --json`, step, withFrame(wire), withFrame(local.run));
  if (withFrame(wire).envelope === null) out.push(`${step.id} --json: no JSON_START…JSON_END frame over SSH`);
  if (wireAudit === null) out.push(`${step.id} --json: no audit row over SSH`);
  return wireAudit === localAudit ? out : [...out, `${step.id} --json: audit row over SSH ${wireAudit}, in-process ${localAudit}`];
}

const lastAuditId = (srv: TestServer): number => srv.gh.store.audit.recent(1)[0]?.id ?? 0;

/**
 * What the audit row a call wrote after row `id` says the dispatcher received and answered (its
 * account, words, plugin, code and exit status), or null when there is none (a refused login).
 */
function auditSince(srv: TestServer, id: number): string | null {
  const row = srv.gh.store.audit.recent(1)[0];
  if (!row || row.id <= id) return null;
  return JSON.stringify({ account: row.account, kind: row.kind, plugin: row.plugin, args: row.args, error_code: row.error_code, exit_status: row.exit_status });
}

/** A --json answer's envelope read from its frame (none when there is no frame). */
function withFrame(r: StepRun): StepRun {
  let envelope: Envelope | null = null;
  try {
    envelope = framed(r.stdout);
  } catch {
    envelope = null;
  }
  return { ...r, envelope };
}

/** Values that differ between two bastions by when a call ran: an ingress key's info says when it was added. */
const OWN_TO_EACH_BASTION: readonly RegExp[] = [/(\.key|\.keys\[\d+\]|\.deleted_key)\.info$/];

/**
 * How the answer over OpenSSH and the one in-process differ (compareShape says "X vs ours Y" for
 * X over OpenSSH and Y in-process): exit status, envelope or not, its
 * command and error_code, and the shape of its value. Values that are each bastion's own (times,
 * generated keys) are compared by type only, as in the replay.
 */
function transportDifferences(label: string, step: Step, wire: StepRun, local: StepRun): string[] {
  const out: string[] = [];
  if (wire.code !== local.code) out.push(`exit ${wire.code} over SSH vs ${local.code} in-process`);
  if (wire.envelope === null || local.envelope === null) {
    if (wire.envelope !== local.envelope) out.push(`envelope ${wire.envelope?.error_code ?? 'none'} over SSH vs ${local.envelope?.error_code ?? 'none'} in-process`);
  } else {
    if (wire.envelope.command !== local.envelope.command) out.push(`command ${wire.envelope.command} over SSH vs ${local.envelope.command} in-process`);
    if (wire.envelope.error_code !== local.envelope.error_code) out.push(`error_code ${wire.envelope.error_code} over SSH vs ${local.envelope.error_code} in-process`);
    compareShape(
      wire.envelope.value,
      local.envelope.value,
      'value',
      { volatile: [...VOLATILE_PATHS, ...OWN_TO_EACH_BASTION, ...ENVIRONMENT_PATHS.filter((e) => !e.command || e.command.test(step.command)).map((e) => e.path)] },
      out,
    );
  }
  return out.length ? [`${label}\n    ${out.join('\n    ')}\n    stderr over SSH: ${wire.stderr.trim().slice(0, 200)}`] : [];
}
