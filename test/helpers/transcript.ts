// Replaying The Bastion's recorded answers (/work/shared/bastion-reference/transcript.jsonl, a copy
// of which is test/helpers/transcript-recording.jsonl) against a real Gatehouse, and comparing what a script would read:
// the exit status, the envelope's command and error_code, and the shape of its value.
//
// Each recorded command is a bash line (`ssh ACCOUNT@bastion -- ARGS`, sometimes with `<<<`, a pipe
// from echo or `< FILE`). runStepInProcess reads it in JS (transcriptLine.ts) and calls the real
// dispatcher in-process, after the SSH server's own login decision; a line it can't read with
// certainty, and a connection request (egress needs the SSH session channel), run as runStep runs
// every line: with bash, `ssh` being a function that calls the real OpenSSH client on the test
// server with the account's key, so the quoting is exactly the recorded one.
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitBastionOptions } from '../../src/osh/bastionOptions.js';
import { splitWords } from '../../src/osh/words.js';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { collect, type Finished } from './child.js';
import { OPENSSH_BATCH_OPTIONS } from './openssh.js';
import type { Envelope } from './clients.js';
import { callInProcess, loginInProcess } from './inProcess.js';
import type { TestServer } from './server.js';
import { readStepLine } from './transcriptLine.js';

export interface RecordedEnvelope {
  command: string | null;
  error_code: string;
  value: unknown;
}

export interface Step {
  /** e.g. 0012-300-activeness-add_access_to_a1 */
  readonly id: string;
  /** e.g. 300 */
  readonly module: string;
  readonly command: string;
  readonly exit: number;
  readonly envelope: RecordedEnvelope | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The recording, from the repository's copy (dist/test/helpers → test/data). */
export function loadTranscript(): Step[] {
  const file = path.resolve(here, '../../../test/helpers/transcript-recording.jsonl');
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const o = JSON.parse(l) as { step: string; command: string; exit: number; envelope: RecordedEnvelope | null };
      return { id: o.step, module: o.step.split('-')[1] ?? '', command: o.command, exit: o.exit, envelope: o.envelope };
    });
}

// ---------------------------------------------------------------------------------------------
// Keys: every public key in the recording is replaced by one of ours of the same type (and size);
// fingerprints given on command lines follow.

const KEY_RE = /(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) (AAAA[A-Za-z0-9+/]+=*)/g;

interface MappedKey {
  readonly blob: string;
  readonly line: string;
  /** Only for the keys accounts log in with (ecdsa and ed25519 ones: cheap to make for real). */
  readonly privateFile: string | null;
  readonly fingerprint: string;
}

function fingerprintOf(blobB64: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(blobB64, 'base64')).digest('base64').replace(/=+$/, '');
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** The modulus size of a recorded ssh-rsa blob, in bits. */
function rsaBits(blobB64: string): number {
  const b = Buffer.from(blobB64, 'base64');
  let off = 0;
  const next = (): Buffer => {
    const n = b.readUInt32BE(off);
    const v = b.subarray(off + 4, off + 4 + n);
    off += 4 + n;
    return v;
  };
  next(); // type
  next(); // e
  const n = next();
  const first = n[0] === 0 ? n.subarray(1) : n;
  return first.length * 8;
}

/**
 * An RSA public key of `bits` bits with a random odd modulus: nobody logs in with these (they only
 * test size rules), and a real 16384-bit pair would take minutes to generate.
 */
function fakeRsaBlob(bits: number): string {
  const n = randomBytes(bits / 8);
  n[0] = (n[0] ?? 0) | 0x80;
  n[n.length - 1] = (n[n.length - 1] ?? 0) | 1;
  const e = Buffer.from([0x01, 0x00, 0x01]);
  return Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshString(e), sshString(Buffer.concat([Buffer.from([0]), n]))]).toString('base64');
}

export class KeyMap {
  private readonly byBlob = new Map<string, MappedKey>();
  private readonly fpMap = new Map<string, string>();

  constructor(private readonly dir: string) {}

  /** Our key for a recorded one (made on first sight). */
  map(type: string, blob: string): MappedKey {
    const known = this.byBlob.get(blob);
    if (known) return known;
    let mapped: MappedKey;
    if (type === 'ssh-rsa') {
      const b = fakeRsaBlob(rsaBits(blob));
      mapped = { blob: b, line: `ssh-rsa ${b}`, privateFile: null, fingerprint: fingerprintOf(b) };
    } else {
      const pair =
        type === 'ssh-ed25519'
          ? generateCheckedKeyPair('ed25519', { comment: 'transcript' })
          : generateCheckedKeyPair('ecdsa', { bits: Number(type.slice(-3)), comment: 'transcript' });
      const [t, b] = pair.public.split(' ');
      const privateFile = path.join(this.dir, `k${this.byBlob.size}`);
      fs.writeFileSync(privateFile, pair.private, { mode: 0o600 });
      mapped = { blob: b ?? '', line: `${t} ${b}`, privateFile, fingerprint: fingerprintOf(b ?? '') };
    }
    this.byBlob.set(blob, mapped);
    this.fpMap.set(fingerprintOf(blob), mapped.fingerprint);
    return mapped;
  }

