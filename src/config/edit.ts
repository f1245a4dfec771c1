// Adding an account to adminAccounts in bastion.conf without losing the operator's comments and
// layout: the array is replaced in place (or the key inserted after the opening brace), the
// result is parsed again to prove it, and the file is replaced atomically (a server reading it
// at the same moment sees the old file or the new one, never half of one). Only when the text
// can't be edited in place is the file rewritten as plain JSON, which loses its comments.
import fs from 'node:fs';
import { readConfigObject, stripComments } from './parse.js';

export function addAdminAccount(file: string, account: string): 'added' | 'present' {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const raw = text.trim() === '' ? {} : readConfigObject(text);
  // The old name still counts (DEPRECATED_NAMES): its admins are carried over, not dropped.
  const listed = raw['adminAccounts'] ?? raw['adminLogins'];
  const current = Array.isArray(listed) ? (listed as unknown[]).map(String) : [];
  if (current.includes(account)) return 'present';
  const wanted = [...current, account];
  let edited = text.trim() === '' ? freshFile(wanted) : editInPlace(text, wanted);
  if (edited !== null && !provesEdit(edited, raw, wanted)) edited = null;
  if (edited === null) edited = JSON.stringify({ ...raw, adminAccounts: wanted }, null, 4) + '\n';
  let mode = 0o640;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    // A new file: 0640 (it names the admins, nothing secret, but no reason to be world-readable).
  }
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, edited, { mode });
  fs.renameSync(tmp, file);
  return 'added';
}

function freshFile(admins: readonly string[]): string {
  return [
    "# Gatehouse configuration, in The Bastion's bastion.conf format: JSON, and lines starting",
    '# with # are comments. Changes apply to every new session without a restart.',
    '{',
    `    "adminAccounts": ${JSON.stringify(admins)}`,
    '}',
    '',
  ].join('\n');
}

/**
 * The text with the adminAccounts array replaced, or the key inserted; null when that can't be
 * done safely. Positions are searched in the comment-free text (stripComments keeps every
 * offset), so an example in a comment is never edited.
 */
function editInPlace(text: string, admins: readonly string[]): string | null {
  const plain = stripComments(text);
  const next = JSON.stringify(admins);
  const key = /"adminAccounts"\s*:\s*\[[^\]]*\]/g;
  const found = [...plain.matchAll(key)];
  if (found.length > 1) return null;
  if (found.length === 1) {
    const m = found[0] as RegExpMatchArray;
    const at = m.index ?? 0;
    const prefix = /^"adminAccounts"\s*:\s*/.exec(m[0])?.[0] ?? '';
    return text.slice(0, at) + prefix + next + text.slice(at + m[0].length);
  }
  if (/"adminAccounts"/.test(plain)) return null; // present but not a plain array: don't guess
  const open = plain.indexOf('{');
  if (open === -1) return null;
  const empty = /^\s*\}/.test(plain.slice(open + 1));
  const insert = `\n    "adminAccounts": ${next}${empty ? '' : ','}`;
  return text.slice(0, open + 1) + insert + text.slice(open + 1);
}

/** The edited text must parse, hold exactly the wanted admins and leave every other key as it was. */
function provesEdit(edited: string, before: Record<string, unknown>, admins: readonly string[]): boolean {
  try {
    const after = readConfigObject(edited);
    if (JSON.stringify(after['adminAccounts']) !== JSON.stringify(admins)) return false;
    const rest = (o: Record<string, unknown>): string =>
      JSON.stringify(
        Object.entries(o)
          .filter(([k]) => k !== 'adminAccounts')
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    return rest(after) === rest(before);
  } catch {
    return false;
  }
}
