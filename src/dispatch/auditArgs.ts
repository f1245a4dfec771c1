// The words of a call as the audit trail keeps them: the values of secret options replaced, so a
// password or a one-time code given on the command line never reaches the database.
import type { AnyPlugin } from '../osh/define.js';
import { secretOptionNames } from '../osh/pluginOptions.js';

/** The audit trail keeps the words of a call, with the values of secret options replaced. */
export function redactSecrets(plugin: AnyPlugin, words: readonly string[]): string[] {
  return redactWords(words, secretOptionNames(plugin.options));
}

/** Bastion-level options whose values are secrets (a one-time MFA code is still a credential). */
export const BASTION_SECRETS: ReadonlySet<string> = new Set(['mfa-token']);

/** The words with the value of each named option (`--name value` or `--name=value`) replaced. */
export function redactWords(words: readonly string[], secret: ReadonlySet<string>): string[] {
  if (secret.size === 0) return [...words];
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const m = /^--?([^=]+)(=.*)?$/.exec(w);
    if (m?.[1] && secret.has(m[1])) {
      if (m[2] !== undefined) out.push(`--${m[1]}=********`);
      else {
        out.push(w);
        if (i + 1 < words.length) {
          out.push('********');
          i++;
        }
      }
    } else out.push(w);
  }
  return out;
}
