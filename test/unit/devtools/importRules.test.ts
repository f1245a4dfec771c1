// The layer rules (src/devtools/importRules.ts, reading sources with scanImports.ts): the checker on a small tree written to a temp dir,
// with one case of each rule and the look-alikes it must not take for imports, then the real
// repository, which must obey every rule (this is what makes CI refuse a change that breaks one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { buildGraph, check, checkRepository, formatViolation, type Violation } from '../../../src/devtools/importRules.js';
import { scanSource } from '../../../src/devtools/scanImports.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-imports-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(tmp, 'tree-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

const short = (v: Violation): string => `${v.file}:${v.line} ${v.rule.id} ${v.target}`;

test('static, side-effect, re-export and dynamic imports are found, with their lines', () => {
  const facts = scanSource(
    [
      "import fs from 'node:fs';",
      "import './side.js';",
      'import {',
      '  a,',
      "  b as c } from './ab.js';",
      "import * as ns from './ns.js';",
      "export { x } from './x.js';",
      "export * from './all.js';",
      "export * as everything from './all2.js';",
      "const m = await import('./lazy.js');",
      'const n = await import(pathOf(name));',
      'const u = import.meta.url;',
    ].join('\n'),
  );
  assert.deepEqual(
    facts.imports.map((i) => [i.specifier, i.line, i.kind]),
    [
      ['node:fs', 1, 'static'],
      ['./side.js', 2, 'static'],
      ['./ab.js', 3, 'static'],
      ['./ns.js', 6, 'static'],
      ['./x.js', 7, 'export'],
      ['./all.js', 8, 'export'],
      ['./all2.js', 9, 'export'],
      ['./lazy.js', 10, 'dynamic'],
      [null, 11, 'dynamic'],
    ],
  );
});

test('type-only imports are marked as such, mixed ones are not', () => {
  const facts = scanSource(
    [
      "import type { A } from './1.js';",
      "import { type A, type B as C } from './2.js';",
      "import { type A, b } from './3.js';",
      "import D, { type A } from './4.js';",
      "import { type } from './5.js';",
      "export type { A } from './6.js';",
      "export { type A, type B } from './7.js';",
      "type M = typeof import('./8.js');",
    ].join('\n'),
  );
  assert.deepEqual(
    facts.imports.map((i) => [i.specifier, i.typeOnly]),
    [
      ['./1.js', true],
      ['./2.js', true],
      ['./3.js', false],
      ['./4.js', false],
      ['./5.js', false],
      ['./6.js', true],
      ['./7.js', true],
      ['./8.js', true],
    ],
  );
});

test('imports written in comments, strings, templates and regexes are not imports', () => {
  const facts = scanSource(
    [
      "// import { x } from './c1.js';",
      "/* import('./c2.js')",
      "   export * from './c3.js' */",
      'const s = "import x from \'./s1.js\'";',
      "const t = 'it\\'s import(\"./s2.js\")';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text fed to the scanner, a template written inside a string on purpose
      "const u = `import x from './t1.js' ${`nested ${'import(\"./t2.js\")'}`} import('./t3.js')`;",
      "const r = /import '.\\/r1.js'/g;",
      'const d = a / b / c;',
      "const o = { import: 'x' }, p = obj.import('./m1.js');",
      "import real from './real.js';",
    ].join('\n'),
  );
  assert.deepEqual(
    facts.imports.map((i) => [i.specifier, i.line]),
    [['./real.js', 10]],
  );
});

test('SQL calls: prepare and pragma on anything, exec and transaction on a database handle', () => {
  const facts = scanSource(
    [
      "db.prepare('SELECT 1').get();",
      "store.db.prepare<[number]>('SELECT ?');",
      "db.pragma('foreign_keys');",
      "db.exec('DELETE FROM x');",
      '/x/.exec(s); re.exec(s); client.exec(cmd);',
      "// db.prepare('in a comment')",
      "const s = 'db.prepare(1)';",
    ].join('\n'),
  );
  assert.deepEqual(
    facts.sqlCalls.map((c) => [c.line, c.call]),
    [
      [1, 'prepare'],
      [2, 'prepare'],
      [3, 'pragma'],
      [4, 'exec'],
    ],
  );
});

