// Section "acl": groups and access lists at production scale. A Gatehouse child gets a store
// seeded (in one transaction, straight into SQLite) with 10,000 accounts, 1,000 groups and
// 100,000 ACL lines; then four listings run over OpenSSH with --json, and the server-side time of
// each call is read from its audit row (duration_ms: from the exec request to the last byte
// handed to the channel, so it includes option parsing, the queries, the text table and the JSON).
//   - groupListServers on a group of 10,000 lines (as an admin, i.e. an auditor)
//   - whoHasAccessTo for one IP (covered by group blocks and personal lines)
//   - selfListAccesses for an account that is a member of 50 groups
//   - groupList --all (1,000 groups)
import path from 'node:path';
import { parsePublicKeyLine } from '../../src/keys/publicKey.js';
import type { NewAclEntry } from '../../src/store/acl.js';
import { openStore, type Store } from '../../src/store/store.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { makeKey, timedSsh } from '../lib/openssh.js';
import { median, percentile } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSection } from '../lib/types.js';
import { aclEntry } from '../../test/helpers/targets.js';

const ACCOUNTS = 10_000;
const GROUPS = 1_000;
const BIG_GROUP_LINES = 10_000;
const LINES_PER_GROUP = 80;
const MEMBERS_PER_GROUP = 10;
const MULTI_MEMBER_GROUPS = 50;
const WHO_IP = '172.20.5.9';
const WARMUP = 2;
const CALLS = 15;
const TARGET_MS = 50;

/** A deterministic generator, so every run seeds the same store. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const accountName = (i: number): string => `acct${String(i).padStart(5, '0')}`;
const groupName = (i: number): string => `grp${String(i).padStart(4, '0')}`;

/** Seeds the store; returns how many ACL lines were written. The multi-group member is acct00001. */
export function seed(store: Store, memberKeyLine: string): number {
  const now = Math.floor(Date.now() / 1000);
  const rand = rng(42);
  const pick = (n: number): number => Math.floor(rand() * n);
  let lines = 0;
  store.tx(() => {
    const accounts: number[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      accounts.push(store.accounts.insert({ name: accountName(i), uid: null, comment: null, createdAt: now, createdBy: 'bench', ttlSeconds: null }));
    }
    const key = parsePublicKeyLine(memberKeyLine).value;
    if (!key) throw new Error('bench key does not parse');
    store.ingressKeys.insert({
      accountId: accounts[1] as number,
      type: key.typecode,
      blob: key.blob,
      size: key.size,
      fingerprint: key.fingerprint,
      comment: key.comment,
      options: '',
      fromList: null,
      createdAt: now,
    });
    const groups: number[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const id = store.groups.insert(groupName(g), now, 'bench');
      groups.push(id);
      store.groups.addRole(id, accounts[(g * 7) % ACCOUNTS] as number, 'owner', 'bench', now);
      for (let m = 0; m < MEMBERS_PER_GROUP; m++) store.groups.addRole(id, accounts[pick(ACCOUNTS)] as number, 'member', 'bench', now);
    }
    for (let g = 1; g <= MULTI_MEMBER_GROUPS; g++) store.groups.addRole(groups[g] as number, accounts[1] as number, 'member', 'bench', now);
    const add = (e: NewAclEntry): void => {
      store.acl.insert(e);
      lines++;
    };
    // The big group: 10,000 single addresses.
    for (let i = 0; i < BIG_GROUP_LINES; i++)
      add(aclEntry('group', null, groups[0] as number, { ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, user: 'app', port: 22 }));
    // Every other group: 80 lines, mostly single addresses in 172.16.0.0/12, some /24 and /16 blocks.
    for (let g = 1; g < GROUPS; g++) {
      for (let i = 0; i < LINES_PER_GROUP; i++) {
        const b = 16 + pick(16);
        const c = pick(256);
        const r = rand();
        const host = r < 0.05 ? `172.${b}.0.0/16` : r < 0.25 ? `172.${b}.${c}.0/24` : `172.${b}.${c}.${1 + pick(254)}`;
        add(aclEntry('group', null, groups[g] as number, { ip: host, user: rand() < 0.5 ? null : 'root', port: rand() < 0.5 ? null : 22 }));
      }
    }
    // Personal lines up to 100,000 in all: one or two per account.
    for (let i = 0; lines < 100_000; i++) {
      const host = i % 50 === 0 ? `172.20.${pick(256)}.0/24` : `192.168.${pick(256)}.${1 + pick(254)}`;
      add(aclEntry('personal', accounts[i % ACCOUNTS] as number, null, { ip: host, port: 22 }));
    }
    // Make sure the IP asked about is covered by a few groups and accounts.
    for (let g = 900; g < 910; g++) add(aclEntry('group', null, groups[g] as number, { ip: '172.20.0.0/16' }));
    for (let a = 100; a < 110; a++) add(aclEntry('personal', accounts[a] as number, null, { ip: WHO_IP, port: 22 }));
  });
  return lines;
}

