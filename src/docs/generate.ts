// `npm run docs`: regenerates docs/plugins/ from the plugin declarations and refreshes the
// generated reference blocks of docs/json-api.md and docs/configuration.md. Deterministic: the
// same declarations always give the same bytes (sorted, no dates), so a test can tell stale docs.
import { loadPlugins } from '../osh/registry.js';
import { REPO_ROOT, expectedDocs, writeDocs } from './build.js';

async function main(): Promise<void> {
  const plugins = await loadPlugins();
  const files = expectedDocs(REPO_ROOT, plugins.values());
  const { written, removed } = writeDocs(REPO_ROOT, files, { prune: true });
  for (const f of written) process.stdout.write(`wrote   ${f}\n`);
  for (const f of removed) process.stdout.write(`removed ${f}\n`);
  process.stdout.write(`docs: ${plugins.size} plugins, ${files.size} files checked, ${written.length} written, ${removed.length} removed\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`docs: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
