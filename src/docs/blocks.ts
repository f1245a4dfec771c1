// Reference sections rendered from the registries (error codes, exit statuses, bastion.conf keys)
// and spliced between markers into the hand-written docs/json-api.md and docs/configuration.md.
// The prose around them is ours to write; the lists inside are never typed by hand.
import { CONFIG_SCHEMA, DEPRECATED_NAMES, type KeySpec } from '../config/schema.js';
import { ERROR_CODES } from '../kernel/errorCodes.js';
import { EXIT, SSH_CLIENT_NO_STATUS } from '../kernel/exitCodes.js';
import { byCodePoint, cell, cellCode, code, table } from './markdown.js';
import { CONFIG_KEY_MEANINGS, EXIT_MEANINGS } from './meanings.js';

const MISSING = '*(not described yet: add it in src/docs/meanings.ts)*';

export function beginMarker(id: string): string {
  return `<!-- BEGIN GENERATED ${id}: written by \`npm run docs\`, do not edit by hand -->`;
}
export function endMarker(id: string): string {
  return `<!-- END GENERATED ${id} -->`;
}

/** Replaces the body between a block's markers; throws when the markers are missing or doubled. */
export function spliceBlock(doc: string, id: string, body: string, file: string): string {
  const begin = beginMarker(id);
  const end = endMarker(id);
  const b = doc.indexOf(begin);
  const e = doc.indexOf(end);
  if (b === -1 || e === -1 || e < b || doc.indexOf(begin, b + 1) !== -1) {
    throw new Error(`${file}: needs exactly one pair of markers for the generated block '${id}':\n${begin}\n${end}`);
  }
  return `${doc.slice(0, b)}${begin}\n\n${body.trim()}\n\n${doc.slice(e)}`;
}

export function errorCodesBlock(): string {
  const names = Object.keys(ERROR_CODES).sort(byCodePoint);
  const groups: [string, string][] = [
    ['OK', 'Success (exit 0)'],
    ['KO', 'Refused (exit 100 from a plugin; the refusals before a plugin have their own exit status, see above)'],
    ['ERR', 'Failed (exit 100)'],
  ];
  const out: string[] = [];
  for (const [prefix, title] of groups) {
    const mine = names.filter((n) => n === prefix || n.startsWith(`${prefix}_`));
    out.push(`#### ${code(prefix + (prefix === 'OK' ? '*' : '_*'))}: ${title}`, '');
    out.push(
      table(
        ['Code', 'Meaning'],
        mine.map((n) => [cellCode(n), cell(ERROR_CODES[n as keyof typeof ERROR_CODES])]),
      ),
      '',
    );
  }
  return out.join('\n');
}

export function exitCodesBlock(): string {
  const rows = Object.entries(EXIT)
    .sort((a, b) => a[1] - b[1])
    .map(([name, n]) => [String(n), cellCode(name), cell(EXIT_MEANINGS[name] ?? MISSING)]);
  rows.push([String(SSH_CLIENT_NO_STATUS), '(none)', "The SSH client's own status: authentication failed or the connection broke; no envelope."]);
  return table(['Exit', 'Name in src/kernel/exitCodes.ts', 'Meaning'], rows);
}

function limits(spec: KeySpec): string {
  switch (spec.kind) {
    case 'int':
      return `${spec.min} to ${spec.max}`;
    case 'enum':
      return `one of ${spec.valid.map(code).join(', ')}`;
    case 'bool':
      return '`true`/`false`, `0`/`1`; `"no"`, `"false"`, `"disabled"` read as false';
    case 'string':
      return `matches ${code(spec.valid.source)}`;
    case 'list':
      return `JSON array; each item matches ${code(spec.valid.source)}`;
  }
}

const KIND_NAMES: Readonly<Record<KeySpec['kind'], string>> = {
  int: 'integer',
  enum: 'string (choice)',
  bool: 'boolean',
  string: 'string',
  list: 'array of strings',
};

export function configKeysBlock(): string {
  const oldNames = new Map<string, string[]>();
  for (const [fresh, old] of Object.entries(DEPRECATED_NAMES)) oldNames.set(fresh, [...(oldNames.get(fresh) ?? []), old]);
  const entries = Object.entries(CONFIG_SCHEMA) as [string, KeySpec][];
  const out: string[] = [];
  for (const origin of ['bastion', 'gatehouse'] as const) {
    out.push(origin === 'bastion' ? "### The Bastion's keys" : "### Gatehouse's own keys", '');
    out.push(
      origin === 'bastion'
        ? "Same names and formats as The Bastion's `bastion.conf`, and the same defaults unless a key says otherwise; they apply to the next call after the file changes."
        : 'What sshd and the filesystem layout did for The Bastion.',
      '',
    );
    const mine = entries.filter(([name]) => (CONFIG_KEY_MEANINGS[name]?.origin ?? 'gatehouse') === origin);
    for (const [name, spec] of mine) {
      out.push(`#### ${code(name)}`, '');
      out.push(`- **Kind:** ${KIND_NAMES[spec.kind]}; **default:** ${code(JSON.stringify(spec.default))}; **valid:** ${limits(spec)}`);
      const old = oldNames.get(name);
      if (old) out.push(`- **Old name still read:** ${old.map(code).join(', ')}`);
      out.push('', CONFIG_KEY_MEANINGS[name]?.meaning ?? MISSING, '');
    }
  }
  return out.join('\n');
}

export function deprecatedNamesBlock(): string {
  const rows = Object.entries(DEPRECATED_NAMES)
    .sort((a, b) => byCodePoint(a[1], b[1]) || byCodePoint(a[0], b[0]))
    .map(([fresh, old]) => [cellCode(old), cellCode(fresh)]);
  return table(['Old name', 'Read as'], rows);
}

/** Every generated block, by file (relative to the repository root) and block id. */
export const BLOCKS: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  'docs/json-api.md': { 'exit-codes': exitCodesBlock, 'error-codes': errorCodesBlock },
  'docs/configuration.md': { 'config-keys': configKeysBlock, 'deprecated-names': deprecatedNamesBlock },
};
