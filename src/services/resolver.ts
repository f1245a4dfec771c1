// The one way Gatehouse turns a host name into an address, or an address into its name: the
// egress path, a plugin's --host, a server list's names and --reverse-dns all come here. Every lookup has a deadline (dnsResolveTimeoutSeconds) and the number of lookups
// in progress is bounded (dnsMaxConcurrentLookups), so a name server that never answers can't
// hold a call open, nor pile up lookups until nothing else gets done.
//
// By default names go to the system resolver (getaddrinfo, so /etc/hosts counts, as for The
// Bastion's get_ip). getaddrinfo runs on libuv's small thread pool and can't be cancelled: a
// lookup that hangs keeps its thread after the caller gave up on it. That is why a lookup counts
// against the bound until the system has really answered, not until its deadline, and why that
// bound is shared by the whole process (the thread pool is) rather than per server or per call.
// With dnsServers set, names are asked of those servers directly (A and AAAA queries, cancelled
// at the deadline).
import dns from 'node:dns';
import net from 'node:net';
import type { BastionConfig } from '../config/schema.js';

export interface ResolverSettings {
  readonly timeoutMs: number;
  readonly maxInFlight: number;
  /** Name servers to ask directly ("ADDR" or "ADDR:PORT"); empty: the system resolver. */
  readonly servers: readonly string[];
  /** dnsSupportLevel: 0 refuses every name. */
  readonly dnsEnabled: boolean;
}

/** The configuration keys a lookup obeys: required of every caller, so none can resolve past dnsServers, dnsSupportLevel or the deadline. */
export type ResolverConfig = Pick<BastionConfig, 'dnsResolveTimeoutSeconds' | 'dnsMaxConcurrentLookups' | 'dnsServers' | 'dnsSupportLevel'>;

export function resolverSettings(config: ResolverConfig): ResolverSettings {
  return {
    timeoutMs: config.dnsResolveTimeoutSeconds * 1000,
    maxInFlight: config.dnsMaxConcurrentLookups,
    servers: config.dnsServers,
    dnsEnabled: config.dnsSupportLevel > 0,
  };
}

/** Which address families an answer may be taken from. */
export interface Families {
  readonly v4: boolean;
  readonly v6: boolean;
}

export const ANY_FAMILY: Families = { v4: true, v6: true };

export type LookupFailure = 'not-found' | 'timeout' | 'busy' | 'disabled' | 'filtered';

export type Lookup = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly why: LookupFailure; readonly msg: string };

// Process-wide on purpose (see the header): the lookups still running in the system resolver.
const inFlight = { count: 0 };

/** Lookups in progress now (for tests and the log). */
export function lookupsInFlight(): number {
  return inFlight.count;
}

const DNS_DISABLED: Lookup = { ok: false, why: 'disabled', msg: 'DNS resolving is disabled on this bastion' };

/** A lookup refused because the process-wide bound is reached (one name, or a batch that stopped there). */
function resolverFull(name: string): Lookup {
  return { ok: false, why: 'busy', msg: `Unable to resolve '${name}' (too many name lookups in progress, try again)` };
}

/**
 * Resolves `name` (not an IP literal: callers handle those) to one address, IPv4 preferred, from
 * the families allowed. Never throws, never waits past the deadline.
 */
export async function lookupName(name: string, s: ResolverSettings, families: Families = ANY_FAMILY): Promise<Lookup> {
  if (!s.dnsEnabled) return DNS_DISABLED;
  const answer = await bounded(s, s.timeoutMs, () => (s.servers.length > 0 ? askServers(name, s, families) : askSystem(name, families)));
  if (answer === 'busy') return resolverFull(name);
  if (answer === 'timeout') {
    return { ok: false, why: 'timeout', msg: `Unable to resolve '${name}' (no answer within ${s.timeoutMs / 1000} seconds)` };
  }
  return pick(name, answer, families);
}

/**
 * Runs one lookup under the process-wide bound and a deadline of `timeoutMs`: 'busy' at once when
 * the bound is reached, 'timeout' when the deadline passes first.
 */
async function bounded<T>(s: ResolverSettings, timeoutMs: number, start: () => Work<T>): Promise<T | 'busy' | 'timeout'> {
  if (inFlight.count >= s.maxInFlight) return 'busy';
  inFlight.count++;
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      inFlight.count--;
    }
  };
  const work = start();
  work.done.then(release, release);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const answer = await Promise.race([work.done, deadline]);
  clearTimeout(timer);
  if (answer === 'timeout') {
    // A query to dnsServers stops here (and frees its slot before we answer); getaddrinfo can't.
    if (work.cancel) {
      work.cancel();
      await work.done;
    }
    return 'timeout';
  }
  return answer;
}

