// Splits an exec request string back into words the way a POSIX shell would, without expanding
// anything: OpenSSH joined the user's words with spaces, so quoting is how a value keeps its
// spaces (`--comment "\"two words\""` on the user's side). Rules: blanks separate words;
// '…' is literal; "…" keeps everything but lets \" \\ \$ \` escape; a backslash outside quotes
// escapes the next character; no globbing, variables, operators or comments. NUL and newlines
// are refused so that nothing can smuggle a second line into logs or prompts.

export type SplitResult = { ok: true; words: string[] } | { ok: false; error: string };

export function splitWords(input: string): SplitResult {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i] as string;
    if (c === '\0' || c === '\n' || c === '\r') return { ok: false, error: 'control characters are not allowed in a command' };
    if (c === ' ' || c === '\t') {
      if (inWord) {
        words.push(cur);
        cur = '';
        inWord = false;
      }
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end === -1) return { ok: false, error: 'unterminated single quote' };
      const chunk = input.slice(i + 1, end);
      if (/[\0\n\r]/.test(chunk)) return { ok: false, error: 'control characters are not allowed in a command' };
      cur += chunk;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = input[i] as string;
        if (d === '\0' || d === '\n' || d === '\r') return { ok: false, error: 'control characters are not allowed in a command' };
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < n && '"\\$`'.includes(input[i + 1] as string)) {
          cur += input[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed) return { ok: false, error: 'unterminated double quote' };
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= n) return { ok: false, error: 'trailing backslash' };
      const e = input[i + 1] as string;
      if (e === '\0' || e === '\n' || e === '\r') return { ok: false, error: 'control characters are not allowed in a command' };
      cur += e;
      i += 2;
      continue;
    }
    cur += c;
    i++;
  }
  if (inWord) words.push(cur);
  return { ok: true, words };
}
