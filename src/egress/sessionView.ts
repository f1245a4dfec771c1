// How a sessions row is shown: selfListSessions' value items (The Bastion's field names and types,
// e.g. `to.port` a string and `returned` a wait status, as its access log gives them) and the
// one-line and detailed text forms, shared by selfListSessions and selfPlaySession.
import type { SessionRow } from '../store/sessions.js';
import { machineDisplay } from './resolve.js';

export interface SessionItem {
  id: string;
  from: { ip: string; host: string; port: number };
  via: { ip: string | null; port: number | null; user: string };
  to: { ip: string; port: string; host: string };
  proxy: { ip: null; port: null; host: null };
  timestamp_started: number;
  timestamp_ended: number;
  type: 'ssh';
  plugin: null;
  allowed: 0 | 1;
  /** The wait status The Bastion stores (exit status << 8), null while running or when denied. */
  returned: number | null;
  params: null;
  /** Gatehouse's own additions: the plain exit status, the signal, why it ended, the byte counts. */
  exit_status: number | null;
  exit_signal: string | null;
  comment: string | null;
  bytes_up: number;
  bytes_down: number;
  has_recording: 0 | 1;
}

export function sessionItem(r: SessionRow): SessionItem {
  return {
    id: r.id,
    from: { ip: r.peer_ip, host: r.peer_ip, port: r.peer_port },
    via: { ip: r.via_ip, port: r.via_port, user: r.account },
    to: { ip: r.target_ip, port: String(r.target_port), host: r.target_host },
    proxy: { ip: null, port: null, host: null },
    timestamp_started: r.started_at / 1000,
    timestamp_ended: r.ended_at === null ? 0 : r.ended_at / 1000,
    type: 'ssh',
    plugin: null,
    allowed: r.allowed ? 1 : 0,
    returned: r.allowed && r.ended_at !== null ? clientExit(r) * 256 : null,
    params: null,
    exit_status: r.exit_status,
    exit_signal: r.exit_signal,
    comment: r.comment,
    bytes_up: r.bytes_up,
    bytes_down: r.bytes_down,
    has_recording: r.recording ? 1 : 0,
  };
}

/** The exit status the user's client saw: a signal or a missing status is OpenSSH's 255. */
function clientExit(r: SessionRow): number {
  if (r.exit_signal !== null || r.exit_status === null) return 255;
  return r.exit_status;
}

/** YYYY/MM/DD@HH:MM:SS in the bastion's local time, as The Bastion prints session times. */
export function stamp(ms: number, sep = '@'): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())}${sep}${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A duration as [Nd+][HH:][MM:]SS.d, The Bastion's selfListSessions form. */
export function shortDuration(ms: number): string {
  let s = Math.max(0, ms) / 1000;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Math.floor(s);
  const tenth = Math.floor((s - sec) * 10);
  const p = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d}d+${p(h)}:${p(m)}:${p(sec)}.${tenth}`;
  if (h > 0) return `${p(h)}:${p(m)}:${p(sec)}.${tenth}`;
  if (m > 0) return `${p(m)}:${p(sec)}.${tenth}`;
  if (sec > 0) return `${p(sec)}.${tenth}`;
  return `0.${tenth}`;
}

/** The session type as The Bastion's lists and replays show it. */
export function sessionType(r: SessionRow): string {
  return r.allowed ? 'ssh' : 'ssh/DENIED';
}

function to(r: SessionRow): string {
  return `${machineDisplay(r.target_ip, r.target_port, r.target_user)}(${r.target_host})`;
}

export function sessionLine(r: SessionRow): string {
  return `${r.id} [${stamp(r.started_at)}] ${sessionType(r)} to ${to(r)}`;
}

export function sessionDetailedLine(r: SessionRow): string {
  const end = r.ended_at === null ? '????/??/??@??:??:??' : stamp(r.ended_at);
  const took = r.ended_at === null ? '-.-' : shortDuration(r.ended_at - r.started_at);
  const via = `${r.account}@${r.via_ip ?? '?'}:${r.via_port ?? '?'}`;
  const ret = r.allowed ? (r.exit_signal ? `signal ${r.exit_signal}` : String(r.exit_status ?? 'null')) : 'null';
  return `${r.id} [${stamp(r.started_at)} - ${end} (${took.padStart(13)})] type ${sessionType(r)} from ${r.peer_ip}:${r.peer_port}(${r.peer_ip}) via ${via} to ${to(r)} returned ${ret}`;
}

/** TIMESTAMP, YYYY-MM-DD or YYYY-MM-DD@HH:MM:SS (bastion local time) to milliseconds; null if neither. */
export function whenToMs(text: string): number | null {
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  const m = /^(\d{4})[/-](\d\d)[/-](\d\d)(?:@(\d\d):(\d\d):(\d\d))?$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const t = new Date(y, mo - 1, d, h, mi, s).getTime();
  return Number.isNaN(t) ? null : t;
}
