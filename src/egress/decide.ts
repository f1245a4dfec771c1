// The access decision for egress: src/access/decision.ts (the one place that matches access lists)
// says which accesses allow user@ip:port and which key ids each may use; this adds the sealed
// private halves of those keys, in the decision's order, for the connection.
import { decideAccess, type UsableKey } from '../policy/decision.js';
import { keyFamily, type AccessGrant, type AccessDecider, type GrantKey } from './access.js';

export const decideEgressAccess: AccessDecider = (store, q, policy) => {
  // The sealed rows are read once per scope: the decision picks its keys from them, and the
  // grants take their private halves from the same rows.
  const sealed = new Map<string, { created_at: number; private_sealed: Buffer }>();
  const keep = <R extends { id: number; created_at: number; private_sealed: Buffer }>(scope: UsableKey['scope'], rows: R[]): R[] => {
    for (const r of rows) sealed.set(`${scope}:${r.id}`, r);
    return rows;
  };
  const d = decideAccess(store, { accountId: q.accountId, ip: q.ip, port: q.port, user: q.user, now: q.now }, policy, {
    account: (id) => keep('account', store.egressKeys.sealedForAccount(id)),
    group: (id) => keep('group', store.groups.sealedKeys(id)),
  });
  if (!d.allowed) return { grants: [], msg: d.reason === 'no-acl' ? null : d.msg };
  const grants: AccessGrant[] = d.grants.map((g) => ({
    type: g.type,
    group: g.group?.name ?? null,
    forceKey: g.forceKey,
    keys: g.keys.flatMap((k): GrantKey[] => {
      const row = sealed.get(`${k.scope}:${k.id}`);
      return row ? [{ fingerprint: k.fingerprint, family: keyFamily(k.type), size: k.size, createdAt: row.created_at, privateSealed: row.private_sealed }] : [];
    }),
  }));
  return { grants, msg: null };
};