test('each rule, on a fixture tree', () => {
  const root = tree({
    // A cycle through a type-only import, and one through a dynamic import.
    'src/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'src/b.ts': "import type { A } from './a.js';\nexport const b = 1;\n",
    'src/c.ts': "export async function c() { return import('./d.js'); }\n",
    'src/d.ts': "import { c } from './c.js';\nexport const d = c;\n",
    // Not a cycle: the import back is only in a comment and in a string.
    'src/e.ts': "import { f } from './f.js';\nexport const e = f;\n",
    'src/f.ts': "// import { e } from './e.js';\nexport const f = \"import { e } from './e.js'\";\n",
    // The adapter, the composition root that may import it, and modules that may not.
    'src/ssh/server.ts': "import { e } from '../e.js';\nexport const server = e;\n",
    'src/cli/main.ts': "import { server } from '../ssh/server.js';\nexport default server;\n",
    'src/command/run.ts': "\n\nimport { server } from '../ssh/server.js';\nexport default server;\n",
    'plugins/open/p.ts': "import type { server } from '../../src/ssh/server.js';\nexport default 1;\n",
    // SQL in the store is fine; anywhere else it is not.
    'src/store/db.ts': "import Database from 'better-sqlite3';\nexport const db = new Database(':memory:');\ndb.prepare('SELECT 1');\n",
    'src/accounts/q.ts': "import type Database from 'better-sqlite3';\nexport const q = (db: Database.Database) => db.prepare('SELECT 1');\n",
    'bench/x.ts': "import { db } from '../src/store/db.js';\ndb.exec('VACUUM');\n",
    // The store's SQLite handle: the store itself, tests and the bench may reach it; src/ and plugins/ may not, even for a type.
    'src/store/inspect.ts': 'export const sqliteOf = (store: object) => store;\n',
    'src/store/store.ts': "import { sqliteOf } from './inspect.js';\nexport const store = sqliteOf;\n",
    'src/accounts/peek.ts': "\nimport { sqliteOf } from '../store/inspect.js';\nexport const peek = sqliteOf;\n",
    'plugins/open/peek.ts': "import type { sqliteOf } from '../../src/store/inspect.js';\nexport default 1;\n",
    'bench/peek.ts': "import { sqliteOf } from '../src/store/inspect.js';\nexport const peek = sqliteOf;\n",
    // Policy reaching I/O, directly and through a helper; a type-only import of the helper is fine.
    'src/policy/decide.ts': "import { read } from '../util/read.js';\nimport type { db } from '../store/db.js';\nimport net from 'node:net';\nexport const decide = read;\n",
    'src/policy/pure.ts': "import type { read } from '../util/read.js';\nexport const pure = 1;\n",
    'src/util/read.ts': "import fs from 'node:fs';\nexport const read = fs.readFileSync;\n",
    'src/g.ts': "import { nothing } from './missing.js';\n",
    // Layers: the store reaching up to access, and two folders of one layer importing each other.
    'src/store/q2.ts': "import { x } from '../access/x.js';\nexport const q2 = x;\n",
    'src/access/x.ts': 'export const x = 1;\n',
    'src/keys/k.ts': "import type { C } from '../config/c.js';\nexport type K = C;\n",
    'src/config/c.ts': 'export type C = 1;\n',
    // The kernel: its own files, Node's built-ins and pino are fine; anything above it is not, even a type.
    'src/kernel/log.ts':
      "import { pino } from 'pino';\nimport type { Readable } from 'node:stream';\nimport os from 'os';\nimport { R } from './result.js';\nexport const l = 1;\n",
    'src/kernel/result.ts': "import type { db } from '../store/db.js';\nimport ipaddr from 'ipaddr.js';\nimport { e } from '../e.js';\nexport const R = [ipaddr, e];\n",
  });
  const v = check(buildGraph(root));
  assert.deepEqual(v.map(short), [
    'bench/x.ts:2 sql-only-in-store .exec(…)',
    'plugins/open/p.ts:1 plugins-no-ssh src/ssh/server.ts',
    'plugins/open/peek.ts:1 store-inspect-only-tests src/store/inspect.ts',
    'src/a.ts:1 no-cycle src/b.ts',
    'src/accounts/peek.ts:2 store-inspect-only-tests src/store/inspect.ts',
    'src/accounts/q.ts:1 sql-only-in-store better-sqlite3',
    'src/accounts/q.ts:2 sql-only-in-store .prepare(…)',
    'src/c.ts:1 no-cycle src/d.ts',
    'src/command/run.ts:3 ssh-only-from-root src/ssh/server.ts',
    'src/g.ts:1 resolvable ./missing.js',
    'src/kernel/result.ts:1 kernel-is-bottom src/store/db.ts',
    'src/kernel/result.ts:2 kernel-is-bottom ipaddr.js',
    'src/kernel/result.ts:3 kernel-is-bottom src/e.ts',
    'src/keys/k.ts:1 layer-order src/config/c.ts',
    'src/policy/decide.ts:1 policy-no-io node:fs',
    'src/policy/decide.ts:2 policy-no-io src/store/db.ts',
    'src/policy/decide.ts:3 policy-no-io node:net',
    'src/store/q2.ts:1 layer-order src/access/x.ts',
  ]);
  const layer = v.find((x) => x.file === 'src/store/q2.ts');
  assert.match(
    formatViolation(layer as Violation),
    /^src\/store\/q2\.ts:1 imports src\/access\/x\.ts: layer-order \(.*\) — src\/store \(layer 3\) may not import src\/access \(layer 7\)$/,
  );
  const cycle = v.find((x) => x.file === 'src/a.ts');
  assert.ok(cycle);
  assert.equal(
    formatViolation(cycle),
    'src/a.ts:1 imports src/b.ts: no-cycle (arrows point down the layers and never back; a cycle makes load order decide what is undefined at start-up) — cycle src/a.ts:1 → src/b.ts:1 (type) → src/a.ts',
  );
  const viaHelper = v.find((x) => x.target === 'node:fs');
  assert.match(formatViolation(viaHelper as Violation), /^src\/policy\/decide\.ts:1 imports node:fs: policy-no-io \(.*\) — through src\/util\/read\.ts$/);
  const kernel = v.find((x) => x.file === 'src/kernel/result.ts');
  assert.match(formatViolation(kernel as Violation), /^src\/kernel\/result\.ts:1 imports src\/store\/db\.ts: kernel-is-bottom \(src\/kernel\/ .*\)$/);
  const inspect = v.find((x) => x.file === 'src/accounts/peek.ts');
  assert.match(
    formatViolation(inspect as Violation),
    /^src\/accounts\/peek\.ts:2 imports src\/store\/inspect\.ts: store-inspect-only-tests \(src\/store\/inspect\.ts hands out the SQLite handle /,
  );
  const sql = v.find((x) => x.file === 'bench/x.ts');
  assert.match(formatViolation(sql as Violation), /^bench\/x\.ts:2 calls \.exec\(…\): sql-only-in-store \(/);
});

test('the repository obeys every layer rule', () => {
  const v = checkRepository();
  assert.deepEqual(v.map(formatViolation), []);
});