  /** Maps every key of a recorded text (done for the whole transcript first, so fingerprints are known). */
  scan(text: string): void {
    for (const m of text.matchAll(KEY_RE)) this.map(m[1] ?? '', m[2] ?? '');
  }

  /** The text with our keys and their fingerprints in place of the recorded ones. */
  rewrite(text: string): string {
    let out = text
      .replace(KEY_RE, (_all, type: string, blob: string) => `${type} ${this.map(type, blob).blob}`)
      .replace(/SHA256:[A-Za-z0-9+/]{43}/g, (fp) => this.fpMap.get(fp) ?? fp);
    // A blob alone (a value's base64 field).
    for (const [blob, k] of this.byBlob) if (out.includes(blob)) out = out.split(blob).join(k.blob);
    return out;
  }

  /** Our key standing for a recorded blob (by its last characters, as the test data names them). */
  bySuffix(suffix: string): MappedKey {
    for (const [blob, k] of this.byBlob) if (blob.endsWith(suffix)) return k;
    throw new Error(`no recorded key ends with ${suffix}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Running a step.

export interface StepRun extends Finished {
  readonly envelope: Envelope | null;
}

/** The envelope of a --json-greppable answer, or null when there is none (refused at login). */
export function envelopeOf(out: string): Envelope | null {
  const lines = out.split(/\r?\n/).filter((l) => l.startsWith('JSON_OUTPUT='));
  if (lines.length !== 1) return null;
  return JSON.parse((lines[0] as string).slice('JSON_OUTPUT='.length)) as Envelope;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs one recorded command line with bash in `cwd` (where the accountNkeyMfile.pub files are),
 * `ssh` being a function that logs the named account in with its key (an unknown account gets a key
 * nobody has, as an account that doesn't exist would).
 */
export async function runStep(command: string, o: { port: number; cwd: string; keys: ReadonlyMap<string, string>; strangerKey: string }): Promise<StepRun> {
  const cases = [...o.keys].map(([acc, file]) => `    ${q(acc)}) k=${q(file)} ;;`).join('\n');
  const script = [
    'set -o pipefail',
    'ssh() {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion in the script's text, not a JS template
    '  local who="${1%@bastion}"; shift',
    '  local k',
    '  case "$who" in',
    cases,
    `    *) k=${q(o.strangerKey)} ;;`,
    '  esac',
    `  command ssh ${OPENSSH_BATCH_OPTIONS.map(q).join(' ')} -i "$k" -p ${o.port} "$who@127.0.0.1" "$@"`,
    '}',
    command,
  ].join('\n');
  // Its own process group, so a step that overstays is killed with its ssh (and the server sees
  // the session end) instead of leaving an orphan client that keeps the server from closing.
  const child = spawn('bash', ['-c', script], { cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, 20000);
  try {
    const done = await collect(child);
    if (done.code === null) throw new Error(`step timed out: ${command}\n${done.stdout}\n${done.stderr}`);
    return { ...done, envelope: envelopeOf(done.stdout) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the dispatcher would take these words as a connection request (no plugin named, no
 * --help), in its order (src/osh/dispatch.ts route): such a call reaches egress, which bridges the
 * SSH session channel and records the bastion's own address of the connection, so it only runs
 * over SSH. Words the dispatcher can't split are refused before that (in-process is fine).
 */
function isConnectionRequest(args: readonly string[]): boolean {
  const split = splitWords(args.join(' '));
  if (!split.ok) return false;
  const { options, rest } = splitBastionOptions(split.words);
  return options.osh === undefined && rest[0] !== '--osh' && rest[0] !== '-osh' && !options.help && !options.longHelp;
}

/** A step run in-process, or why it has to go through bash and OpenSSH. */
export type InProcessRun = { readonly ok: true; readonly run: StepRun } | { readonly ok: false; readonly why: string };

/**
 * Runs one recorded command line in-process on `srv`: the line read as bash would (in `cwd`, for
 * `< FILE`), the login decided by the SSH server's own functions with the key `keys` names for the
 * account (the stranger key otherwise, as runStep does), then the words through the real
 * dispatcher. A refused login is what OpenSSH makes of it: exit 255, nothing on stdout.
 */
export async function runStepInProcess(srv: TestServer, command: string, o: { cwd: string; keys: ReadonlyMap<string, string>; strangerKey: string }): Promise<InProcessRun> {
  const reading = readStepLine(command, o.cwd);
  if (!reading.ok) return reading;
  const { who, args, stdin } = reading.line;
  if (isConnectionRequest(args)) return { ok: false, why: 'a connection request (egress runs over the SSH session channel)' };
  const login = loginInProcess(srv, who, fs.readFileSync(o.keys.get(who) ?? o.strangerKey, 'utf8'));
  if (!login.ok) return { ok: true, run: { code: 255, stdout: '', stderr: `${who}@127.0.0.1: Permission denied (publickey): ${login.why}\n`, envelope: null } };
  const done = await callInProcess(srv, who, args, { stdin });
  return { ok: true, run: { ...done, envelope: envelopeOf(done.stdout) } };
}

// ---------------------------------------------------------------------------------------------
// Comparing values by shape.

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Keys whose values depend on the machine, the clock or the keys made for this run: their type is
 * compared, their value is not.
 */
const VOLATILE_KEY =
  /^(hostname|bastion_name|bastion_alias_command|fortune|id|fullpath|filename|mtime|created|creation_time|.*_time|.*_timestamp|timestamp_.*|.*_date|.*_datetime|date|datetime|timestamp|expiry|lastlog|last_activity|.*seen|ago|datetime_utc|datetime_local|date_changed|bastion_version|version|addedBy|addedDate|registered_accounts|registered_groups)$/;

export interface ShapeOptions {
  /** JSON paths (`value.keys[0].size`) whose value is not compared (their type still is). */
  readonly ignoreValues?: readonly string[];
  /** JSON paths not compared at all. */
  readonly ignore?: readonly string[];
  /** Paths (as regular expressions) not compared at all: neither present nor missing counts. */
  readonly ignorePaths?: readonly RegExp[];
  /** What Gatehouse answers at these JSON paths instead of the recorded value (compared exactly). */
  readonly expect?: Readonly<Record<string, unknown>>;
  /** Paths (as regular expressions) whose value is not compared, in every step. */
  readonly volatile?: readonly RegExp[];
  /** Object keys that show the recording machine, not The Bastion (dropped from the recorded value). */
  readonly environmentKeys?: readonly string[];
}

/** The differences between what The Bastion answered and ours: empty when they match. */
export function compareShape(expected: unknown, actual: unknown, at: string, o: ShapeOptions, out: string[] = [], key = ''): string[] {
  const skipped = (p: string): boolean => (o.ignore?.includes(p) ?? false) || (o.ignorePaths?.some((r) => r.test(p)) ?? false);
  if (skipped(at)) return out;
  if (o.expect && at in o.expect) {
    if (JSON.stringify(o.expect[at]) !== JSON.stringify(actual))
      out.push(`${at}: Gatehouse should answer ${JSON.stringify(o.expect[at])}, ours ${JSON.stringify(actual)?.slice(0, 80)}`);
    return out;
  }
  const ke = kind(expected);
  const ka = kind(actual);
  if (ke !== ka) {
    out.push(`${at}: ${ke} ${JSON.stringify(expected)?.slice(0, 80)} vs ours ${ka} ${JSON.stringify(actual)?.slice(0, 80)}`);
    return out;
  }
  if (ke === 'array') {
    // Lists of names (owners, members…) come in no promised order: compare them sorted.
    const names = (x: unknown[]): boolean => x.every((v) => typeof v === 'string');
    const sorted = (x: unknown[]): unknown[] => (names(expected as unknown[]) && names(actual as unknown[]) ? [...x].sort() : x);
    const e = sorted(expected as unknown[]);
    const a = sorted(actual as unknown[]);
    if (e.length !== a.length && !o.ignoreValues?.includes(at)) out.push(`${at}: ${e.length} items vs ours ${a.length}`);
    for (let i = 0; i < Math.min(e.length, a.length); i++) compareShape(e[i], a[i], `${at}[${i}]`, o, out, key);
    return out;
  }
  if (ke === 'object') {
    // Objects keyed by key fingerprints (egress key listings): the keys are ours, compare the entries in order.
    const fpKeyed = (x: object): boolean => Object.keys(x).length > 0 && Object.keys(x).every((k) => k.startsWith('SHA256:'));
    if (fpKeyed(expected as object) && fpKeyed(actual as object)) {
      // In a stable order of our own: by family and size (the fingerprints differ by construction).
      const order = (x: object): unknown[] =>
        Object.values(x).sort((p, q) => {
          const f = (v: unknown): string =>
            typeof v === 'object' && v !== null ? `${String((v as Record<string, unknown>).family)}/${String((v as Record<string, unknown>).size)}` : '';
          return f(p) < f(q) ? -1 : f(p) > f(q) ? 1 : 0;
        });
      compareShape(order(expected as object), order(actual as object), at, o, out, key);
      return out;
    }
    const e = Object.fromEntries(Object.entries(expected as Record<string, unknown>).filter(([k]) => !o.environmentKeys?.includes(k)));
    const a = actual as Record<string, unknown>;
    const missing = Object.keys(e).filter((k) => !(k in a) && !skipped(`${at}.${k}`));
    const extra = Object.keys(a).filter((k) => !(k in e) && !skipped(`${at}.${k}`));
    if (missing.length) out.push(`${at}: missing keys ${missing.join(', ')}`);
    if (extra.length) out.push(`${at}: extra keys ${extra.join(', ')}`);
    for (const k of Object.keys(e)) if (k in a) compareShape(e[k], a[k], `${at}.${k}`, o, out, k);
    return out;
  }
  if (expected !== actual && !VOLATILE_KEY.test(key) && !o.ignoreValues?.includes(at) && !o.volatile?.some((r) => r.test(at))) {
    out.push(`${at}: ${JSON.stringify(expected)} vs ours ${JSON.stringify(actual)}`);
  }
  return out;
}
