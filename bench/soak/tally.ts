// Outcomes counted by label: thousands of attacker connections, or a row's failed good calls,
// come down to a few lines.
export class Tally {
  readonly counts: Record<string, number> = {};
  add(label: string, n = 1): void {
    this.counts[label] = (this.counts[label] ?? 0) + n;
  }
  /** `label count, …`, most frequent first. */
  text(): string {
    return Object.entries(this.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  }
}