interface Answers {
  readonly addresses: readonly string[];
  readonly error: string | null;
}

interface Work<T = Answers> {
  readonly done: Promise<T>;
  /** Stops the lookup (done then settles at once); null when it can't be stopped. */
  readonly cancel: (() => void) | null;
}

function askSystem(name: string, families: Families): Work {
  const family = families.v4 && families.v6 ? 0 : families.v6 ? 6 : 4;
  const done = new Promise<Answers>((resolve) => {
    dns.lookup(name, { all: true, family }, (err, found) => {
      if (err) resolve({ addresses: [], error: err.code ?? 'lookup failed' });
      else resolve({ addresses: found.map((a) => a.address), error: null });
    });
  });
  // getaddrinfo can't be stopped: the limiter keeps counting it until it returns.
  return { done, cancel: null };
}

function askServers(name: string, s: ResolverSettings, families: Families): Work {
  const r = new dns.promises.Resolver({ timeout: s.timeoutMs, tries: 1 });
  try {
    r.setServers([...s.servers]);
  } catch {
    // The schema checks the form; an address that still doesn't parse (an octet past 255) is a
    // name not resolved, not a fault.
    return { done: Promise.resolve({ addresses: [], error: 'EBADSERVER' }), cancel: null };
  }
  const ask = (f: 4 | 6): Promise<Answers> =>
    (f === 4 ? r.resolve4(name) : r.resolve6(name)).then(
      (addresses) => ({ addresses, error: null }),
      (e: NodeJS.ErrnoException) => ({ addresses: [], error: e.code ?? 'lookup failed' }),
    );
  const asks: Promise<Answers>[] = [];
  if (families.v4) asks.push(ask(4));
  if (families.v6) asks.push(ask(6));
  const done = Promise.all(asks).then((all) => ({
    addresses: all.flatMap((a) => a.addresses),
    error: all.find((a) => a.error !== null)?.error ?? null,
  }));
  return { done, cancel: () => r.cancel() };
}

function pick(name: string, a: Answers, families: Families): Lookup {
  const usable = a.addresses.filter((ip) => (net.isIPv4(ip) ? families.v4 : net.isIPv6(ip) ? families.v6 : false));
  const ip = usable.find((x) => net.isIPv4(x)) ?? usable[0];
  if (ip !== undefined) return { ok: true, ip };
  if (a.addresses.length > 0) {
    return { ok: false, why: 'filtered', msg: `Unable to resolve '${name}' (some IPv4 and/or IPv6 were skipped due to policy)` };
  }
  return { ok: false, why: 'not-found', msg: `Unable to resolve '${name}'${a.error ? ` (${a.error})` : ''}` };
}

/**
 * Settings for reverse lookups (an address to its name): like resolverSettings, but enabled only
 * at dnsSupportLevel 2, where The Bastion's ip2host makes them (level 1 resolves names, never
 * addresses).
 */
export function reverseResolverSettings(config: ResolverConfig): ResolverSettings {
  return { ...resolverSettings(config), dnsEnabled: config.dnsSupportLevel >= 2 };
}

export type ReverseLookup = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly why: LookupFailure };

/** The name of `ip` (an address, not a block), under the same bound and deadline as lookupName. */
async function reverseLookup(ip: string, s: ResolverSettings, timeoutMs: number = s.timeoutMs): Promise<ReverseLookup> {
  if (!s.dnsEnabled) return { ok: false, why: 'disabled' };
  const answer = await bounded(s, timeoutMs, () => (s.servers.length > 0 ? askServersReverse(ip, s, timeoutMs) : askSystemReverse(ip)));
  if (answer === 'busy' || answer === 'timeout') return { ok: false, why: answer };
  return answer === null || answer === ip ? { ok: false, why: 'not-found' } : { ok: true, name: answer };
}

function askSystemReverse(ip: string): Work<string | null> {
  // getnameinfo (so /etc/hosts counts); the port is needed by the call and plays no part.
  const done = new Promise<string | null>((resolve) => {
    dns.lookupService(ip, 22, (err, hostname) => resolve(err ? null : hostname));
  });
  return { done, cancel: null };
}

