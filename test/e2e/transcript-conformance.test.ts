// Conformance with The Bastion: its own functional tests' calls, recorded against a real The
// Bastion 3.24 (test/helpers/transcript-recording.jsonl), replayed in order against a real
// Gatehouse, one server per module. For each step we compare the exit status, the envelope's
// command and error_code, and the shape of the value (types, keys, and the values that don't
// depend on the machine, the clock or the keys). Steps that can't apply are in SKIP, deliberate
// differences in KNOWN (test/helpers/transcriptData.ts), both with their reasons.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test, before, after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { compareShape, KeyMap, loadTranscript, runStep, type Step } from '../helpers/transcript.js';
import {
  CONFIG_BEFORE,
  ENVIRONMENT_KEYS,
  ENVIRONMENT_PATHS,
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
  for (const id of [...Object.keys(SKIP), ...Object.keys(KNOWN), ...Object.keys(CONFIG_BEFORE), ...Object.keys(LOGIN_WITH), ...Object.keys(WAIT_BEFORE), ...Object.keys(STDIN)])
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

for (const mod of modules) {
  describe(`module ${mod}`, () => {
    let srv: TestServer;
    let cwd: string;
    const logins = new Map<string, string>();
    before(async () => {
      srv = await startTestServer({ config: MODULE_CONFIG[mod] ?? {} });
      cwd = fs.mkdtempSync(path.join(srv.dir, 'cwd-'));
      for (const [file, suffix] of Object.entries(KEY_FILES)) fs.writeFileSync(path.join(cwd, file), `${keys.bySuffix(suffix).line} root@vm\n`);
      logins.set('admin', srv.admin.key.privateFile);
    });
    after(async () => {
      await srv.close();
    });

    test(`replays module ${mod}`, async () => {
      const stranger = srv.newKey().privateFile;
      const report: string[] = [];
      for (const step of steps.filter((s) => s.module === mod && !(s.id in SKIP))) {
        const wait = WAIT_BEFORE[step.id];
        if (wait) await sleep(wait * 1000);
        const cfg = CONFIG_BEFORE[step.id];
        if (cfg) srv.writeConfig({ bastionName: 'testbastion', ...(MODULE_CONFIG[mod] ?? {}), ...cfg });
        const stdin = STDIN[step.id];
        // A rebuilt stdin replaces the cut redirection (`<<< "-----BEGIN…` or `< <(printf \`).
        const recorded =
          stdin === undefined ? step.command : `${step.command.replace(/\s*(<<<\s*"-----BEGIN.*|<\s*<\(printf \\)\s*$/, '')} <<'TRANSCRIPT_STDIN'\n${stdin}TRANSCRIPT_STDIN`;
        const command = keys.rewrite(recorded);
        // An accountCreate sets the key its account logs in with from then on.
        const created = /--osh accountCreate .*--account (\S+)/.exec(step.command);
        if (created?.[1]) {
          const blob = /(?:ecdsa-sha2-nistp\d+|ssh-ed25519) (AAAA[A-Za-z0-9+/]+=*)/.exec(step.command)?.[1];
          const file = /< (account\dkey\dfile\.pub)/.exec(step.command)?.[1];
          const suffix = blob ? blob.slice(-12) : file ? KEY_FILES[file] : undefined;
          const priv = suffix ? keys.bySuffix(suffix).privateFile : null;
          if (priv) logins.set(created[1], priv);
        }
        const other = LOGIN_WITH[step.id];
        const who = /^\s*(?:echo .*\|\s*)?ssh (\S+)@bastion/.exec(step.command)?.[1];
        const stepLogins = new Map(logins);
        if (other && who) stepLogins.set(who, keys.bySuffix(KEY_FILES[other] ?? '').privateFile ?? stranger);
        const got = await runStep(command, { port: srv.port, cwd, keys: stepLogins, strangerKey: stranger });
        const diffs = differences(step, got);
        if (diffs.length) report.push(`${step.id}\n    ${diffs.join('\n    ')}\n    stderr: ${got.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 200)}`);
      }
      assert.deepEqual(report, [], `module ${mod} differs from The Bastion:\n${report.join('\n')}`);
    });
  });
}
