// What `npm run docs` produces, as data: every generated file and every hand-written file with its
// generated blocks refreshed, keyed by path relative to the repository root. Writing and checking
// both start from this one map, so the staleness test compares exactly what the generator writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyPlugin } from '../osh/define.js';
import { BLOCKS, spliceBlock } from './blocks.js';
import { LEGACY_NAMES } from '../osh/legacyNames.js';
import { oldNamesByPlugin, renderPluginIndex, renderPluginPage, sortedPlugins } from './pluginPage.js';

/** The repository root, from dist/src/docs/ (compiled) — three levels up. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Everything under this folder is generated; files the generator no longer writes are stale. */
export const GENERATED_DIR = 'docs/plugins';

export function expectedDocs(repoRoot: string, plugins: Iterable<AnyPlugin>): Map<string, string> {
  const files = new Map<string, string>();
  const all = sortedPlugins(plugins);
  const oldNames = oldNamesByPlugin(LEGACY_NAMES);
  for (const p of all) files.set(`${GENERATED_DIR}/${p.category}/${p.name}.md`, renderPluginPage(p, oldNames));
  files.set(`${GENERATED_DIR}/README.md`, renderPluginIndex(all, LEGACY_NAMES));
  for (const [file, blocks] of Object.entries(BLOCKS)) {
    let text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
    for (const [id, render] of Object.entries(blocks)) text = spliceBlock(text, id, render(), file);
    files.set(file, text);
  }
  return files;
}

/** Writes the map under outRoot; with prune, removes files under docs/plugins/ it does not hold. */
export function writeDocs(outRoot: string, files: ReadonlyMap<string, string>, opts: { prune: boolean }): { written: string[]; removed: string[] } {
  const written: string[] = [];
  for (const [rel, text] of files) {
    const dest = path.join(outRoot, rel);
    const old = fs.existsSync(dest) ? fs.readFileSync(dest, 'utf8') : null;
    if (old === text) continue;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, text);
    written.push(rel);
  }
  const removed: string[] = [];
  if (opts.prune) {
    for (const rel of listFiles(outRoot, GENERATED_DIR)) {
      if (files.has(rel)) continue;
      fs.rmSync(path.join(outRoot, rel));
      removed.push(rel);
    }
  }
  return { written, removed };
}

/** Files under root/dir, as sorted paths relative to root with '/' separators. */
export function listFiles(root: string, dir: string): string[] {
  const base = path.join(root, dir);
  if (!fs.existsSync(base)) return [];
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

export interface StaleFile {
  readonly path: string;
  readonly why: 'missing' | 'differs' | 'not generated';
}

/** How the docs under repoRoot differ from a freshly generated tree under genRoot. */
export function compareDocs(repoRoot: string, genRoot: string, files: ReadonlyMap<string, string>): StaleFile[] {
  const stale: StaleFile[] = [];
  for (const rel of [...files.keys()].sort()) {
    const fresh = fs.readFileSync(path.join(genRoot, rel), 'utf8');
    const have = path.join(repoRoot, rel);
    if (!fs.existsSync(have)) stale.push({ path: rel, why: 'missing' });
    else if (fs.readFileSync(have, 'utf8') !== fresh) stale.push({ path: rel, why: 'differs' });
  }
  for (const rel of listFiles(repoRoot, GENERATED_DIR)) if (!files.has(rel)) stale.push({ path: rel, why: 'not generated' });
  return stale;
}