interface Scenario {
  readonly label: string;
  readonly plugin: string;
  readonly account: string;
  readonly keyFile: string;
  readonly args: readonly string[];
}

async function section(ctx: BenchContext): Promise<BenchRow[]> {
  const gh = await startGatehouse(ctx, { name: 'gatehouse-acl' });
  const memberKey = makeKey(gh.dir, 'member_key');
  const store = openStore(path.join(gh.dir, 'data', 'gatehouse.db'));
  ctx.onCleanup(() => store.close());
  ctx.log('seeding 10,000 accounts, 1,000 groups and 100,000 ACL lines...');
  const t0 = performance.now();
  const lines = seed(store, memberKey.publicLine);
  const seedMs = performance.now() - t0;
  ctx.log(`seeded ${lines} ACL lines in ${Math.round(seedMs)} ms`);

  const admin = { account: gh.admin.name, keyFile: gh.admin.key.privateFile };
  const scenarios: Scenario[] = [
    { label: 'groupListServers, 10,000-line group', plugin: 'groupListServers', ...admin, args: ['--osh', 'groupListServers', '--group', groupName(0)] },
    { label: 'whoHasAccessTo, one IP', plugin: 'whoHasAccessTo', ...admin, args: ['--host', WHO_IP, '--osh', 'whoHasAccessTo'] },
    { label: 'selfListAccesses, member of 50 groups', plugin: 'selfListAccesses', account: accountName(1), keyFile: memberKey.privateFile, args: ['--osh', 'selfListAccesses'] },
    { label: 'groupList --all, 1,000 groups', plugin: 'groupList', ...admin, args: ['--osh', 'groupList', '--all'] },
  ];
  const rows: BenchRow[] = [{ name: 'seed (one transaction)', value: Math.round(seedMs), unit: 'ms', note: `${ACCOUNTS} accounts, ${GROUPS} groups, ${lines} lines` }];
  for (const s of scenarios) {
    const client: number[] = [];
    let failed: string | null = null;
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const r = await timedSsh(gh.port, s.account, s.keyFile, ['--json', ...s.args]);
      if (r.code !== 0) failed ??= `exit ${r.code}: ${r.stderr.slice(0, 200) || r.stdout.slice(-200)}`;
      if (i >= WARMUP) client.push(r.ms);
    }
    const server = store.audit.recentCalls(s.account, s.plugin, CALLS);
    const ms = server.map((d) => d.duration_ms);
    if (failed || ms.length < CALLS || server.some((d) => !d.error_code.startsWith('OK'))) {
      rows.push({ name: `${s.label}, server median`, value: null, unit: 'ms', note: failed ?? 'calls missing from the audit trail' });
      continue;
    }
    rows.push({
      name: `${s.label}, server median`,
      value: round(median(ms)),
      unit: 'ms',
      target: { atMost: TARGET_MS },
      note: `p90 ${round(percentile(ms, 90))} ms; client median ${round(median(client))} ms; n=${CALLS}`,
    });
  }
  return rows;
}

const round = (x: number): number => Math.round(x * 10) / 10;

const acl: BenchSection = {
  name: 'acl',
  description: 'groups and ACLs at scale: 10k accounts, 1k groups, 100k lines; server-side time of four listings',
  run: section,
};
export default acl;
