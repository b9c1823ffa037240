#!/usr/bin/env node
// The one test command: build, type-check, lint, then the lanes: unit, integration, desktop VS Code
// extension host, real VS Code (code-server). Each lane prints `<lane>: N passed, N failed`; the
// output ends with exactly one line `N passed, N failed`, the total.
//   node test/run-all.mjs                      everything (`npm test`)
//   node test/run-all.mjs --only unit          in-process tests, no ORT session, no child process (`npm run test:unit`)
//   node test/run-all.mjs --only integration   the rest of test/unit's neighbours: test/integration (`npm run test:integration`)
//   node test/run-all.mjs --only host          build, then the desktop VS Code extension-host tests (`npm run test:host`)
//   node test/run-all.mjs --only e2e           build, then the real-VS-Code suites (`npm run test:e2e`)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What prettier keeps formatted (`npm run format` rewrites it). */
const FORMATTED = ['src/**/*.ts', 'test/**/*.{ts,mjs}', 'webview/**/*.ts', '*.js', 'scripts/**/*.{mjs,ts}'];
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const LANES = ['unit', 'integration', 'host', 'e2e'];
if (only !== undefined && !LANES.includes(only)) {
  console.error(`run-all: --only takes one of ${LANES.join(', ')}, got ${only}`);
  process.exit(2);
}
const runs = (lane) => only === undefined || only === lane;
const outDir = path.join(root, 'test-output');
fs.mkdirSync(outDir, { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

/** Runs one lane and prints its own `<lane>: N passed, N failed` line (the totals keep counting). */
async function lane(name, body) {
  const before = { passed, failed, skipped };
  await body();
  const skips = skipped - before.skipped;
  console.log(`\n${name}: ${passed - before.passed} passed, ${failed - before.failed} failed${skips ? `, ${skips} skipped` : ''}`);
}

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
  skipped += c.skipped ?? 0;
  failures.push(...c.failures);
  return true;
}

/**
 * One folder of node:test files in SHARDS processes, each loading its files into one node:test run
 * (test/support/in-process.ts; TEST_SHARDS, default 2): a process per file would pay tsx and
 * the heavy imports ~80 times. The unit lane's shards run with the guard (`--unit`).
 * Output is buffered per shard and printed whole, so shards do not interleave.
 */
async function nodeTests(dir, name) {
  const files = listTests(dir);
  const shards = Math.max(1, Number(process.env.TEST_SHARDS ?? 2));
  console.log(`\n▶ ${name}: ${files.length} files in ${shards} processes`);
  const shardRuns = Array.from({ length: shards }, (_, k) => {
    const mine = files.filter((_, i) => i % shards === k);
    const countsFile = path.join(outDir, `node-test-counts-${name}-${k}.jsonl`);
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
        ...(name === 'unit' ? ['--unit'] : []),
        ...mine,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output, countsFile })));
  });
  for (const { code, output, countsFile } of await Promise.all(shardRuns)) {
    process.stdout.write(output);
    if (!addCounts(countsFile) || (code !== 0 && !failures.length)) {
      failed++;
      failures.push('node:test runner did not report (see output above)');
    }
  }
}

const built = only === 'unit' || only === 'integration' ? true : step('build (esbuild)', process.execPath, ['esbuild.js']);

if (only === undefined) {
  step('type-check (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.']);
  if (fs.existsSync(path.join(root, 'webview/tsconfig.json'))) {
    step('type-check webview (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'webview']);
  }
  step('lint (eslint)', process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
  step('format (prettier --check)', process.execPath, [path.join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', ...FORMATTED]);
}

/** A lane run by its own script, reporting through a counts file it appends one JSON line to. */
function scriptLane(title, script, countsName, whatFailed) {
  const countsFile = path.join(outDir, countsName);
  fs.rmSync(countsFile, { force: true });
  console.log(`\n▶ ${title}`);
  const r = spawnSync(process.execPath, [path.join(root, script), '--counts', countsFile], { cwd: root, stdio: 'inherit' });
  if (!built || !addCounts(countsFile) || (r.status !== 0 && !failures.length)) {
    failed++;
    failures.push(`${whatFailed} did not complete (see output above)`);
  }
}

if (runs('unit')) await lane('unit', () => nodeTests('test/unit', 'unit'));
if (runs('integration')) await lane('integration', () => nodeTests('test/integration', 'integration'));
if (runs('host'))
  await lane('host', () => scriptLane('desktop VS Code extension host (@vscode/test-electron)', 'test/host/run.mjs', 'host-counts.jsonl', 'desktop VS Code extension-host tests'));
if (runs('e2e') && fs.existsSync(path.join(root, 'test/e2e/run.mjs'))) {
  await lane('e2e', () => scriptLane('real VS Code (code-server + Chromium)', 'test/e2e/run.mjs', 'e2e-counts.jsonl', 'real-VS-Code suites'));
}

if (failures.length) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  ✘ ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
