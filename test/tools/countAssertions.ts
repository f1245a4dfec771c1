// `npm run test:count`: runs the whole suite as `npm test` does, counting the assertions every test
// file made (at run time, so a loop's assertions count each time), then prints the total, the tests
// that passed and the total per folder. The figure a test restructuring must keep.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const files = spawnSync('find', ['dist/test', '-name', '*.test.js'], { cwd: root, encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).sort();
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-count-')), 'counts.tsv');
const started = Date.now();
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=4', '--test-reporter=tap', ...files], {
  cwd: root,
  encoding: 'utf8',
  env: {
    ...process.env,
    ASSERT_COUNT_FILE: out,
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${path.join(root, 'dist/test/tools/assertCountRegister.js')}`.trim(),
  },
  maxBuffer: 256 * 1024 * 1024,
});
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const perFolder = new Map<string, number>();
let total = 0;
for (const line of fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n') : []) {
  const [n, file] = line.split('\t');
  if (!n || !file) continue;
  const rel = path.relative(path.join(root, 'dist/test'), file);
  const folder = rel.split(path.sep)[0] ?? '?';
  perFolder.set(folder, (perFolder.get(folder) ?? 0) + Number(n));
  total += Number(n);
}
const summary = /# tests (\d+)[\s\S]*# pass (\d+)[\s\S]*# fail (\d+)/.exec(run.stdout);
console.log(`assertions made: ${total} in ${files.length} files; tests ${summary?.[1] ?? '?'}, pass ${summary?.[2] ?? '?'}, fail ${summary?.[3] ?? '?'}; ${seconds} s`);
for (const [folder, n] of [...perFolder].sort()) console.log(`  ${folder}: ${n}`);
if (run.status !== 0) {
  process.stdout.write(run.stdout.slice(-4000));
  process.exit(1);
}
