// The audit trail: one row per call, refused or not. A call's words are kept bounded: an exec
// string can be as long as the SSH packet allows (a 64 KB one must not make a 64 KB row, nor can
// a flood of such calls be allowed to grow the database at that rate), so each word is clipped
// and the row keeps a bounded number of words and bytes, with a marker saying what was dropped.
import { CONFIG_SCHEMA } from '../config/schema.js';
import type { DB } from './db.js';
import { int, real, rowOf, text, textOrNull } from './decode.js';

/** How much of a call's words an audit row keeps. */
export interface AuditArgsBounds {
  /** The most words. */
  readonly words: number;
  /** The most bytes of one word (a public key line, 3000 at most, fits). */
  readonly wordBytes: number;
  /** The most bytes of all the kept words together, as JSON-encoded in the row. */
  readonly bytes: number;
}

/** The defaults of bastion.conf's auditArgsMaxWords, auditArgMaxWordBytes and auditArgsMaxBytes. */
export const AUDIT_ARGS_BOUNDS: AuditArgsBounds = {
  words: CONFIG_SCHEMA.auditArgsMaxWords.default,
  wordBytes: CONFIG_SCHEMA.auditArgMaxWordBytes.default,
  bytes: CONFIG_SCHEMA.auditArgsMaxBytes.default,
};

/** The head of a string that fits in `max` UTF-8 bytes, never splitting a character. */
function clipUtf8(s: string, max: number): string {
  let out = '';
  let used = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (used + n > max) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * The words as an audit row keeps them: each clipped to `wordBytes` (followed by `…[+N bytes]`),
 * at most `words` words and `bytes` in all; what is left out is counted in one last word,
 * `[… N more words, M bytes not kept]`.
 */
export function boundAuditArgs(words: readonly string[], bounds: AuditArgsBounds = AUDIT_ARGS_BOUNDS): string[] {
  const out: string[] = [];
  let total = 0;
  let i = 0;
  for (; i < words.length && i < bounds.words; i++) {
    const w = words[i] as string;
    const bytes = Buffer.byteLength(w);
    let kept = w;
    if (bytes > bounds.wordBytes) {
      const head = clipUtf8(w, bounds.wordBytes);
      kept = `${head}…[+${bytes - Buffer.byteLength(head)} bytes]`;
    }
    const cost = Buffer.byteLength(JSON.stringify(kept)) + 1;
    if (total + cost > bounds.bytes) break;
    out.push(kept);
    total += cost;
  }
  if (i < words.length) {
    const rest = words.slice(i);
    const bytes = rest.reduce((n, w) => n + Buffer.byteLength(w), 0);
    out.push(`[… ${rest.length} more words, ${bytes} bytes not kept]`);
  }
  return out;
}

export interface AuditEntry {
  at: number;
  connId: string;
  callId: string;
  account: string;
  peerIp: string;
  peerPort: number;
  kind: 'osh' | 'egress' | 'shell' | 'refused';
  plugin: string | null;
  args: readonly string[];
  errorCode: string;
  exitStatus: number;
  durationMs: number;
  /** How much of `args` the row keeps (bastion.conf's auditArgs* keys); the defaults otherwise. */
  argsBounds?: AuditArgsBounds;
}

export interface AuditRow {
  readonly id: number;
  readonly at: number;
  readonly conn_id: string;
  readonly call_id: string;
  readonly account: string;
  readonly peer_ip: string;
  readonly peer_port: number;
  readonly kind: string;
  readonly plugin: string | null;
  readonly args: string;
  readonly error_code: string;
  readonly exit_status: number;
  readonly duration_ms: number;
}

const T = 'audit';
const COLUMNS = 'id, at, conn_id, call_id, account, peer_ip, peer_port, kind, plugin, args, error_code, exit_status, duration_ms';

export function decodeAudit(raw: unknown): AuditRow {
  const r = rowOf(raw, T);
  return {
    id: int(r.id, T, 'id'),
    at: int(r.at, T, 'at'),
    conn_id: text(r.conn_id, T, 'conn_id'),
    call_id: text(r.call_id, T, 'call_id'),
    account: text(r.account, T, 'account'),
    peer_ip: text(r.peer_ip, T, 'peer_ip'),
    peer_port: int(r.peer_port, T, 'peer_port'),
    kind: text(r.kind, T, 'kind'),
    plugin: textOrNull(r.plugin, T, 'plugin'),
    args: text(r.args, T, 'args'),
    error_code: text(r.error_code, T, 'error_code'),
    exit_status: int(r.exit_status, T, 'exit_status'),
    duration_ms: real(r.duration_ms, T, 'duration_ms'),
  };
}

export interface AuditReader {
  /** The last `limit` rows, newest first. */
  recent(limit: number): AuditRow[];
  /** The last `limit` calls of one plugin by one account, newest first (the bench's server-side timings). */
  recentCalls(account: string, plugin: string, limit: number): AuditRow[];
}

export interface AuditWriter {
  record(e: AuditEntry): void;
}

export type AuditQueries = AuditReader & AuditWriter;

export function auditQueries(db: DB): AuditQueries {
  const insert = db.prepare(
    `INSERT INTO audit (at, conn_id, call_id, account, peer_ip, peer_port, kind, plugin, args, error_code, exit_status, duration_ms)
     VALUES (@at, @connId, @callId, @account, @peerIp, @peerPort, @kind, @plugin, @args, @errorCode, @exitStatus, @durationMs)`,
  );
  const recent = db.prepare<[number], unknown>(`SELECT ${COLUMNS} FROM audit ORDER BY id DESC LIMIT ?`);
  const recentCalls = db.prepare<[string, string, number], unknown>(`SELECT ${COLUMNS} FROM audit WHERE account = ? AND plugin = ? ORDER BY id DESC LIMIT ?`);
  return {
    record: ({ argsBounds, ...e }) => void insert.run({ ...e, args: JSON.stringify(boundAuditArgs(e.args, argsBounds)) }),
    recent: (limit) => recent.all(limit).map(decodeAudit),
    recentCalls: (account, plugin, limit) => recentCalls.all(account, plugin, limit).map(decodeAudit),
  };
}
