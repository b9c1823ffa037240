#!/usr/bin/env node
// The desktop VS Code lane: the suite in test/host/suite runs inside a downloaded VS Code's extension
// host through @vscode/test-electron's runTests (the extension loaded as a development extension).
// Where VS Code can be neither found in .vscode-test/ nor downloaded (offline), the lane is skipped
// with the reason printed and its tests counted as skipped. Appends one line
// {"passed", "failed", "skipped", "failures"} to the --counts file.
//   node test/host/run.mjs --counts test-output/host-counts.jsonl
//   VSCODE_EXECUTABLE=/path/to/code node test/host/run.mjs   (a VS Code already installed)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from '../e2e/lib/bundle-suite.mjs';
import { ensureNodeModules } from '../e2e/lib/setup.mjs';

const hostDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(hostDir, '../..');
const e2eDir = path.join(root, 'test/e2e');
const workDir = path.join(hostDir, '.work');
/** @vscode/test-electron's own default cache folder, named so the check below looks where it will. */
const cachePath = path.join(root, '.vscode-test');
/** The oldest VS Code the extension supports (engines.vscode), as the code-server lane uses. */
const VSCODE_VERSION = '1.99.3';
const RELEASES_URL = 'https://update.code.visualstudio.com/api/releases/stable';
const countsArg = process.argv.indexOf('--counts');
const countsFile = countsArg > -1 ? path.resolve(process.argv[countsArg + 1]) : path.join(root, 'test-output', 'host-counts.jsonl');
const log = (m) => console.log(`[host] ${m}`);

function writeCounts(counts) {
  fs.mkdirSync(path.dirname(countsFile), { recursive: true });
  fs.appendFileSync(countsFile, `${JSON.stringify(counts)}\n`);
}

const suiteFiles = () =>
  fs
    .readdirSync(path.join(hostDir, 'suite'))
    .filter((f) => f.endsWith('.host.ts'))
    .map((f) => path.join(hostDir, 'suite', f));

/** How many tests the suite declares, so a skipped lane reports them as skipped. */
const declaredTests = () => suiteFiles().reduce((n, f) => n + (fs.readFileSync(f, 'utf8').match(/^\s*test\(/gm)?.length ?? 0), 0);

/** Why VS Code cannot be had here, or undefined when it can (given, cached, or downloadable). */
async function whyNoVsCode() {
  const given = process.env.VSCODE_EXECUTABLE;
  if (given) return fs.existsSync(given) ? undefined : `VSCODE_EXECUTABLE=${given} does not exist`;
  if (fs.existsSync(cachePath) && fs.readdirSync(cachePath).some((d) => d.startsWith('vscode-') && d.endsWith(VSCODE_VERSION))) return undefined;
  try {
    const res = await fetch(RELEASES_URL, { signal: AbortSignal.timeout(8000) });
    return res.ok ? undefined : `${RELEASES_URL} answered ${res.status}, so VS Code ${VSCODE_VERSION} cannot be downloaded`;
  } catch (err) {
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(err);
    return `no network to download VS Code ${VSCODE_VERSION} (${RELEASES_URL}: ${cause}) and none cached in .vscode-test/; set VSCODE_EXECUTABLE to use an installed one`;
  }
}

/** Desktop VS Code needs a display; on a headless Linux the lane reruns itself under xvfb-run. */
function needsXvfb() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

async function runSuite() {
  ensureNodeModules(e2eDir, path.join(e2eDir, '.work'), log);
  const testsEntry = await bundleSuite(root, [path.join(e2eDir, 'suite/index.ts'), ...suiteFiles()], path.join(workDir, 'out'));
  const workspace = path.join(workDir, 'workspace');
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.mkdirSync(workspace, { recursive: true });
  const resultsFile = path.join(workDir, 'suite-results.json');
  fs.rmSync(resultsFile, { force: true });
  const { runTests } = await import(path.join(root, 'node_modules/@vscode/test-electron/out/index.js'));
  let outcome = 'exit 0';
  try {
    await runTests({
      ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: VSCODE_VERSION, cachePath }),
      extensionDevelopmentPath: root,
      extensionTestsPath: testsEntry,
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${path.join(workDir, 'user-data')}`],
      extensionTestsEnv: { STEPGRPO_E2E_RESULTS: resultsFile, STEPGRPO_MOCHA: createRequire(path.join(e2eDir, 'package.json')).resolve('mocha') },
    });
  } catch (err) {
    outcome = String(err?.message ?? err);
  }
  if (!fs.existsSync(resultsFile)) {
    writeCounts({ passed: 0, failed: 1, failures: [`desktop VS Code extension host: ${outcome}; no results file`] });
    return;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  for (const name of results.passed) console.log(`  ✔ ${name}`);
  for (const f of results.failed) console.log(`  ✘ ${f.name}\n      ${f.error.split('\n').slice(0, 8).join('\n      ')}`);
  writeCounts({ passed: results.passed.length, failed: results.failed.length, failures: results.failed.map((f) => `extension host: ${f.name}`) });
}

const reason = await whyNoVsCode();
if (reason) {
  const skipped = declaredTests();
  log(`skipped ${skipped} tests: ${reason}`);
  writeCounts({ passed: 0, failed: 0, skipped, failures: [] });
} else if (needsXvfb()) {
  const xvfb = spawnSync('xvfb-run', ['-a', process.execPath, fileURLToPath(import.meta.url), '--counts', countsFile], { stdio: 'inherit' });
  if (xvfb.error) {
    log(`skipped ${declaredTests()} tests: no display (DISPLAY unset) and no xvfb-run to provide one (${xvfb.error.message})`);
    writeCounts({ passed: 0, failed: 0, skipped: declaredTests(), failures: [] });
  }
  process.exitCode = xvfb.status ?? 0;
} else {
  await runSuite();
}