function askServersReverse(ip: string, s: ResolverSettings, timeoutMs: number): Work<string | null> {
  const r = new dns.promises.Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    r.setServers([...s.servers]);
  } catch {
    return { done: Promise.resolve(null), cancel: null };
  }
  const done = r.reverse(ip).then(
    (names) => names[0] ?? null,
    () => null,
  );
  return { done, cancel: () => r.cancel() };
}

/**
 * Why a batch stopped before every key was looked up: its deadline passed, or the process-wide
 * bound was reached (a batch doesn't wait for a slot, as a single lookup doesn't).
 */
export type BatchStop = 'timeout' | 'busy';

export interface Batch<T> {
  /** An answer for each key looked up (keys the batch didn't get to: see lookupNames, reverseLookups). */
  readonly answers: Map<string, T>;
  /** Lookups started. */
  readonly asked: number;
  readonly stopped: BatchStop | null;
}

/**
 * How many lookups one batch (a listing's reverse names, a server list's names) may have in
 * progress: half the process-wide bound, at least one, so one caller's list doesn't take every
 * slot from the connections being made meanwhile.
 */
export function batchWidth(s: ResolverSettings): number {
  return Math.max(1, Math.floor(s.maxInFlight / 2));
}

/**
 * Looks each distinct key up with `ask`, batchWidth(s) at a time, all within ONE deadline of
 * s.timeoutMs (a list of 10,000 costs its caller at most what one lookup may): each lookup gets
 * what is left of it, and the batch stops at the first timeout or refusal for a full resolver.
 */
async function inBatch<T>(
  keys: readonly string[],
  s: ResolverSettings,
  ask: (key: string, timeoutMs: number) => Promise<T>,
  stopsOn: (answer: T) => BatchStop | null,
): Promise<Batch<T>> {
  const todo = [...new Set(keys)];
  const answers = new Map<string, T>();
  const end = performance.now() + s.timeoutMs;
  let next = 0;
  let asked = 0;
  let stopped: BatchStop | null = null;
  const worker = async (): Promise<void> => {
    while (stopped === null && next < todo.length) {
      const left = Math.floor(end - performance.now());
      if (left <= 0) {
        stopped = 'timeout';
        return;
      }
      const key = todo[next++] as string;
      asked++;
      const answer = await ask(key, left);
      answers.set(key, answer);
      stopped ??= stopsOn(answer);
    }
  };
  await Promise.all(Array.from({ length: Math.min(batchWidth(s), todo.length) }, worker));
  return { answers, asked, stopped };
}

const stopOnFailure = (why: LookupFailure | null): BatchStop | null => (why === 'timeout' || why === 'busy' ? why : null);

/**
 * Names to addresses (lookupName for each) in one bounded batch. Every name gets an answer: one
 * the batch didn't get to fails as the batch stopped (timeout, busy).
 */
export async function lookupNames(names: readonly string[], s: ResolverSettings, families: Families = ANY_FAMILY): Promise<Batch<Lookup>> {
  const seconds = s.timeoutMs / 1000;
  const late = (name: string): Lookup => ({
    ok: false,
    why: 'timeout',
    msg: `Unable to resolve '${name}' (no answer within the ${seconds} seconds the names of one request may take)`,
  });
  if (!s.dnsEnabled) return { answers: new Map(names.map((n) => [n, DNS_DISABLED])), asked: 0, stopped: null };
  const batch = await inBatch(
    names,
    s,
    async (name, timeoutMs) => {
      const r = await lookupName(name, { ...s, timeoutMs }, families);
      return !r.ok && r.why === 'timeout' ? late(name) : r;
    },
    (a) => stopOnFailure(a.ok ? null : a.why),
  );
  for (const n of names) if (!batch.answers.has(n)) batch.answers.set(n, batch.stopped === 'busy' ? resolverFull(n) : late(n));
  return batch;
}

/** Addresses to their names (reverseLookup for each) in one bounded batch; none at all when disabled. Addresses it didn't get to are absent. */
export function reverseLookups(ips: readonly string[], s: ResolverSettings): Promise<Batch<ReverseLookup>> {
  if (!s.dnsEnabled) return Promise.resolve({ answers: new Map(), asked: 0, stopped: null });
  return inBatch(
    ips,
    s,
    (ip, timeoutMs) => reverseLookup(ip, s, timeoutMs),
    (a) => stopOnFailure(a.ok ? null : a.why),
  );
}
