// What the audit tests look for in a running test bastion: its audit rows, and whether any secret
// line of a private key was stored in a row or written to the log. Shared by the in-process and
// the over-SSH halves of the audit attacks.
import assert from 'node:assert/strict';
import type { AuditRow } from '../../src/store/audit.js';
import { sqliteOf } from '../../src/store/inspect.js';
import { bash } from './clients.js';
import type { TestServer } from './server.js';

export function auditRows(srv: TestServer): AuditRow[] {
  return sqliteOf(srv.gh.store).prepare('SELECT * FROM audit ORDER BY id').all() as AuditRow[];
}

/** The lines of a private key that are secret (its base64 body; the BEGIN/END lines are not). */
export function secretLines(privateKey: string): string[] {
  return privateKey
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('-----'));
}

/** No secret line of the key in any text column of any audit row, nor in any log line. */
export function assertNowhere(srv: TestServer, privateKey: string): void {
  const all = [...auditRows(srv).map((r) => Object.values(r).map(String).join('\n')), ...srv.logs.map((l) => JSON.stringify(l))];
  for (const line of secretLines(privateKey)) {
    for (const text of all) assert.ok(!text.includes(line), `a private key line was stored or logged: ${line}`);
  }
}

/** A fresh OpenSSH-format private key, as `ssh-keygen` writes it. */
export async function opensshPrivateKey(): Promise<string> {
  const r = await bash(`d=$(mktemp -d) && ssh-keygen -q -t ed25519 -N '' -C leak@test -f "$d/k" && cat "$d/k" && rm -rf "$d"`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /BEGIN OPENSSH PRIVATE KEY/);
  return r.stdout;
}
