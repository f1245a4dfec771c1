// The access decision: may this account reach user@ip:port, through which access lists, and with
// which egress keys? One function (decideAccess) answers for the egress path and for every
// listing that reasons about one account; whoHasAccess answers the reverse question (every
// account that may reach an address) with the same entry matching. The rules are The Bastion's
// is_access_granted (lib/perl/OVH/Bastion/allowdeny.inc):
//   - forbiddenNetworks deny, and a non-empty allowedNetworks must contain the target;
//   - a personal entry of the account allows, with the account's personal egress keys;
//   - a group entry allows every member of the group, with the group's egress keys;
//   - a guest entry allows that guest only while the group itself still has an entry allowing the
//     same target, with the group's egress keys;
//   - among the entries of one way, the most specific block wins (its forced key applies);
//   - a forced key narrows the usable keys to the one with that fingerprint.
import { candidateStarts, contains, parseAddress, type AclAddress } from './aclAddress.js';
import { bestMatch, entryAllows, type WantedAccess } from './aclMatch.js';
import type { AccountGroupRole, AclOwner, AclRow, GroupRole, KeyPairRow, RoleHolder } from './records.js';

/**
 * What the decision reads, and nothing more: the store answers it (src/store/store.ts), a test can
 * answer it from memory. Reads only; the decision changes nothing.
 */
export interface AccessFacts {
  readonly acl: {
    /** Live entries whose block contains [start of one of `starts`, `end`] (one indexed lookup). */
    containing(family: 4 | 6, starts: readonly Buffer[], end: Buffer, now: number): readonly AclRow[];
    list(owner: AclOwner, now: number): readonly AclRow[];
  };
  readonly groups: {
    rolesOfAccount(accountId: number): readonly AccountGroupRole[];
    keys(groupId: number): readonly KeyFields[];
    byId(groupId: number): { readonly name: string } | undefined;
    holders(groupId: number, role: GroupRole): readonly RoleHolder[];
  };
  readonly egressKeys: { forAccount(accountId: number): readonly KeyFields[] };
  readonly accounts: { byId(accountId: number): { readonly name: string } | undefined };
}

export type GrantType = 'personal' | 'group-member' | 'group-guest';

/** An egress key a grant lets the bastion use; the private half stays in the store, sealed. */
export interface UsableKey {
  /** account: account_egress_keys.id; group: group_egress_keys.id. */
  readonly scope: 'account' | 'group';
  readonly id: number;
  readonly fingerprint: string;
  readonly type: string;
  readonly size: number;
}

export interface AccessGrant {
  readonly type: GrantType;
  readonly group: { readonly id: number; readonly name: string } | null;
  /** The most specific allowing entry of this way. */
  readonly entry: AclRow;
  readonly forceKey: string | null;
  readonly forcePassword: string | null;
  readonly keys: readonly UsableKey[];
}

export interface AccessRequest {
  readonly accountId: number;
  /** The target address (a block is accepted too: every address in it must be allowed). */
  readonly ip: string | AclAddress;
  /** The remote port; null means "ignore the port" (whoHasAccessTo without --port). */
  readonly port: number | null;
  /** The remote user ("!sftp" etc. for a protocol); null means "ignore the user". */
  readonly user: string | null;
  /** Seconds since the epoch: entries that expired before this stop allowing. */
  readonly now: number;
}

export interface NetworkPolicy {
  readonly allowedNetworks: readonly string[];
  readonly forbiddenNetworks: readonly string[];
}

export type AccessDecision =
  | { readonly allowed: true; readonly grants: readonly AccessGrant[] }
  | { readonly allowed: false; readonly reason: 'invalid-target' | 'forbidden-network' | 'not-allowed-network' | 'no-acl'; readonly msg: string; readonly grants: readonly [] };

function deny(reason: 'invalid-target' | 'forbidden-network' | 'not-allowed-network' | 'no-acl', msg: string): AccessDecision {
  return { allowed: false, reason, msg, grants: [] };
}

// A policy's lists are the loaded config's arrays, so each is parsed once, not at every connection.
const parsedNetworks = new WeakMap<readonly string[], readonly AclAddress[]>();

function networksOf(nets: readonly string[]): readonly AclAddress[] {
  let parsed = parsedNetworks.get(nets);
  if (!parsed) {
    parsed = nets.flatMap((n) => parseAddress(n, { allowSubnets: true }).value ?? []);
    parsedNetworks.set(nets, parsed);
  }
  return parsed;
}

