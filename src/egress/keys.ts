// Which egress keys to try, in which order, and how to say so: every key of every allowing access
// in the decision's order, each key once (get_details_from_access_array in bin/shell/osh.pl). The
// private halves are unsealed here, only for the connection, and never logged.
import ssh2, { type ParsedKey } from 'ssh2';
import type { Keyring } from '../services/keyring.js';
import type { AccessGrant } from './access.js';
import type { KeyToTry } from '../services/sshClient.js';
const { utils } = ssh2;

export interface KeyPlan {
  readonly keys: KeyToTry[];
  /** The "will try the following accesses you have" lines. */
  readonly lines: string[];
  /** Keys that could not be unsealed or parsed (fingerprints), reported as warnings. */
  readonly broken: string[];
}

/** `useKey`: --use-key, the only fingerprint to try (The Bastion's "KEY FORCED ON CMDLINE"). */
export function planKeys(grants: readonly AccessGrant[], keyring: Keyring, useKey?: string): KeyPlan {
  const keys: KeyToTry[] = [];
  const lines: string[] = [];
  const broken: string[] = [];
  const seen = new Set<string>();
  for (const g of grants) {
    const who = g.type === 'personal' ? 'personal access' : `${g.type} of ${g.group ?? '?'}`;
    for (const k of g.keys) {
      if (useKey !== undefined && k.fingerprint !== useKey) continue;
      const forced = useKey !== undefined ? ' (KEY FORCED ON CMDLINE)' : g.forceKey ? ' (KEY FORCED IN ACL)' : '';
      lines.push(`  - ${who} with ${k.family}-${k.size} key ${k.fingerprint} [${day(k.createdAt)}]${forced}`);
      if (seen.has(k.fingerprint)) continue;
      seen.add(k.fingerprint);
      const parsed = openKey(k.privateSealed, keyring);
      if (parsed) keys.push({ fingerprint: k.fingerprint, key: parsed });
      else broken.push(k.fingerprint);
    }
    if (g.forceKey && g.keys.length === 0) {
      lines.push(`  - ${who} but found no key matching the forced fingerprint in corresponding ACL (SKIPPED)`);
    }
  }
  if (useKey !== undefined && keys.length === 0 && broken.length === 0) {
    lines.push(`  >>> No key matched the fingerprint you gave me (${useKey}), connection will fail!`);
  }
  return { keys, lines, broken };
}

function openKey(sealed: Buffer, keyring: Keyring): ParsedKey | null {
  try {
    const parsed = utils.parseKey(keyring.open(sealed));
    if (parsed instanceof Error) return null;
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    return key?.isPrivateKey() ? key : null;
  } catch {
    return null;
  }
}

/** [YYYY/MM/DD] as The Bastion prints a key's date (UTC here: the bastion's clock is the reference). */
function day(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}
