// The layer rules of DESIGN.md ("arrows point down and never back"), checked on the sources:
// scanImports.ts reads each file's imports (no parser: TypeScript 7's compiler has no JavaScript
// API, so dependency-cruiser and friends can't read our files), this module resolves the relative
// ones to files, builds the graph and checks the rule table below.
// Run by `npm test` (test/unit/importRules.test.ts) and by `npm run lint:imports`.
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scanSource, type SourceFacts } from './scanImports.js';

/** The repository root: this file is compiled to dist/src/devtools/, three levels below it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// ---------------------------------------------------------------------------------------------
// The rules. Paths are relative to the repository root, with `/` separators.

/** Modules that may import src/ssh/: the composition root wires the adapter to the rest. */
const COMPOSITION_ROOT = ['src/cli/main.ts', 'src/cli/cli.ts'];

/** Imports that do I/O (or hold a handle that does): never reached from src/policy/. */
const IO_MODULES = new Set([
  'fs',
  'fs/promises',
  'net',
  'dns',
  'dns/promises',
  'child_process',
  'worker_threads',
  'cluster',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'readline',
  'readline/promises',
  'os',
  'process',
  'better-sqlite3',
  'ssh2',
  'pino',
]);

/** The only packages src/kernel/ may import besides Node's built-in modules: logging needs pino. */
const KERNEL_PACKAGES = new Set(['pino']);

/** The store's test-side accessor: the SQLite handle behind a store, for tests and tools only. */
const STORE_INSPECT = 'src/store/inspect.ts';

/** Layers src/policy/ may not import at all, even for a type: each is a handle on I/O. */
const IO_LAYERS = ['src/store/', 'src/services/', 'src/ssh/', 'src/egress/'];

/**
 * The layers, bottom first: a module may import (even a type) only from its own folder or from a
 * folder on an earlier line. This is what makes the architecture visible: every arrow between
 * folders points down this list. Same-line folders don't import each other.
 * docs/architecture.md draws it; each folder's README says what it owns.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/kernel'],
  ['src/config', 'src/keys'],
  ['src/policy'],
  ['src/store'],
  ['src/services'],
  ['src/osh'],
  ['src/accounts'],
  ['src/access'],
  ['src/egress'],
  ['plugins'],
  ['src/dispatch'],
  ['src/ssh'],
  ['src/cli'],
  ['src/docs', 'src/devtools'],
];

/** The layer of a repository file (its index in LAYERS), or null for files outside them (bench/). */
export function layerOf(file: string): { index: number; folder: string } | null {
  for (const [index, folders] of LAYERS.entries()) {
    for (const folder of folders) if (file.startsWith(`${folder}/`)) return { index, folder };
  }
  return null;
}

export interface Rule {
  id: string;
  /** Why the rule exists; printed with each violation. */
  why: string;
}

export const RULES = {
  noCycle: {
    id: 'no-cycle',
    why: 'arrows point down the layers and never back; a cycle makes load order decide what is undefined at start-up',
  },
  pluginsNoSsh: {
    id: 'plugins-no-ssh',
    why: 'a plugin answers through its context, so it runs the same in-process and over SSH',
  },
  sshOnlyFromRoot: {
    id: 'ssh-only-from-root',
    why: 'src/ssh/ is the thin ssh2 adapter; only the composition root (src/cli/main.ts, src/cli/cli.ts) wires it in',
  },
  sqlOnlyInStore: {
    id: 'sql-only-in-store',
    why: 'only src/store/ touches SQL (better-sqlite3, db.prepare/pragma/exec), so another engine can sit beside SQLite',
  },
  storeInspectOnlyTests: {
    id: 'store-inspect-only-tests',
    why: 'src/store/inspect.ts hands out the SQLite handle for tests and tools that assert on stored state; the application reads and writes through named queries only, so a second engine can stand in',
  },
  kernelIsBottom: {
    id: 'kernel-is-bottom',
    why: 'src/kernel/ (results, codes, exit statuses, logging) is the layer everything else stands on; an import from above would make it depend on its own users',
  },
  policyNoIo: {
    id: 'policy-no-io',
    why: 'src/policy/ holds pure decisions; one that reaches I/O can no longer be tested or reasoned about alone',
  },
  layerOrder: {
    id: 'layer-order',
    why: 'a folder imports only from folders below it in LAYERS (src/devtools/importRules.ts), so the layers a newcomer reads are the ones the code has',
  },
  resolvable: {
    id: 'resolvable',
    why: 'a relative import the checker cannot resolve to a source file is a graph edge it cannot check',
  },
} satisfies Record<string, Rule>;

// Cycles: type-only imports (`import type`, or `import { type A, type B }`) are counted too. They
// leave nothing at run time, but DESIGN.md's arrows are about what knows about what: a type that
// two layers both need belongs to the lower one. Each cycle found when the rule came in was
// broken by moving a type to the module that owns it or by naming less of another module, so the
// stricter rule cost nothing (see the commits that brought it in).

