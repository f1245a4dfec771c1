// Finds every plugin under plugins/<category>/<name>.js at start-up. A file whose name or folder
// disagrees with its declaration stops the server: the folder is the permission tier, so a
// mismatch would be a silent privilege change.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATEGORIES, type AnyPlugin } from './define.js';

export const DEFAULT_PLUGIN_DIR = fileURLToPath(new URL('../../plugins/', import.meta.url));

export async function loadPlugins(dir: string = DEFAULT_PLUGIN_DIR): Promise<Map<string, AnyPlugin>> {
  const plugins = new Map<string, AnyPlugin>();
  for (const category of CATEGORIES) {
    const folder = path.join(dir, category);
    if (!fs.existsSync(folder)) continue;
    for (const file of fs.readdirSync(folder).sort()) {
      if (!file.endsWith('.js')) continue;
      const mod = (await import(pathToFileURL(path.join(folder, file)).href)) as { default?: AnyPlugin };
      const p = mod.default;
      const where = `${category}/${file}`;
      if (!p || typeof p.handler !== 'function') throw new Error(`${where}: no default-exported plugin definition`);
      if (`${p.name}.js` !== file) throw new Error(`${where}: declares the name '${p.name}'`);
      if (p.category !== category) throw new Error(`${where}: declares the category '${p.category}'`);
      if (plugins.has(p.name)) throw new Error(`${where}: a plugin named '${p.name}' exists already`);
      plugins.set(p.name, p);
    }
  }
  return plugins;
}
