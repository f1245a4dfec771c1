// --include / --exclude patterns of the listing plugins and ACL tables (The Bastion's
// build_re_from_wildcards with implicit_contains): `*` and `?` wildcards over the whole name or
// field; a pattern without any wildcard matches text that contains it. Several patterns: any of
// them may match. The one implementation: src/access/acl.ts's wildcardMatcher builds on it.
//
// Patterns come from any account (groupList is an open plugin), so they are matched without a
// RegExp: `^.*.*.*…!$` backtracks exponentially in V8 (16 stars held the event loop ~7 s on one
// 18-character group name). wildcardMatch is the greedy glob match, O(pattern × text) at worst.

/** Whether `text` as a whole matches `pattern`, where `*` is any run of characters and `?` any one. */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  // Where the last `*` was, and where in the text it started matching: on a mismatch that star
  // takes one more character. Earlier stars never need to take more (the classic glob argument),
  // so there is no deeper backtracking.
  let star = -1;
  let starText = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      star = p++;
      starText = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** One matcher for the patterns (any may match), or null when there are none. */
export function wildcardsMatcher(patterns: readonly string[]): ((text: string) => boolean) | null {
  if (patterns.length === 0) return null;
  // A run of stars means one star: a pattern of thousands of them then costs nothing per field.
  const globs = patterns.map((p) => (/[*?]/.test(p) ? p : `*${p}*`).replace(/\*{2,}/g, '*'));
  return (text) => globs.some((g) => wildcardMatch(g, text));
}

/** --exclude wins over --include, as in The Bastion. */
export function nameFilter(includes: readonly string[], excludes: readonly string[]): (name: string) => boolean {
  const inc = wildcardsMatcher(includes);
  const exc = wildcardsMatcher(excludes);
  return (name) => !(exc?.(name) ?? false) && (inc?.(name) ?? true);
}
