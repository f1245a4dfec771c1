// The --help text of a plugin, generated from its declaration (the same source as the docs page).
import type { AnyPlugin, OptionDecl, OptionDecls } from './define.js';

/** The option's spellings as typed: `--name`, `-a`. */
export function optionNames(name: string, d: OptionDecl): string[] {
  return [name, ...(d.alias ?? [])].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
}

/** The placeholder shown for the option's value (null for a flag). */
export function valueName(name: string, d: OptionDecl): string | null {
  if (d.type === 'boolean') return null;
  return d.valueName ?? (d.type === 'integer' ? 'INT' : name.toUpperCase().replace(/-/g, '_'));
}

export function optionUsage(name: string, d: OptionDecl): string {
  const names = optionNames(name, d).join(', ');
  const v = valueName(name, d);
  if (v === null) return names;
  if ((d.type === 'string' || d.type === 'list') && d.choices) {
    // Without a placeholder of its own, the list of values is the placeholder: `--osh-only yes|no`.
    return d.valueName === undefined ? `${names} ${d.choices.join('|')}` : `${names} ${v} (${d.choices.join('|')})`;
  }
  return `${names} ${v}`;
}

/** What the value must be, beyond its type: `pattern`, range and `default`, for --help and the docs. */
function valueRules(d: OptionDecl): string[] {
  const rules: string[] = [];
  if (d.type === 'boolean') return rules;
  if ((d.type === 'string' || d.type === 'list') && d.pattern) rules.push(`${d.pattern.accepts}`);
  if (d.type === 'integer' && (d.min !== undefined || d.max !== undefined)) rules.push(`${d.min ?? '…'} to ${d.max ?? '…'}`);
  if (d.type !== 'list' && d.default !== undefined) rules.push(`default ${d.default}`);
  return rules;
}

/** The options that can't be given with `name`, whichever of the two declares the conflict: `--uid-auto`. */
export function conflictingOptions(decls: OptionDecls, name: string): string[] {
  const others = new Set(Object.keys(decls[name]?.conflicts ?? {}));
  for (const [other, d] of Object.entries(decls)) if (d.conflicts && Object.hasOwn(d.conflicts, name)) others.add(other);
  return [...others].map((o) => `--${o}`);
}

/** What the help is made of (no handler: a plugin can print its own help without naming its own type). */
export type HelpSource = Pick<AnyPlugin, 'name' | 'summary' | 'help' | 'options'>;

export function pluginHelp(p: HelpSource): string {
  const lines = [p.summary, '', `Usage: --osh ${p.name}${Object.keys(p.options).length ? ' [OPTIONS]' : ''}`];
  const entries = Object.entries(p.options);
  if (entries.length > 0) {
    lines.push('');
    const usages = entries.map(([n, d]) => optionUsage(n, d));
    const width = Math.min(40, Math.max(...usages.map((u) => u.length)));
    entries.forEach(([name, d], i) => {
      const u = usages[i] as string;
      const req = 'required' in d && d.required ? ' (required)' : '';
      const many = d.type === 'list' ? ' (may be repeated)' : '';
      const conflicts = conflictingOptions(p.options, name);
      const rules = [...valueRules(d), ...(conflicts.length > 0 ? [`not with ${conflicts.join(', ')}`] : [])].map((r) => ` (${r})`).join('');
      lines.push(`  ${u.padEnd(width)}  ${d.description}${req}${many}${rules}`);
    });
  }
  if (p.help) lines.push('', p.help.trimEnd());
  return lines.join('\n');
}
