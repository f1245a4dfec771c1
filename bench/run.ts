// `npm run bench [-- SECTION…]`: runs every section under bench/sections/ in file-name order (or
// only those named), then prints one table. Progress goes to stderr, the table to stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sshVersion } from './lib/openssh.js';
import { renderTable, type SectionRows } from './lib/table.js';
import type { BenchContext, BenchSection } from './lib/types.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECTIONS_DIR = fileURLToPath(new URL('./sections/', import.meta.url));

async function loadSections(): Promise<BenchSection[]> {
  const out: BenchSection[] = [];
  for (const file of fs
    .readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const mod = (await import(pathToFileURL(path.join(SECTIONS_DIR, file)).href)) as { default?: BenchSection };
    const s = mod.default;
    if (!s || typeof s.run !== 'function' || typeof s.name !== 'string') throw new Error(`bench/sections/${file}: no default-exported section`);
    out.push(s);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const all = await loadSections();
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !all.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')}; have: ${all.map((s) => s.name).join(', ')}\n`);
    return 2;
  }
  const sections = wanted.length > 0 ? all.filter((s) => wanted.includes(s.name)) : all;
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const cleanups: (() => void | Promise<void>)[] = [];
  const cleanUp = async (): Promise<void> => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn?.();
      } catch {
        // Best effort: a child that already exited is fine.
      }
    }
  };
  const onSignal = (): void => {
    void cleanUp().finally(() => {
      fs.rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const cpus = os.cpus();
  process.stdout.write(
    `Gatehouse bench: node ${process.version}, ${await sshVersion()}, ${cpus.length} CPU (${cpus[0]?.model.trim() ?? 'unknown'}), ${os.platform()} ${os.release()}\n\n`,
  );
  const results: SectionRows[] = [];
  let failed = false;
  for (const s of sections) {
    const sectionDir = path.join(tmpDir, s.name);
    fs.mkdirSync(sectionDir, { recursive: true });
    const ctx: BenchContext = {
      tmpDir: sectionDir,
      repoRoot: REPO_ROOT,
      log: (msg) => process.stderr.write(`[${s.name}] ${msg}\n`),
      onCleanup: (fn) => cleanups.push(fn),
    };
    ctx.log(s.description);
    const started = performance.now();
    try {
      results.push({ section: s.name, rows: await s.run(ctx) });
    } catch (e) {
      failed = true;
      const msg = e instanceof Error ? e.message : String(e);
      ctx.log(`failed: ${msg}`);
      results.push({ section: s.name, rows: [{ name: 'section failed', value: null, unit: '', note: msg.split('\n')[0] ?? '' }] });
    } finally {
      await cleanUp();
    }
    ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  fs.rmSync(tmpDir, { recursive: true, force: true });
  process.stdout.write(renderTable(results));
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
