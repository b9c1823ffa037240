#!/usr/bin/env node
// The one test command: build, type-check, lint, unit + integration tests (node:test through tsx),
// then the real-VS-Code suites when present. Ends with exactly one line `N passed, N failed`.
//   node test/run-all.mjs               everything (`npm test`)
//   node test/run-all.mjs --only unit   unit + integration tests only: the fast loop (`npm run test:unit`)
//   node test/run-all.mjs --only e2e    build, then the real-VS-Code suites (`npm run test:e2e`)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What prettier keeps formatted (`npm run format` rewrites it). */
const FORMATTED = ['src/**/*.ts', 'test/**/*.{ts,mjs}', 'webview/**/*.ts', '*.js', 'scripts/**/*.{mjs,ts}'];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const outDir = path.join(root, 'test-output');
fs.mkdirSync(outDir, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

function step(name, cmd, args, opts = {}) {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  const ok = r.status === 0;
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
  return ok;
}

function listTests(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true })
    .filter((f) => /\.test\.ts$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

function addCounts(file) {
  if (!fs.existsSync(file)) return false;
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  if (lines.length === 0) return false;
  const c = JSON.parse(lines[lines.length - 1]);
  passed += c.passed;
  failed += c.failed;
  failures.push(...c.failures);
  return true;
}

/**
 * Unit + integration tests in SHARDS processes, each loading its files into one node:test run
 * (test/support/in-process.ts; TEST_SHARDS, default 2): a process per file would pay tsx and
 * the heavy imports ~80 times.
 * Output is buffered per shard and printed whole, so shards do not interleave.
 */
async function nodeTests() {
  const files = [...listTests('test/unit'), ...listTests('test/integration')];
  const shards = Math.max(1, Number(process.env.TEST_SHARDS ?? 2));
  console.log(`\n▶ unit + integration: ${files.length} files in ${shards} processes`);
  const runs = Array.from({ length: shards }, (_, k) => {
    const mine = files.filter((_, i) => i % shards === k);
    const countsFile = path.join(outDir, `node-test-counts-${k}.jsonl`);
    fs.rmSync(countsFile, { force: true });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./test/support/count-reporter.mjs',
        `--test-reporter-destination=${countsFile}`,
        'test/support/in-process.ts',
        ...mine,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, countsFile })));
  });
  for (const { code, output, countsFile } of await Promise.all(runs)) {
    process.stdout.write(output);
    if (!addCounts(countsFile) || (code !== 0 && !failures.length)) {
      failed++;
      failures.push('node:test runner did not report (see output above)');
    }
  }
}

const built = only === 'unit' ? true : step('build (esbuild)', process.execPath, ['esbuild.js']);

if (only === undefined) {
  step('type-check (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
  if (fs.existsSync(path.join(root, 'webview/tsconfig.json'))) {
    step('type-check webview (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'webview']);
  }
  step('lint (eslint)', process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
  step('format (prettier --check)', process.execPath, [path.join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', ...FORMATTED]);
}

if (only !== 'e2e') await nodeTests();

if (only !== 'unit') {
  const e2e = path.join(root, 'test/e2e/run.mjs');
  if (fs.existsSync(e2e)) {
    const countsFile = path.join(outDir, 'e2e-counts.jsonl');
    fs.rmSync(countsFile, { force: true });
    console.log('\n▶ real VS Code (code-server + Chromium)');
    const r = spawnSync(process.execPath, [e2e, '--counts', countsFile], { cwd: root, stdio: 'inherit' });
    if (!built || !addCounts(countsFile) || (r.status !== 0 && !failures.length)) {
      failed++;
      failures.push('real-VS-Code suites did not complete (see output above)');
    }
  }
}

if (failures.length) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  ✘ ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
