// Egress sessions (The Bastion's access log rows of type ssh): one row per connection request
// that reached the access decision, allowed or denied. The id is the call id, shared with the
// audit row and every log line of that call; allowed sessions point at their recording.
import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';
import { int, intOrNull, rowOf, text, textOrNull } from './decode.js';

export interface SessionRow {
  readonly id: string;
  readonly account_id: number | null;
  readonly account: string;
  readonly conn_id: string;
  readonly peer_ip: string;
  readonly peer_port: number;
  readonly via_ip: string | null;
  readonly via_port: number | null;
  readonly target_user: string;
  readonly target_host: string;
  readonly target_ip: string;
  readonly target_port: number;
  readonly allowed: number;
  readonly pty: number;
  readonly command: string | null;
  /** Milliseconds since the epoch. */
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly exit_status: number | null;
  readonly exit_signal: string | null;
  /** Why a session ended abnormally: connection_refused, permission_denied, hostkey_changed, idle_timeout, … */
  readonly comment: string | null;
  /** Bytes from the user to the target. */
  readonly bytes_up: number;
  /** Bytes from the target to the user. */
  readonly bytes_down: number;
  /** The asciicast file, relative to the data directory; null when nothing was recorded. */
  readonly recording: string | null;
}

export interface NewSession {
  id: string;
  accountId: number;
  account: string;
  connId: string;
  peerIp: string;
  peerPort: number;
  viaIp: string | null;
  viaPort: number | null;
  targetUser: string;
  targetHost: string;
  targetIp: string;
  targetPort: number;
  allowed: boolean;
  pty: boolean;
  command: string | null;
  startedAt: number;
  recording: string | null;
}

export interface SessionEnd {
  endedAt: number;
  exitStatus: number | null;
  exitSignal: string | null;
  comment: string | null;
  bytesUp: number;
  bytesDown: number;
}

/** Filters of selfListSessions; every one is optional and they all apply together. */
export interface SessionFilter {
  accountId: number;
  id?: string;
  allowed?: boolean;
  afterMs?: number;
  beforeMs?: number;
  fromIp?: string;
  targetIp?: string;
  targetPort?: number;
  targetUser?: string;
  viaIp?: string;
  viaPort?: number;
  limit: number;
}

const T = 'sessions';
const COLUMNS =
  'id, account_id, account, conn_id, peer_ip, peer_port, via_ip, via_port, target_user, target_host, target_ip, target_port, allowed, pty, command, started_at, ended_at, exit_status, exit_signal, comment, bytes_up, bytes_down, recording';

export function decodeSession(raw: unknown): SessionRow {
  const r = rowOf(raw, T);
  return {
    id: text(r.id, T, 'id'),
    account_id: intOrNull(r.account_id, T, 'account_id'),
    account: text(r.account, T, 'account'),
    conn_id: text(r.conn_id, T, 'conn_id'),
    peer_ip: text(r.peer_ip, T, 'peer_ip'),
    peer_port: int(r.peer_port, T, 'peer_port'),
    via_ip: textOrNull(r.via_ip, T, 'via_ip'),
    via_port: intOrNull(r.via_port, T, 'via_port'),
    target_user: text(r.target_user, T, 'target_user'),
    target_host: text(r.target_host, T, 'target_host'),
    target_ip: text(r.target_ip, T, 'target_ip'),
    target_port: int(r.target_port, T, 'target_port'),
    allowed: int(r.allowed, T, 'allowed'),
    pty: int(r.pty, T, 'pty'),
    command: textOrNull(r.command, T, 'command'),
    started_at: int(r.started_at, T, 'started_at'),
    ended_at: intOrNull(r.ended_at, T, 'ended_at'),
    exit_status: intOrNull(r.exit_status, T, 'exit_status'),
    exit_signal: textOrNull(r.exit_signal, T, 'exit_signal'),
    comment: textOrNull(r.comment, T, 'comment'),
    bytes_up: int(r.bytes_up, T, 'bytes_up'),
    bytes_down: int(r.bytes_down, T, 'bytes_down'),
    recording: textOrNull(r.recording, T, 'recording'),
  };
}

export interface SessionReader {
  byId(id: string): SessionRow | undefined;
  /** The newest matching sessions first, at most `limit` (the account's own: the filter requires it). */
  list(f: SessionFilter): SessionRow[];
}

export interface SessionWriter {
  start(s: NewSession): void;
  end(id: string, e: SessionEnd): void;
}

export type SessionQueries = SessionReader & SessionWriter;

export function sessionQueries(db: DB): SessionQueries {
  const insert = db.prepare(
    `INSERT INTO sessions (id, account_id, account, conn_id, peer_ip, peer_port, via_ip, via_port, target_user,
       target_host, target_ip, target_port, allowed, pty, command, started_at, recording)
     VALUES (@id, @accountId, @account, @connId, @peerIp, @peerPort, @viaIp, @viaPort, @targetUser,
       @targetHost, @targetIp, @targetPort, @allowed, @pty, @command, @startedAt, @recording)`,
  );
  const end = db.prepare(
    `UPDATE sessions SET ended_at = @endedAt, exit_status = @exitStatus, exit_signal = @exitSignal, comment = @comment,
       bytes_up = @bytesUp, bytes_down = @bytesDown WHERE id = @id`,
  );
  const byId = db.prepare<[string], unknown>(`SELECT ${COLUMNS} FROM sessions WHERE id = ?`);
  // One prepared statement per combination of filters actually used, kept for later calls.
  const listStatements = new Map<string, Statement<[Record<string, string | number>], unknown>>();
  return {
    start: (s) => void insert.run({ ...s, allowed: s.allowed ? 1 : 0, pty: s.pty ? 1 : 0 }),
    end: (id, e) => void end.run({ id, ...e }),
    byId: (id) => {
      const raw = byId.get(id);
      return raw === undefined ? undefined : decodeSession(raw);
    },
    list: (f) => {
      // Placeholders only; the clauses are fixed strings chosen by which filters are present.
      const where: string[] = ['account_id = @accountId'];
      const params: Record<string, string | number> = { accountId: f.accountId, limit: f.limit };
      const add = (clause: string, key: string, value: string | number | undefined): void => {
        if (value === undefined) return;
        where.push(clause);
        params[key] = value;
      };
      add('id = @id', 'id', f.id);
      add('allowed = @allowed', 'allowed', f.allowed === undefined ? undefined : f.allowed ? 1 : 0);
      add('started_at > @afterMs', 'afterMs', f.afterMs);
      add('started_at < @beforeMs', 'beforeMs', f.beforeMs);
      add('peer_ip = @fromIp', 'fromIp', f.fromIp);
      add('(target_ip = @targetIp OR target_host = @targetIp)', 'targetIp', f.targetIp);
      add('target_port = @targetPort', 'targetPort', f.targetPort);
      add('target_user = @targetUser', 'targetUser', f.targetUser);
      add('via_ip = @viaIp', 'viaIp', f.viaIp);
      add('via_port = @viaPort', 'viaPort', f.viaPort);
      const sql = `SELECT ${COLUMNS} FROM sessions WHERE ${where.join(' AND ')} ORDER BY started_at DESC, rowid DESC LIMIT @limit`;
      let stmt = listStatements.get(sql);
      if (!stmt) {
        stmt = db.prepare<[Record<string, string | number>], unknown>(sql);
        listStatements.set(sql, stmt);
      }
      return stmt.all(params).map(decodeSession);
    },
  };
}