/** forbiddenNetworks / allowedNetworks (is_access_granted steps 0a and 0b). */
function networkVerdict(target: AclAddress, policy: NetworkPolicy | undefined): AccessDecision | null {
  if (!policy) return null;
  const inAny = (nets: readonly string[]): boolean => networksOf(nets).some((a) => contains(a, target));
  if (inAny(policy.forbiddenNetworks)) {
    return deny('forbidden-network', `Can't connect you to ${target.ip} as it's part of the forbidden networks of this bastion (see --osh info)`);
  }
  if (policy.allowedNetworks.length > 0 && !inAny(policy.allowedNetworks)) {
    return deny('not-allowed-network', `Can't connect you to ${target.ip} as it's not part of the allowed networks of this bastion (see --osh info)`);
  }
  return null;
}

/** Live entries of every list that allow the wanted tuple (one indexed lookup, then entryAllows). */
function allowingEntries(store: AccessFacts, target: AclAddress, port: number | null, user: string | null, now: number): AclRow[] {
  const wanted: WantedAccess = { ip: target, port: port ?? 'ignore', user: user ?? 'ignore' };
  return store.acl.containing(target.family, candidateStarts(target), target.end, now).filter((e) => entryAllows(e, wanted));
}

/** The key columns the decision reads; a source may return wider rows (the egress path reads the sealed ones). */
export type KeyFields = Pick<KeyPairRow, 'id' | 'fingerprint' | 'type' | 'size'>;

/** Where a grant's egress keys are read: the public halves unless the caller reads them its own way. */
export interface KeySource {
  account(accountId: number): readonly KeyFields[];
  group(groupId: number): readonly KeyFields[];
}

export function decideAccess(store: AccessFacts, req: AccessRequest, policy?: NetworkPolicy, keySource?: KeySource): AccessDecision {
  const keysOf: KeySource = keySource ?? { account: (id) => store.egressKeys.forAccount(id), group: (id) => store.groups.keys(id) };
  const target = typeof req.ip === 'string' ? parseAddress(req.ip, { allowSubnets: true }).value : req.ip;
  if (!target) return deny('invalid-target', `Invalid target address (${String(req.ip)})`);
  const net = networkVerdict(target, policy);
  if (net) return net;

  const entries = allowingEntries(store, target, req.port, req.user, req.now);
  const personal: AclRow[] = [];
  const byGroup = new Map<number, AclRow[]>();
  const guestByGroup = new Map<number, AclRow[]>();
  for (const e of entries) {
    if (e.kind === 'personal' && e.account_id === req.accountId) personal.push(e);
    else if (e.kind === 'group' && e.group_id !== null) push(byGroup, e.group_id, e);
    else if (e.kind === 'guest' && e.account_id === req.accountId && e.group_id !== null) push(guestByGroup, e.group_id, e);
  }

  const grants: AccessGrant[] = [];
  const best = bestMatch(personal);
  if (best) {
    const keys = keysOf.account(req.accountId).map((k) => ({ scope: 'account' as const, id: k.id, fingerprint: k.fingerprint, type: k.type, size: k.size }));
    grants.push(grant('personal', null, best, best.force_key, keys));
  }
  for (const r of store.groups.rolesOfAccount(req.accountId)) {
    if (r.role !== 'member' && r.role !== 'guest') continue;
    const groupBest = bestMatch(byGroup.get(r.group_id) ?? []);
    if (!groupBest) continue; // the group itself must allow the target, for members and guests alike
    const group = { id: r.group_id, name: r.group };
    const groupKeys = keysOf.group(r.group_id).map((k) => ({ scope: 'group' as const, id: k.id, fingerprint: k.fingerprint, type: k.type, size: k.size }));
    if (r.role === 'member') {
      grants.push(grant('group-member', group, groupBest, groupBest.force_key, groupKeys));
    } else {
      const guestBest = bestMatch(guestByGroup.get(r.group_id) ?? []);
      // A guest line carries no forced key of its own: the group's line for the target decides
      // (The Bastion would let a guest use any group key there; Gatehouse keeps the restriction).
      if (guestBest) grants.push(grant('group-guest', group, guestBest, guestBest.force_key ?? groupBest.force_key, groupKeys));
    }
  }
  if (grants.length === 0) return deny('no-acl', 'No access list allows this connection');
  return { allowed: true, grants };
}

/**
 * Whether any live entry this account may use (its personal list, the lists of the groups it is
 * a member of, its guest lines where the group has lines of its own) allows this port and remote
 * user for some address: when none does, a connection request is refused without resolving the
 * host name, since no answer could change the outcome. The address alone is not looked at.
 */
