// The input of groupSetServers: the whole new server list of a group, read from stdin. The
// Bastion's format is one line per server, [USER@]HOST[:PORT][ COMMENT]; Gatehouse also takes a
// JSON array of {"host" (or "ip"), "user", "port", "comment"} objects, which scripts can produce
// without worrying about quoting. Every entry is checked as the plugin would check one line;
// the errors say which line failed and why, in The Bastion's wording.
import { isValidRemoteUser, checkPort } from '../policy/aclEntry.js';
import { parseAddress, type AclAddress } from '../policy/aclAddress.js';
import type { BatchStop, ResolverConfig } from '../services/resolver.js';
import { resolveHosts } from '../services/targetHost.js';

export interface BulkEntry {
  readonly address: AclAddress;
  readonly user: string | null;
  readonly port: number | null;
  readonly comment: string | null;
}

export interface BulkParse {
  /** Non-empty lines (or array items) seen. */
  readonly parsed: number;
  readonly entries: BulkEntry[];
  readonly errors: string[];
  /** Why some names were not looked up (the list's lookups ran out of time, or the resolver was full); null if all were. */
  readonly lookupsStopped: BatchStop | null;
}

interface RawEntry {
  readonly label: string;
  readonly host: string;
  readonly user: string | undefined;
  readonly port: string | undefined;
  readonly comment: string | null;
}

export async function parseServerList(input: string, config: ResolverConfig): Promise<BulkParse> {
  const trimmed = input.trim();
  const errors: string[] = [];
  let raws: (RawEntry | null)[];
  if (trimmed.startsWith('[')) {
    raws = fromJson(trimmed, errors);
  } else {
    raws = trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .map((line) => {
        const m = /^(?:(\S+)@)?([a-zA-Z0-9_./-]+)(?::(\d+))?(?:\s+(.+))?$/.exec(line);
        if (!m) {
          errors.push(`Couldn't parse the line '${line}'`);
          return null;
        }
        return { label: line, user: m[1], host: m[2] as string, port: m[3], comment: m[4] ?? null };
      });
  }
  // Port and user first, then the names of the lines still standing, looked up in one bounded
  // batch (a list of thousands of names waits at most dnsResolveTimeoutSeconds, not that many times).
  const checked = new Map<number, { where: string; raw: RawEntry; port: number | null }>();
  const lineErrors = new Map<number, string>();
  for (const [i, raw] of raws.entries()) {
    if (!raw) continue;
    const where = `In line ${i + 1} (${raw.label})`;
    let port: number | null = null;
    if (raw.port !== undefined) {
      const p = checkPort(raw.port);
      if (p.value === null) {
        lineErrors.set(i, `${where}, port '${raw.port}' is invalid`);
        continue;
      }
      port = p.value;
    }
    if (raw.user !== undefined && !isValidRemoteUser(raw.user, true)) {
      lineErrors.set(i, `${where}, user '${raw.user}' is invalid`);
      continue;
    }
    checked.set(i, { where, raw, port });
  }
  const hosts = [...checked.values()].filter((c) => !c.raw.host.includes('/')).map((c) => c.raw.host);
  const resolved = await resolveHosts(hosts, config);
  const entries: BulkEntry[] = [];
  for (let i = 0; i < raws.length; i++) {
    const bad = lineErrors.get(i);
    if (bad !== undefined) {
      errors.push(bad);
      continue;
    }
    const c = checked.get(i);
    if (!c) continue;
    const { where, raw, port } = c;
    let address: AclAddress | null;
    if (raw.host.includes('/')) {
      const a = parseAddress(raw.host, { allowSubnets: true });
      if (!a.value) {
        errors.push(`${where}, ${a.msg}`);
        continue;
      }
      address = a.value;
    } else {
      const r = resolved.results.get(raw.host);
      if (!r?.value) {
        errors.push(`${where}, ${r?.msg ?? `Unable to resolve '${raw.host}'`}`);
        continue;
      }
      address = r.value.address;
    }
    entries.push({ address, user: raw.user === undefined || raw.user === '*' ? null : raw.user, port, comment: raw.comment });
  }
  return { parsed: raws.length, entries, errors, lookupsStopped: resolved.stopped };
}

function fromJson(text: string, errors: string[]): (RawEntry | null)[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    errors.push('The input starts with [ but is not a valid JSON array');
    return [];
  }
  if (!Array.isArray(data)) {
    errors.push('The input starts with [ but is not a valid JSON array');
    return [];
  }
  return data.map((item: unknown, i) => {
    const o = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : null;
    const host = o ? (o['host'] ?? o['ip']) : undefined;
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    if (!o || typeof host !== 'string') {
      errors.push(`In line ${i + 1} (${JSON.stringify(item)}), expected an object with a "host" string`);
      return null;
    }
    const user = o['user'] === null ? undefined : str(o['user']);
    const port = o['port'] === null ? undefined : str(o['port']);
    const comment = typeof o['comment'] === 'string' && o['comment'] !== '' ? o['comment'] : null;
    return { label: JSON.stringify(item), host, user, port, comment };
  });
}
