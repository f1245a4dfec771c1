// The one way Gatehouse turns a host name into an address: the egress path and a plugin's --host
// both come here. Every lookup has a deadline (dnsResolveTimeoutSeconds) and the number of lookups
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

export function resolverSettings(config: Pick<BastionConfig, 'dnsResolveTimeoutSeconds' | 'dnsMaxConcurrentLookups' | 'dnsServers' | 'dnsSupportLevel'>): ResolverSettings {
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

export type Lookup =
  | { readonly ok: true; readonly ip: string }
  | { readonly ok: false; readonly why: LookupFailure; readonly msg: string };

// Process-wide on purpose (see the header): the lookups still running in the system resolver.
const inFlight = { count: 0 };

/** Lookups in progress now (for tests and the log). */
export function lookupsInFlight(): number {
  return inFlight.count;
}

/**
 * Resolves `name` (not an IP literal: callers handle those) to one address, IPv4 preferred, from
 * the families allowed. Never throws, never waits past the deadline.
 */
export async function lookupName(name: string, s: ResolverSettings, families: Families = ANY_FAMILY): Promise<Lookup> {
  if (!s.dnsEnabled) return { ok: false, why: 'disabled', msg: 'DNS resolving is disabled on this bastion' };
  if (inFlight.count >= s.maxInFlight) {
    return { ok: false, why: 'busy', msg: `Unable to resolve '${name}' (too many name lookups in progress, try again)` };
  }
  inFlight.count++;
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      inFlight.count--;
    }
  };
  const work = s.servers.length > 0 ? askServers(name, s, families) : askSystem(name, families);
  work.done.then(release, release);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), s.timeoutMs);
  });
  const answer = await Promise.race([work.done, deadline]);
  clearTimeout(timer);
  if (answer === 'timeout') {
    // A query to dnsServers stops here (and frees its slot before we answer); getaddrinfo can't.
    if (work.cancel) {
      work.cancel();
      await work.done;
    }
    return { ok: false, why: 'timeout', msg: `Unable to resolve '${name}' (no answer within ${s.timeoutMs / 1000} seconds)` };
  }
  return pick(name, answer, families);
}

interface Answers {
  readonly addresses: readonly string[];
  readonly error: string | null;
}

interface Work {
  readonly done: Promise<Answers>;
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
