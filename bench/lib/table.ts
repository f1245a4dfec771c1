// Renders the rows of every section as one plain-text table: value, ratio to the baseline row,
// target and verdict. Pure, so the runner's output can be checked without running anything.
import type { BenchRow, Target } from './types.js';

export interface SectionRows {
  readonly section: string;
  readonly rows: readonly BenchRow[];
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function targetText(t: Target | undefined, unit: string): string {
  if (!t) return '';
  const onRatio = t.on === 'ratio';
  const bound = t.atMost !== undefined ? `≤ ${t.atMost}` : t.atLeast !== undefined ? `≥ ${t.atLeast}` : '';
  return onRatio ? `${bound}× baseline` : `${bound} ${unit}`;
}

export function verdict(t: Target | undefined, value: number | null, ratio: number | null): string {
  if (!t) return '';
  const x = t.on === 'ratio' ? ratio : value;
  if (x === null || !Number.isFinite(x)) return 'n/a';
  if (t.atMost !== undefined && x > t.atMost) return 'MISS';
  if (t.atLeast !== undefined && x < t.atLeast) return 'MISS';
  return 'ok';
}

export function renderTable(sections: readonly SectionRows[]): string {
  const head = ['section', 'measure', 'value', 'vs baseline', 'target', 'verdict', 'note'];
  const lines: string[][] = [];
  for (const { section, rows } of sections) {
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const r of rows) {
      const base = r.baseline === undefined ? undefined : byName.get(r.baseline);
      const ratio = base && base.value !== null && r.value !== null && base.value !== 0 ? r.value / base.value : null;
      const vs = r.baseline === undefined ? '' : ratio === null ? `n/a (${r.baseline})` : `${ratio.toFixed(2)}× ${r.baseline}`;
      lines.push([section, r.name, r.value === null ? 'n/a' : `${fmt(r.value)} ${r.unit}`, vs, targetText(r.target, r.unit), verdict(r.target, r.value, ratio), r.note ?? '']);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => [...(l[i] as string)].length)));
  const pad = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] as number) - [...c].length)))
      .join(' | ')
      .trimEnd();
  return [pad(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(pad)].join('\n') + '\n';
}
