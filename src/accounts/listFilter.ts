// --include / --exclude patterns of the listing plugins and ACL tables (The Bastion's
// build_re_from_wildcards with implicit_contains): `*` and `?` wildcards over the whole name or
// field; a pattern without any wildcard matches text that contains it. Several patterns: any of
// them may match. The one implementation: src/access/acl.ts's wildcardMatcher builds on it.

/** One anchored RegExp for the patterns, or null when there are none. */
export function wildcardsToRegExp(patterns: readonly string[]): RegExp | null {
  if (patterns.length === 0) return null;
  const parts = patterns.map((p) => {
    const q = /[*?]/.test(p) ? p : `*${p}*`;
    const body = q.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : `\\${ch}`));
    return `^${body}$`;
  });
  return new RegExp(parts.join('|'), 's');
}

/** --exclude wins over --include, as in The Bastion. */
export function nameFilter(includes: readonly string[], excludes: readonly string[]): (name: string) => boolean {
  const inc = wildcardsToRegExp(includes);
  const exc = wildcardsToRegExp(excludes);
  return (name) => !(exc?.test(name) ?? false) && (inc?.test(name) ?? true);
}