// ---------------------------------------------------------------------------------------------
// The graph.

export interface Edge {
  from: string;
  /** A repository path for a resolved relative import, else the bare specifier (`node:fs`, `ssh2`). */
  to: string;
  line: number;
  typeOnly: boolean;
  internal: boolean;
}

export interface Graph {
  root: string;
  files: string[];
  edges: Map<string, Edge[]>;
  sqlCalls: Map<string, SourceFacts['sqlCalls']>;
  unresolved: Edge[];
}

/** The folders whose modules form the graph; bench/ is read only for the SQL rule. */
const GRAPH_DIRS = ['src', 'plugins'];
const SQL_DIRS = ['src', 'plugins', 'bench'];

function listTs(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(r);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk(dir);
  return out.sort();
}

function resolveRelative(root: string, from: string, spec: string): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const candidates = base.endsWith('.js') ? [`${base.slice(0, -3)}.ts`, base] : [base, `${base}.ts`, `${base}/index.ts`];
  for (const c of candidates) {
    if (c.endsWith('.ts') && fs.existsSync(path.join(root, c))) return c;
  }
  return null;
}

/** `node:fs/promises` → `fs/promises`; `pino/file` → `pino`; `@scope/pkg/x` → `@scope/pkg`. */
function externalName(spec: string): string {
  if (spec.startsWith('node:')) return spec.slice(5);
  const parts = spec.split('/');
  if (spec.startsWith('@')) return parts.slice(0, 2).join('/');
  if (['fs', 'dns', 'readline'].includes(parts[0] as string) && parts[1] === 'promises') return spec;
  return parts[0] as string;
}

export function buildGraph(root: string): Graph {
  const files = SQL_DIRS.flatMap((d) => listTs(root, d));
  const edges = new Map<string, Edge[]>();
  const sqlCalls = new Map<string, SourceFacts['sqlCalls']>();
  const unresolved: Edge[] = [];
  for (const file of files) {
    const facts = scanSource(fs.readFileSync(path.join(root, file), 'utf8'));
    const list: Edge[] = [];
    for (const ref of facts.imports) {
      if (ref.specifier === null) continue; // computed: registry.ts loading plugins by folder
      if (ref.specifier.startsWith('.') || ref.specifier.startsWith('/')) {
        const to = resolveRelative(root, file, ref.specifier);
        const edge = { from: file, to: to ?? ref.specifier, line: ref.line, typeOnly: ref.typeOnly, internal: to !== null };
        if (to === null) unresolved.push(edge);
        else list.push(edge);
      } else {
        list.push({ from: file, to: ref.specifier, line: ref.line, typeOnly: ref.typeOnly, internal: false });
      }
    }
    edges.set(file, list);
    if (facts.sqlCalls.length > 0) sqlCalls.set(file, facts.sqlCalls);
  }
  return { root, files, edges, sqlCalls, unresolved };
}

// ---------------------------------------------------------------------------------------------
// Checks.

export interface Violation {
  rule: Rule;
  file: string;
  line: number;
  /** What is imported (or called), as printed after `imports` (or `calls`). */
  target: string;
  /** The target is a SQL call, not an import. */
  call?: true;
  /** Extra detail: the cycle's path, the way policy reaches I/O. */
  detail?: string;
}

const under = (file: string, dir: string): boolean => file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
const inGraph = (file: string): boolean => GRAPH_DIRS.some((d) => under(file, d));

/** Every strongly connected component of two or more modules (or a module importing itself). */
function cycles(graph: Graph): string[][] {
  const nodes = graph.files.filter(inGraph);
  const succ = (f: string): string[] => (graph.edges.get(f) ?? []).filter((e) => e.internal && inGraph(e.to)).map((e) => e.to);
  // Tarjan, iteratively, so a deep chain can't overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; next: string[]; i: number }[] = [];
    const enter = (v: string): void => {
      index.set(v, counter);
      low.set(v, counter);
      counter++;
      stack.push(v);
      onStack.add(v);
      work.push({ node: v, next: succ(v), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.i < frame.next.length) {
        const w = frame.next[frame.i++] as string;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(w) as number));
        continue;
      }
      work.pop();
      const v = frame.node;
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(v) as number));
      if (low.get(v) === index.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || succ(v).includes(v)) out.push(scc.sort());
      }
    }
  }
  return out;
}

/** The shortest cycle through `start` inside `scc`, as a list of edges. */
function shortestCycle(graph: Graph, scc: Set<string>, start: string): Edge[] {
  const prev = new Map<string, Edge>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as string;
    for (const e of graph.edges.get(v) ?? []) {
      if (!e.internal || !scc.has(e.to)) continue;
      if (e.to === start) {
        const path: Edge[] = [e];
        let at = v;
        while (at !== start) {
          const p = prev.get(at) as Edge;
          path.unshift(p);
          at = p.from;
        }
        return path;
      }
      if (!prev.has(e.to)) {
        prev.set(e.to, e);
        queue.push(e.to);
      }
    }
  }
  return [];
}

