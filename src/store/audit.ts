// The audit trail: one row per call, refused or not.
import type { DB } from './db.js';

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

export function auditQueries(db: DB) {
  const insert = db.prepare(
    `INSERT INTO audit (at, conn_id, call_id, account, peer_ip, peer_port, kind, plugin, args, error_code, exit_status, duration_ms)
     VALUES (@at, @connId, @callId, @account, @peerIp, @peerPort, @kind, @plugin, @args, @errorCode, @exitStatus, @durationMs)`,
  );
  const recent = db.prepare<[number], AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
  return {
    record: (e: AuditEntry): void => void insert.run({ ...e, args: JSON.stringify(e.args) }),
    recent: (limit: number): AuditRow[] => recent.all(limit),
  };
}
