// Reads the imports of a TypeScript source without a parser (TypeScript 7's compiler has no
// JavaScript API): a small tokenizer drops comments and keeps strings, templates and regular
// expressions whole, so an `import` written inside one is never taken for one. From the tokens come
// every static `import … from '…'`, side-effect `import '…'`, `export … from '…'` and dynamic
// `import('…')`, and the member calls that run SQL. The rules that use them: importRules.ts.

/** Member calls that run SQL on a better-sqlite3 handle (`db.prepare(…)`, `db.pragma(…)`). */
const SQL_CALLS = new Set(['prepare', 'pragma']);
/** Calls that are SQL only on a database handle (`db.exec(…)`; `re.exec(…)` is a regex). */
const SQL_CALLS_ON_DB = new Set(['exec', 'transaction']);

// ---------------------------------------------------------------------------------------------
// Tokenizer.

export interface Token {
  kind: 'id' | 'num' | 'str' | 'tmpl' | 'regex' | 'punct';
  /** Identifier or punctuator text; a string's value (escapes resolved only for `\x` → `x`). */
  text: string;
  line: number;
}

/** Identifiers after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function regexAllowed(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === 'id') return REGEX_AFTER_WORD.has(prev.text);
  if (prev.kind === 'punct') return !(prev.text === ')' || prev.text === ']' || prev.text === '}');
  return false;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const n = src.length;
  let i = 0;
  let line = 1;
  let depth = 0;
  /** Brace depth at each open `${` of a template, innermost last. */
  const templates: number[] = [];

  /** Reads template text from i (just after a backtick or a closing `}`) to its end or next `${`. */
  const readTemplate = (): void => {
    const start = line;
    while (i < n) {
      const c = src[i];
      if (c === '\\') {
        if (src[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c === '`') {
        i++;
        out.push({ kind: 'tmpl', text: '', line: start });
        return;
      }
      if (c === '$' && src[i + 1] === '{') {
        i += 2;
        out.push({ kind: 'tmpl', text: '', line: start });
        templates.push(depth);
        return;
      }
      i++;
    }
  };

  while (i < n) {
    const c = src[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = line;
      let text = '';
      i++;
      while (i < n && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\') {
          i++;
          if (src[i] === '\n') line++;
        }
        text += src[i] ?? '';
        i++;
      }
      i++;
      out.push({ kind: 'str', text, line: start });
    } else if (c === '`') {
      i++;
      readTemplate();
    } else if (c === '}' && templates.length > 0 && templates[templates.length - 1] === depth) {
      templates.pop();
      i++;
      readTemplate();
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(src.slice(i, i + 256)) as RegExpExecArray;
      out.push({ kind: 'id', text: m[0], line });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9A-Za-z_.]+/.exec(src.slice(i, i + 256)) as RegExpExecArray;
      out.push({ kind: 'num', text: m[0], line });
      i += m[0].length;
    } else if (c === '/' && regexAllowed(out[out.length - 1])) {
      // A regex literal: up to the first `/` that is neither escaped nor in a class.
      let k = i + 1;
      let inClass = false;
      while (k < n && src[k] !== '\n') {
        const d = src[k];
        if (d === '\\') k++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        k++;
      }
      if (src[k] !== '/') {
        // Not a regex after all (no closing slash on the line): a lone punctuator.
        out.push({ kind: 'punct', text: c, line });
        i++;
        continue;
      }
      k++;
      while (k < n && /[a-z]/.test(src[k] as string)) k++;
      out.push({ kind: 'regex', text: src.slice(i, k), line });
      i = k;
    } else {
      if (c === '{') depth++;
      if (c === '}') depth--;
      // `?.` is one punctuator, so `a?.import(…)` reads as a member like `a.import(…)`.
      const text = c === '?' && src[i + 1] === '.' && !/[0-9]/.test(src[i + 2] ?? '') ? '?.' : c;
      out.push({ kind: 'punct', text, line });
      i += text.length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Import extraction.

export interface ImportRef {
  /** The specifier as written; null for a dynamic import of a computed value. */
  specifier: string | null;
  line: number;
  kind: 'static' | 'export' | 'dynamic';
  /** `import type …`, `export type …`, or every named binding marked `type`: erased at run time. */
  typeOnly: boolean;
}

export interface SourceFacts {
  imports: ImportRef[];
  /** Lines of member calls that run SQL (`x.prepare(`, `db.exec(`, …). */
  sqlCalls: { line: number; call: string }[];
}

const isP = (t: Token | undefined, text: string): boolean => t !== undefined && t.kind === 'punct' && t.text === text;
const isId = (t: Token | undefined, text: string): boolean => t !== undefined && t.kind === 'id' && t.text === text;

/** From the token after `{`, the index of its matching `}` and whether every item is `type X`. */
function namedBindings(tokens: Token[], open: number): { close: number; allTypes: boolean } {
  let depth = 0;
  let itemStart = true;
  let items = 0;
  let typed = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (isP(t, '{')) {
      depth++;
      continue;
    }
    if (isP(t, '}')) {
      depth--;
      if (depth === 0) return { close: k, allTypes: items > 0 && typed === items };
      continue;
    }
    if (isP(t, ',')) {
      itemStart = true;
      continue;
    }
    if (itemStart) {
      items++;
      // `type X` or `type X as Y`, but not a binding named `type` (`{ type }`, `{ type as t }`).
      const next = tokens[k + 1];
      if (isId(t, 'type') && next?.kind === 'id' && next.text !== 'as') typed++;
      itemStart = false;
    }
  }
  return { close: tokens.length, allTypes: false };
}

/** The SQL call at tokens[i], a member name (`x.prepare(`, `db.exec(`), or null. */
function sqlCallAt(tokens: Token[], i: number): SourceFacts['sqlCalls'][number] | null {
  const t = tokens[i] as Token;
  if (!isP(tokens[i + 1], '(') && !isP(tokens[i + 1], '<')) return null;
  const receiver = tokens[i - 2];
  const onDb = receiver?.kind === 'id' && /db$/i.test(receiver.text);
  return SQL_CALLS.has(t.text) || (SQL_CALLS_ON_DB.has(t.text) && onDb) ? { line: t.line, call: t.text } : null;
}

/** The import starting at tokens[i] (an `import` that is not a member name), or null (`import.meta`, `import x = require(…)`). */
function importAt(tokens: Token[], i: number): ImportRef | null {
  const t = tokens[i] as Token;
  const next = tokens[i + 1];
  if (isP(next, '(')) {
    const arg = tokens[i + 2];
    const after = tokens[i + 3];
    // Only a plain string is followed; a template or an expression is computed (null).
    const literal = arg?.kind === 'str' && (isP(after, ')') || isP(after, ','));
    // `typeof import('./x.js')` names a module's type: erased like `import type`.
    return { specifier: literal ? (arg as Token).text : null, line: t.line, kind: 'dynamic', typeOnly: isId(tokens[i - 1], 'typeof') };
  }
  if (isP(next, '.') || next === undefined) return null; // import.meta
  if (next.kind === 'str') return { specifier: next.text, line: t.line, kind: 'static', typeOnly: false };
  // import [type] Default, { a, type b } / * as ns from '…'
  let k = i + 1;
  let typeOnly = false;
  if (isId(tokens[k], 'type') && !isId(tokens[k + 1], 'from') && !isP(tokens[k + 1], ',')) {
    typeOnly = true;
    k++;
  }
  let allTypesNamed = false;
  let sawDefaultOrNs = false;
  for (; k < tokens.length; k++) {
    const u = tokens[k] as Token;
    if (isP(u, '{')) {
      const b = namedBindings(tokens, k);
      allTypesNamed = b.allTypes;
      k = b.close;
      continue;
    }
    if (isId(u, 'from') && tokens[k + 1]?.kind === 'str') {
      const spec = (tokens[k + 1] as Token).text;
      return { specifier: spec, line: t.line, kind: 'static', typeOnly: typeOnly || (allTypesNamed && !sawDefaultOrNs) };
    }
    if (isP(u, '*') || (u.kind === 'id' && !isId(u, 'as'))) sawDefaultOrNs = true;
    // `import x = require(…)`, or anything else that isn't an import clause: give up here.
    if (isP(u, ';') || isP(u, '=') || isP(u, '(')) return null;
  }
  return null;
}

/** The re-export starting at tokens[i] (`export [type] { … } from '…'`, `export * [as ns] from '…'`), or null. */
function reExportAt(tokens: Token[], i: number): ImportRef | null {
  let k = i + 1;
  let typeOnly = false;
  if (isId(tokens[k], 'type') && (isP(tokens[k + 1], '{') || isP(tokens[k + 1], '*'))) {
    typeOnly = true;
    k++;
  }
  let close: number;
  if (isP(tokens[k], '{')) {
    const b = namedBindings(tokens, k);
    typeOnly ||= b.allTypes;
    close = b.close;
  } else if (isP(tokens[k], '*')) {
    close = isId(tokens[k + 1], 'as') ? k + 2 : k;
  } else return null;
  if (!isId(tokens[close + 1], 'from') || tokens[close + 2]?.kind !== 'str') return null;
  return { specifier: (tokens[close + 2] as Token).text, line: (tokens[i] as Token).line, kind: 'export', typeOnly };
}

export function scanSource(src: string): SourceFacts {
  const tokens = tokenize(src);
  const imports: ImportRef[] = [];
  const sqlCalls: SourceFacts['sqlCalls'] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'id') continue;
    if (isP(tokens[i - 1], '.') || isP(tokens[i - 1], '?.')) {
      const call = sqlCallAt(tokens, i);
      if (call) sqlCalls.push(call);
      continue;
    }
    const ref = t.text === 'import' ? importAt(tokens, i) : t.text === 'export' ? reExportAt(tokens, i) : null;
    if (ref) imports.push(ref);
  }
  return { imports, sqlCalls };
}
