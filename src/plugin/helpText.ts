// The --help text of a plugin, generated from its declaration (the same source as the docs page).
import type { AnyPlugin, OptionDecl } from './define.js';

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
  const choices = d.type === 'string' && d.choices ? ` (${d.choices.join('|')})` : '';
  return `${names} ${v}${choices}`;
}

export function pluginHelp(p: AnyPlugin): string {
  const lines = [p.summary, '', `Usage: --osh ${p.name}${Object.keys(p.options).length ? ' [OPTIONS]' : ''}`];
  const entries = Object.entries(p.options);
  if (entries.length > 0) {
    lines.push('');
    const usages = entries.map(([n, d]) => optionUsage(n, d));
    const width = Math.min(40, Math.max(...usages.map((u) => u.length)));
    entries.forEach(([, d], i) => {
      const u = usages[i] as string;
      const req = 'required' in d && d.required ? ' (required)' : '';
      const many = d.type === 'list' ? ' (may be repeated)' : '';
      lines.push(`  ${u.padEnd(width)}  ${d.description}${req}${many}`);
    });
  }
  if (p.help) lines.push('', p.help.trimEnd());
  return lines.join('\n');
}
