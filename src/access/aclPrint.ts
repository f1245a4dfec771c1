// Access lists as the listing plugins show them (The Bastion's print_acls and _get_acl_from_file
// in lib/perl/OVH/Bastion/allowdeny.inc): one JSON object per entry with The Bastion's field names
// and types (port as a string, as it is read back from the list file; expiry an epoch number),
// and a text table that leaves out the columns nobody filled. --include / --exclude patterns
// match the text cells of a row; Gatehouse filters the JSON value with them too.
import type { Logger } from 'pino';
import type { PluginContext } from '../osh/context.js';
import { reverseLookups, reverseResolverSettings, type ResolverConfig } from '../services/resolver.js';
import type { AclView } from '../store/acl.js';
import { durationToHuman } from '../kernel/duration.js';
import { effectiveUser, wildcardMatcher } from '../policy/aclEntry.js';

export interface AclJsonEntry {
  ip: string;
  user: string | null;
  port: string | null;
  forceKey: string | null;
  forcePassword: string | null;
  expiry: number | null;
  addedBy: string | null;
  addedDate: string | null;
  userComment: string | null;
  comment: string | null;
  proxyIp: null;
  proxyPort: null;
  proxyUser: null;
  reverseDns: string | null;
}

/** One way of access as listings group them: personal, group, group-member, group-guest. */
export interface AclContext {
  readonly type: string;
  readonly group?: string;
  readonly acl: readonly AclView[];
}

export interface AclContextJson {
  type: string;
  group?: string;
  acl: AclJsonEntry[];
}

export interface PrintOptions {
  readonly includes?: readonly string[];
  readonly excludes?: readonly string[];
  /** Reverse names by IP (reverseNames), when --reverse-dns was asked for. */
  readonly reverse?: ReadonlyMap<string, string | null>;
  /** Leave out the group contexts (--hide-groups). */
  readonly hideGroups?: boolean;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "YYYY-MM-DD HH:MM:SS" in the server's time zone, as The Bastion writes "# add by X on …". */
export function addedDate(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function aclJson(e: AclView, reverseDns: string | null = null): AclJsonEntry {
  return {
    ip: e.ip,
    user: effectiveUser(e),
    port: e.port === null ? null : String(e.port),
    forceKey: e.force_key,
    forcePassword: e.force_password,
    expiry: e.expires_at,
    addedBy: e.added_by,
    addedDate: addedDate(e.added_at),
    userComment: e.comment,
    comment: null,
    proxyIp: null,
    proxyPort: null,
    proxyUser: null,
    reverseDns,
  };
}

const COLUMNS = ['IP', 'PORT', 'USER', 'ACCESS-BY', 'ADDED-BY', 'ADDED-AT', 'EXPIRY?', 'COMMENT', 'FORCED-KEY', 'FORCED-PASSWORD'];

/** Prints the table and returns the JSON contexts, both filtered by --include/--exclude (and --hide-groups). */
export function printAcls(ctx: PluginContext, contexts: readonly AclContext[], o: PrintOptions): AclContextJson[] {
  const include = wildcardMatcher(o.includes ?? []);
  const exclude = wildcardMatcher(o.excludes ?? []);
  const now = Math.floor(ctx.clock.now() / 1000);
  // Lines added together share their date: format each second once (listings run to 10,000s of lines).
  const dates = new Map<number, string>();
  const dateOf = (t: number): string => {
    let d = dates.get(t);
    if (d === undefined) {
      d = addedDate(t);
      dates.set(t, d);
    }
    return d;
  };
  const rows: string[][] = [];
  const width = COLUMNS.map((h) => h.length);
  const used = COLUMNS.map(() => false);
  const json: AclContextJson[] = [];
  for (const c of contexts) {
    if (o.hideGroups && c.type.startsWith('group')) continue;
    const accessBy = c.group ? `${c.group}(${c.type})` : c.type;
    const kept: AclJsonEntry[] = [];
    for (const e of c.acl) {
      const rev = o.reverse?.get(e.ip) ?? null;
      const user = effectiveUser(e);
      const date = dateOf(e.added_at);
      const row = [
        rev ?? e.ip,
        e.port === null ? '*' : String(e.port),
        user ?? '*',
        accessBy,
        e.added_by || '-',
        date.slice(0, 10),
        e.expires_at === null ? '-' : durationToHuman(Math.max(0, e.expires_at - now), now).human,
        e.comment || '-',
        e.force_key || '-',
        e.force_password || '-',
      ];
      if (exclude && row.some((cell) => exclude(cell))) continue;
      if (include && !row.some((cell) => include(cell))) continue;
      for (let i = 0; i < row.length; i++) {
        const cell = row[i] as string;
        if (cell.length > (width[i] as number)) width[i] = cell.length;
        if (cell !== '-') used[i] = true;
      }
      rows.push(row);
      kept.push({
        ip: e.ip,
        user,
        port: e.port === null ? null : String(e.port),
        forceKey: e.force_key,
        forcePassword: e.force_password,
        expiry: e.expires_at,
        addedBy: e.added_by,
        addedDate: date,
        userComment: e.comment,
        comment: null,
        proxyIp: null,
        proxyPort: null,
        proxyUser: null,
        reverseDns: rev,
      });
    }
    json.push(c.group === undefined ? { type: c.type, acl: kept } : { type: c.type, group: c.group, acl: kept });
  }
  const columns = COLUMNS.map((_, i) => i).filter((i) => used[i]);
  const fmt = (cells: readonly string[]): string => {
    let line = '';
    for (const i of columns) line += (line ? ' ' : '') + (cells[i] as string).padStart(width[i] as number);
    return line;
  };
  let text = `${fmt(COLUMNS)}\n${fmt(width.map((w) => '-'.repeat(w)))}\n`;
  for (const r of rows) text += fmt(r) + '\n';
  ctx.out.info(`${text}\n${rows.length} accesses listed`);
  return json;
}

/** What reverseNames needs of a plugin's context. */
export interface ReverseContext {
  readonly config: ResolverConfig;
  readonly log: Logger;
  readonly caller: { readonly peer: { readonly ip: string } };
}

/**
 * Reverse names of the single addresses among `rows` (--reverse-dns), null when none. Through the
 * one resolver as a batch: a few lookups at a time and one deadline (dnsResolveTimeoutSeconds) for
 * the whole listing, so 10,000 lines start a handful of lookups, not 10,000, and an address not
 * named by then prints as itself. None at all below dnsSupportLevel 2, as The Bastion's ip2host.
 */
export async function reverseNames(ctx: ReverseContext, rows: readonly AclView[]): Promise<Map<string, string | null>> {
  const singles = rows.filter((r) => !r.ip.includes('/')).map((r) => r.ip);
  const batch = await reverseLookups(singles, reverseResolverSettings(ctx.config));
  const out = new Map<string, string | null>();
  for (const ip of singles) {
    const r = batch.answers.get(ip);
    out.set(ip, r?.ok ? r.name : null);
  }
  if (batch.stopped !== null) {
    const addresses = new Set(singles).size;
    ctx.log.warn({ peer: ctx.caller.peer.ip, why: batch.stopped, addresses, asked: batch.asked }, 'reverse name lookups cut short');
  }
  return out;
}