export function check(graph: Graph): Violation[] {
  const out: Violation[] = [];
  const edgesOf = (f: string): Edge[] => graph.edges.get(f) ?? [];

  for (const e of graph.unresolved) {
    out.push({ rule: RULES.resolvable, file: e.from, line: e.line, target: e.to });
  }

  for (const scc of cycles(graph)) {
    const set = new Set(scc);
    const cycle = shortestCycle(graph, set, scc[0] as string);
    const first = cycle[0] as Edge;
    const pathText = [...cycle.map((e) => `${e.from}:${e.line}${e.typeOnly ? ' (type)' : ''}`), first.from].join(' → ');
    const rest = scc.length > cycle.length ? `; the knot holds ${scc.length} modules: ${scc.join(', ')}` : '';
    out.push({ rule: RULES.noCycle, file: first.from, line: first.line, target: first.to, detail: `cycle ${pathText}${rest}` });
  }

  for (const file of graph.files) {
    for (const e of edgesOf(file)) {
      const before = out.length;
      const toSsh = e.internal && under(e.to, 'src/ssh');
      if (toSsh && under(file, 'plugins')) {
        out.push({ rule: RULES.pluginsNoSsh, file, line: e.line, target: e.to });
      } else if (toSsh && under(file, 'src') && !under(file, 'src/ssh') && !COMPOSITION_ROOT.includes(file)) {
        out.push({ rule: RULES.sshOnlyFromRoot, file, line: e.line, target: e.to });
      }
      if (!e.internal && externalName(e.to) === 'better-sqlite3' && !under(file, 'src/store')) {
        out.push({ rule: RULES.sqlOnlyInStore, file, line: e.line, target: e.to });
      }
      if (e.internal && e.to === STORE_INSPECT && inGraph(file) && !under(file, 'src/store')) {
        out.push({ rule: RULES.storeInspectOnlyTests, file, line: e.line, target: e.to });
      }
      // Type-only imports count: a type the kernel needs from above belongs in the kernel.
      if (under(file, 'src/kernel') && (e.internal ? !under(e.to, 'src/kernel') : !isBuiltin(e.to) && !KERNEL_PACKAGES.has(externalName(e.to)))) {
        out.push({ rule: RULES.kernelIsBottom, file, line: e.line, target: e.to });
      }
      if (under(file, 'src/policy') && e.internal && IO_LAYERS.some((l) => e.to.startsWith(l))) {
        out.push({ rule: RULES.policyNoIo, file, line: e.line, target: e.to });
      }
      const from = layerOf(file);
      const to = e.internal ? layerOf(e.to) : null;
      // Only when no sharper rule (plugins-no-ssh, kernel-is-bottom, policy-no-io…) named this edge already.
      if (from && to && from.folder !== to.folder && to.index >= from.index && out.length === before) {
        out.push({ rule: RULES.layerOrder, file, line: e.line, target: e.to, detail: `${from.folder} (layer ${from.index}) may not import ${to.folder} (layer ${to.index})` });
      }
    }
    if (!under(file, 'src/store')) {
      for (const c of graph.sqlCalls.get(file) ?? []) {
        out.push({ rule: RULES.sqlOnlyInStore, file, line: c.line, target: `.${c.call}(…)`, call: true });
      }
    }
  }

  // policy-no-io, transitively over run-time edges: a pure-looking helper that opens a file
  // would make every decision that imports it do I/O.
  for (const file of graph.files.filter((f) => under(f, 'src/policy'))) {
    const via = new Map<string, Edge>();
    const queue = [file];
    const seen = new Set(queue);
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q] as string;
      for (const e of edgesOf(v)) {
        if (e.typeOnly) continue;
        if (!e.internal) {
          if (!IO_MODULES.has(externalName(e.to))) continue;
          const chain: string[] = [];
          for (let at = v; at !== file; at = (via.get(at) as Edge).from) chain.unshift(at);
          const first = via.get(chain[0] ?? '') ?? e;
          const detail = chain.length > 0 ? `through ${chain.join(' → ')}` : undefined;
          out.push({ rule: RULES.policyNoIo, file, line: first.line, target: e.to, ...(detail ? { detail } : {}) });
          continue;
        }
        if (!seen.has(e.to)) {
          seen.add(e.to);
          via.set(e.to, e);
          queue.push(e.to);
        }
      }
    }
  }

  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.id.localeCompare(b.rule.id));
}

/** `file:line imports X: rule (why)`, with the cycle or chain after it. */
export function formatViolation(v: Violation): string {
  const detail = v.detail ? ` — ${v.detail}` : '';
  return `${v.file}:${v.line} ${v.call ? 'calls' : 'imports'} ${v.target}: ${v.rule.id} (${v.rule.why})${detail}`;
}

export function checkRepository(root: string = REPO_ROOT): Violation[] {
  return check(buildGraph(root));
}
