// Consistency of the plugin set and of the result codes, checked on the real sources: file name
// equals plugin name, folder equals category, names unique, every option described, and every
// result code the sources use is registered and documented.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../../src/docs/build.js';
import { ERROR_CODES } from '../../../src/kernel/errorCodes.js';
import { CATEGORIES } from '../../../src/osh/define.js';
import { loadPlugins } from '../../../src/osh/registry.js';
import { CODE_PATTERN } from '../../../src/kernel/result.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-registry-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The plugin sources (plugins/<category>/<name>.ts) as `category/name`. */
function pluginSources(): string[] {
  const out: string[] = [];
  for (const c of CATEGORIES) {
    const dir = path.join(REPO_ROOT, 'plugins', c);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.ts')) out.push(`${c}/${f.slice(0, -3)}`);
  }
  return out.sort();
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

test('the real plugin folder loads: every file name is its plugin name and every folder its category', async () => {
  const plugins = await loadPlugins();
  assert.ok(plugins.size >= 2, 'at least help and info');
  const loaded = [...plugins.values()].map((p) => `${p.category}/${p.name}`).sort();
  // Compiled files of a plugin whose source was removed or renamed would still load from dist/.
  assert.deepEqual(loaded, pluginSources(), 'the loaded plugins are exactly the sources under plugins/ (rebuild after renaming one)');
  for (const p of plugins.values()) assert.ok(CATEGORIES.includes(p.category), `${p.name}: category ${p.category}`);
});

test('plugin names are unique, even ignoring case', async () => {
  const names = [...(await loadPlugins()).keys()];
  const lower = names.map((n) => n.toLowerCase());
  const dup = lower.filter((n, i) => lower.indexOf(n) !== i);
  assert.deepEqual(dup, [], `plugin names that differ only by case: ${dup.join(', ')}`);
});

test('every plugin has a summary and every option a description', async () => {
  const missing: string[] = [];
  for (const p of (await loadPlugins()).values()) {
    if (!p.summary?.trim()) missing.push(`${p.name}: summary`);
    for (const [name, d] of Object.entries(p.options)) if (!d.description?.trim()) missing.push(`${p.name} --${name}: description`);
  }
  assert.deepEqual(missing, []);
});

test('loadPlugins refuses a file whose name, folder or name uniqueness disagrees with its declaration', async () => {
  const make = (root: string, files: Record<string, { name: string; category: string }>): string => {
    const dir = path.join(tmp, root);
    for (const [rel, decl] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), `export default { ...${JSON.stringify({ ...decl, summary: 's', options: {} })}, handler() {} };\n`);
    }
    return dir;
  };
  await assert.rejects(loadPlugins(make('name', { 'open/foo.js': { name: 'bar', category: 'open' } })), /open\/foo\.js: declares the name 'bar'/);
  await assert.rejects(loadPlugins(make('cat', { 'open/foo.js': { name: 'foo', category: 'admin' } })), /open\/foo\.js: declares the category 'admin'/);
  await assert.rejects(
    loadPlugins(make('dup', { 'open/foo.js': { name: 'foo', category: 'open' }, 'admin/foo.js': { name: 'foo', category: 'admin' } })),
    /admin\/foo\.js: a plugin named 'foo' exists already/,
  );
  const good = await loadPlugins(make('good', { 'open/foo.js': { name: 'foo', category: 'open' }, 'admin/bar.js': { name: 'bar', category: 'admin' } }));
  assert.deepEqual([...good.keys()].sort(), ['bar', 'foo']);
  fs.mkdirSync(path.join(tmp, 'nodefault', 'open'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'nodefault', 'open', 'x.js'), 'export const x = 1;\n');
  await assert.rejects(loadPlugins(path.join(tmp, 'nodefault')), /open\/x\.js: no default-exported plugin definition/);
});

test('every result code used in src/ and plugins/ is registered and listed in docs/json-api.md', () => {
  // A code is a string literal: 'OK', or OK_/KO_/ERR_ followed by capitals (bare 'KO'/'ERR' are
  // prefixes, not codes).
  const literal = /(['"`])((?:OK|KO|ERR)_[A-Z0-9_]+|OK)\1/g;
  const used = new Map<string, string>();
  for (const file of [...tsFiles(path.join(REPO_ROOT, 'src')), ...tsFiles(path.join(REPO_ROOT, 'plugins'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(literal)) if (!used.has(m[2] as string)) used.set(m[2] as string, path.relative(REPO_ROOT, file));
  }
  assert.ok(used.has('OK') && used.has('ERR_INTERNAL'), 'the scan finds the codes the dispatcher uses');
  const unregistered = [...used].filter(([c]) => !Object.hasOwn(ERROR_CODES, c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(unregistered, [], 'register these codes in src/kernel/errorCodes.ts');

  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'json-api.md'), 'utf8');
  const undocumented = Object.keys(ERROR_CODES).filter((c) => !doc.includes(`\`${c}\``));
  assert.deepEqual(undocumented, [], 'docs/json-api.md does not list these codes: run `npm run docs`');
  for (const c of Object.keys(ERROR_CODES)) assert.match(c, CODE_PATTERN);
});

test('every registered result code is returned somewhere in src/ or plugins/', () => {
  // A code nothing returns would be listed in docs/json-api.md as an answer no script can get.
  // The docs generator's prose (src/docs) names codes in backquotes: it doesn't count as a use.
  const literal = /(['"`])((?:OK|KO|ERR)_[A-Z0-9_]+|OK)\1/g;
  const used = new Set<string>();
  const docsDir = path.join(REPO_ROOT, 'src', 'docs');
  for (const file of [...tsFiles(path.join(REPO_ROOT, 'src')), ...tsFiles(path.join(REPO_ROOT, 'plugins'))]) {
    if (file.startsWith(docsDir + path.sep)) continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(literal)) used.add(m[2] as string);
  }
  assert.deepEqual(
    Object.keys(ERROR_CODES).filter((c) => !used.has(c)),
    [],
    'these codes are registered in src/kernel/errorCodes.ts but never returned',
  );
});
