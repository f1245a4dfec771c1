// Adding an account to adminAccounts in bastion.conf without losing the operator's comments and
// layout: the array is replaced in place (or the key inserted), the result is parsed again to
// prove it, and the file is replaced atomically.
import fs from 'node:fs';
import { readConfigObject } from './parse.js';

export function addAdminAccount(file: string, account: string): 'added' | 'present' {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const raw = text.trim() === '' ? {} : readConfigObject(text);
  const current = Array.isArray(raw['adminAccounts']) ? (raw['adminAccounts'] as unknown[]).map(String) : [];
  if (current.includes(account)) return 'present';
  const next = JSON.stringify([...current, account]);
  let edited: string | null = null;
  const re = /("adminAccounts"\s*:\s*)\[[^\]]*\]/;
  if (text.trim() === '') {
    edited = `# Gatehouse configuration, in The Bastion's bastion.conf format (JSON, # comment lines).\n{\n    "adminAccounts": ${next}\n}\n`;
  } else if (re.test(text) && (text.match(/"adminAccounts"/g) ?? []).length === 1) {
    edited = text.replace(re, `$1${next}`);
  } else if (!/"adminAccounts"/.test(text)) {
    edited = text.replace(/\{/, `{\n    "adminAccounts": ${next},`).replace(/,(\s*)\}\s*$/, '$1}\n');
  }
  let ok = false;
  if (edited !== null) {
    try {
      const back = readConfigObject(edited);
      ok = JSON.stringify(back['adminAccounts']) === next;
    } catch {
      ok = false;
    }
  }
  if (!ok) edited = JSON.stringify({ ...raw, adminAccounts: [...current, account] }, null, 4) + '\n';
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, edited as string, { mode: 0o640 });
  fs.renameSync(tmp, file);
  return 'added';
}