export function mayAllowSomeAddress(store: AccessFacts, req: { readonly accountId: number; readonly port: number; readonly user: string; readonly now: number }): boolean {
  const fits = (e: AclRow): boolean => entryAllows(e, { ip: { family: e.family, start: e.range_start, end: e.range_end }, port: req.port, user: req.user });
  if (store.acl.list({ kind: 'personal', accountId: req.accountId }, req.now).some(fits)) return true;
  for (const r of store.groups.rolesOfAccount(req.accountId)) {
    if (r.role !== 'member' && r.role !== 'guest') continue;
    const groupLines = store.acl.list({ kind: 'group', groupId: r.group_id }, req.now).filter(fits);
    if (groupLines.length === 0) continue;
    if (r.role === 'member') return true;
    if (store.acl.list({ kind: 'guest', accountId: req.accountId, groupId: r.group_id }, req.now).some(fits)) return true;
  }
  return false;
}

function grant(type: GrantType, group: AccessGrant['group'], entry: AclRow, forceKey: string | null, keys: UsableKey[]): AccessGrant {
  return {
    type,
    group,
    entry,
    forceKey,
    forcePassword: entry.force_password,
    keys: forceKey ? keys.filter((k) => k.fingerprint === forceKey) : keys,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

export interface WhoHasAccessOptions {
  readonly port: number | null;
  readonly user: string | null;
  readonly now: number;
  /** Also count accesses whose most specific entry is an IPv4 /0 (hidden by default: noise). */
  readonly showWildcards?: boolean;
  readonly ignorePersonal?: boolean;
  readonly ignoreGroups?: readonly string[];
  readonly policy?: NetworkPolicy;
}

export interface WhoHasAccessLine {
  readonly personal_access: 0 | 1;
  /** "GROUP(group-member)" / "GROUP(group-guest)", sorted. */
  readonly group_access: string[];
}

/**
 * Every account that may reach `target` (whoHasAccessTo), from the same entries and rules as
 * decideAccess, computed from the target side: one indexed lookup for the address, then the
 * members of the groups that allow it. Keyed by account name, sorted.
 */
export function whoHasAccess(store: AccessFacts, target: AclAddress, o: WhoHasAccessOptions): Map<string, WhoHasAccessLine> {
  const out = new Map<string, { personal: boolean; groups: Set<string> }>();
  if (networkVerdict(target, o.policy)) return new Map();
  const entries = allowingEntries(store, target, o.port, o.user, o.now);
  const counts = (e: AclRow | undefined): e is AclRow => e !== undefined && (o.showWildcards === true || !(e.family === 4 && e.prefix_len === 0));
  const personal = new Map<number, AclRow[]>();
  const groupRows = new Map<number, AclRow[]>();
  const guestRows = new Map<string, AclRow[]>();
  for (const e of entries) {
    if (e.kind === 'personal' && e.account_id !== null) push(personal, e.account_id, e);
    else if (e.kind === 'group' && e.group_id !== null) push(groupRows, e.group_id, e);
    else if (e.kind === 'guest' && e.group_id !== null && e.account_id !== null) push(guestRows, `${e.group_id}:${e.account_id}`, e);
  }
  const names = new Map<number, string>();
  const nameOf = (id: number): string | undefined => {
    if (!names.has(id)) {
      const a = store.accounts.byId(id);
      if (a) names.set(id, a.name);
    }
    return names.get(id);
  };
  const line = (name: string): { personal: boolean; groups: Set<string> } => {
    let l = out.get(name);
    if (!l) {
      l = { personal: false, groups: new Set() };
      out.set(name, l);
    }
    return l;
  };
  if (!o.ignorePersonal) {
    for (const [accountId, rows] of personal) {
      const name = nameOf(accountId);
      if (name && counts(bestMatch(rows))) line(name).personal = true;
    }
  }
  for (const [groupId, rows] of groupRows) {
    const group = store.groups.byId(groupId);
    if (!group || o.ignoreGroups?.includes(group.name)) continue;
    if (counts(bestMatch(rows))) {
      for (const m of store.groups.holders(groupId, 'member')) line(m.name).groups.add(`${group.name}(group-member)`);
    }
    for (const g of store.groups.holders(groupId, 'guest')) {
      if (counts(bestMatch(guestRows.get(`${groupId}:${g.account_id}`) ?? []))) line(g.name).groups.add(`${group.name}(group-guest)`);
    }
  }
  const result = new Map<string, WhoHasAccessLine>();
  for (const name of [...out.keys()].sort()) {
    const l = out.get(name) as { personal: boolean; groups: Set<string> };
    if (!l.personal && l.groups.size === 0) continue;
    result.set(name, { personal_access: l.personal ? 1 : 0, group_access: [...l.groups].sort() });
  }
  return result;
}
