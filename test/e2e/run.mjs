#!/usr/bin/env node
// The real-VS-Code tests: installs what is missing, runs the mocha suite inside code-server's Node
// extension host (the extension loaded as a development extension), then packages the .vsix,
// installs it into a fresh code-server and drives the workbench from the palette with Chromium.
// Appends one line {"passed", "failed", "failures"} to the --counts file.
//   node test/e2e/run.mjs --counts test-output/e2e-counts.jsonl
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, extensionHostLine } from './lib/browser.mjs';
import { bundleSuite } from './lib/bundle-suite.mjs';
import { installExtension, startCodeServer } from './lib/code-server.mjs';
import { ensureDebianPackages, ensureNodeModules } from './lib/setup.mjs';
import { runPaletteScript } from './ui/score-from-palette.mjs';

const e2eDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(e2eDir, '../..');
const workDir = path.join(e2eDir, '.work');
const outDir = path.join(root, 'test-output');
const countsArg = process.argv.indexOf('--counts');
const countsFile = countsArg > -1 ? path.resolve(process.argv[countsArg + 1]) : path.join(outDir, 'e2e-counts.jsonl');
const log = (m) => console.log(`[e2e] ${m}`);

const passed = [];
const failed = [];
function record(name, ok, detail) {
  (ok ? passed : failed).push(name);
  console.log(`  ${ok ? '✔' : '✘'} ${name}${!ok && detail ? `\n      ${String(detail).split('\n').slice(0, 8).join('\n      ')}` : ''}`);
}

function writeCounts() {
  fs.mkdirSync(path.dirname(countsFile), { recursive: true });
  fs.appendFileSync(countsFile, `${JSON.stringify({ passed: passed.length, failed: failed.length, failures: failed })}\n`);
}

async function buildSuite() {
  // STEPGRPO_E2E_SUITES=remote-runs,import runs only those suites (a targeted run; npm test runs all).
  const only = process.env.STEPGRPO_E2E_SUITES?.split(',').filter(Boolean);
  const entries = fs.readdirSync(path.join(e2eDir, 'suite')).filter((f) => f === 'index.ts' || (f.endsWith('.e2e.ts') && (!only || only.includes(f.replace(/\.e2e\.ts$/, '')))));
  return bundleSuite(
    root,
    entries.map((f) => path.join(e2eDir, 'suite', f)),
    path.join(workDir, 'out'),
  );
}

/** A fresh workspace folder per run: the tests edit documents. */
function freshWorkspace() {
  const ws = path.join(workDir, 'workspace');
  fs.rmSync(ws, { recursive: true, force: true });
  fs.cpSync(path.join(e2eDir, 'fixtures'), ws, { recursive: true });
  // A tiny Hugging Face model folder for the HF suite (written by the repository's own fixture builder).
  const hf = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'test/hf/write-tiny-model.ts'), path.join(ws, 'models', 'tiny-qwen3')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (hf.status !== 0) throw new Error('could not write the tiny HF model fixture');
  return ws;
}

/**
 * Screenshots and key presses for the extension-host suites, which cannot reach the browser: a
 * suite writes `<name>.png.request` into the folder and waits for `<name>.png.done`; the page is
 * saved as test-output/<name>.png in between (test/e2e/suite/extension.ts `screenshot`). Likewise
 * `<name>.keys.request` (`pressKeys`): the keys are pressed in the Rollout viewer's webview.
 */
function serveScreenshots(page, requestsDir) {
  fs.rmSync(requestsDir, { recursive: true, force: true });
  fs.mkdirSync(requestsDir, { recursive: true });
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const request of fs.readdirSync(requestsDir).filter((f) => f.endsWith('.png.request'))) {
        const name = request.slice(0, -'.request'.length);
        await page.screenshot({ path: path.join(outDir, name) });
        log(`screenshot: ${path.relative(root, path.join(outDir, name))}`);
        fs.renameSync(path.join(requestsDir, request), path.join(requestsDir, `${name}.done`));
      }
      // Key presses into the Rollout viewer's webview (the frame holding #list): `<name>.keys.request` holds the keys as JSON.
      for (const request of fs.readdirSync(requestsDir).filter((f) => f.endsWith('.keys.request'))) {
        const name = request.slice(0, -'.request'.length);
        const keys = JSON.parse(fs.readFileSync(path.join(requestsDir, request), 'utf8'));
        let frame;
        for (const f of page.frames()) if (await f.$('#list').catch(() => null)) frame = f;
        if (frame) {
          await frame.focus('#list');
          for (const key of keys) await page.keyboard.press(key);
        }
        fs.writeFileSync(path.join(requestsDir, request), frame ? '' : 'no webview frame holds #list');
        fs.renameSync(path.join(requestsDir, request), path.join(requestsDir, `${name}.done`));
      }
    } catch (err) {
      log(`screenshot failed: ${err?.message ?? err}`);
    } finally {
      busy = false;
    }
  }, 200);
  return { dispose: () => clearInterval(timer) };
}

async function runExtensionTests(testsEntry, workspace) {
  const extensionsDir = path.join(workDir, 'dev-extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  const resultsFile = path.join(workDir, 'suite-results.json');
  const screenshotRequests = path.join(workDir, 'screenshot-requests');
  const metricsFile = path.join(outDir, 'e2e-metrics.json');
  fs.rmSync(resultsFile, { force: true });
  const server = await startCodeServer({
    e2eDir,
    workDir,
    name: 'suite',
    folder: workspace,
    extensionsDir,
    log,
    env: { STEPGRPO_E2E_RESULTS: resultsFile, STEPGRPO_E2E_METRICS: metricsFile, STEPGRPO_E2E_SCREENSHOTS: screenshotRequests },
  });
  let browser;
  let screenshots;
  try {
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(testsEntry)],
    ];
    browser = await launchChromium();
    const page = await browser.newPage();
    screenshots = serveScreenshots(page, screenshotRequests);
    let exit;
    const exited = new Promise((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code) => exit(code));
    page.on('console', async (m) => {
      const line = await extensionHostLine(m);
      if (
        line &&
        !/^(Resolv|Creating a socket|ChatSessionStore|Updating additional builtin|\[Service Worker\]|No search provider|Started initializing|Completed initializing|Ignoring fetching)/.test(
          line,
        )
      )
        console.log(`    ${line}`);
    });
    const started = Date.now();
    await page.goto(`${server.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 240_000))]);
    log(`extension-host suite finished (${code}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    recordSuite(resultsFile, metricsFile, `exit ${code}; no results file\n${server.output().slice(-3000)}`);
  } finally {
    screenshots?.dispose();
    await browser?.close().catch(() => {});
    server.stop();
  }
}

/** The suite's own report (written by suite/index.ts), one record per mocha test. */
function recordSuite(resultsFile, metricsFile, whyMissing) {
  if (!fs.existsSync(resultsFile)) {
    record('extension-host suite ran and reported', false, whyMissing);
    return;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  for (const name of results.passed) record(`extension host: ${name}`, true);
  for (const f of results.failed) record(`extension host: ${f.name}`, false, f.error);
  if (fs.existsSync(metricsFile)) log(`activation: ${JSON.parse(fs.readFileSync(metricsFile, 'utf8')).activationMs.toFixed(1)} ms`);
}

/**
 * The same suite in a desktop VS Code through @vscode/test-electron's runTests, when
 * VSCODE_EXECUTABLE names one (Electron cannot be downloaded here, so code-server is the default).
 */
async function runExtensionTestsInElectron(executable, testsEntry, workspace) {
  const { runTests } = await import(path.join(root, 'node_modules/@vscode/test-electron/out/index.js'));
  const resultsFile = path.join(workDir, 'suite-results.json');
  const metricsFile = path.join(outDir, 'e2e-metrics.json');
  fs.rmSync(resultsFile, { force: true });
  log(`extension-host suite in ${executable} (@vscode/test-electron)`);
  let outcome = 'exit 0';
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: testsEntry,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${path.join(workDir, 'electron-user-data')}`],
      extensionTestsEnv: { STEPGRPO_E2E_RESULTS: resultsFile, STEPGRPO_E2E_METRICS: metricsFile },
    });
  } catch (err) {
    outcome = String(err?.message ?? err);
  }
  recordSuite(resultsFile, metricsFile, `${outcome}; no results file`);
}

/** Entry names of a zip archive, read from its central directory. */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return names;
}

function packageVsix() {
  const vsix = path.join(workDir, 'stepgrpo-studio-linux-x64.vsix');
  fs.rmSync(vsix, { force: true });
  const build = spawnSync(process.execPath, ['esbuild.js', '--production'], { cwd: root, stdio: 'inherit' });
  const pack = build.status === 0 ? spawnSync(process.execPath, ['scripts/package.mjs', '--out', vsix], { cwd: root, stdio: 'inherit' }) : build;
  // Leave a development build behind for whoever runs the suite next.
  spawnSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' });
  const ok = pack.status === 0 && fs.existsSync(vsix);
  record('package: npm run package builds a linux-x64 .vsix', ok, `exit ${pack.status}`);
  if (!ok) return undefined;
  const entries = zipEntries(vsix);
  // Open CLI Terminal's `stepgrpo` runs this bundle: a .vsix user has no other CLI.
  record('package: the .vsix carries the stepgrpo CLI (dist/cli.js)', entries.includes('extension/dist/cli.js'), entries.filter((n) => n.startsWith('extension/dist/')).join('\n'));
  const natives = entries.filter((n) => n.endsWith('.node') || /\.(so|dll|dylib)(\.|$)/.test(n));
  // onnxruntime-node's and sharp's (libvips) binaries, for this one platform.
  const linuxX64 = (n) => n.includes('onnxruntime-node/bin/napi-v6/linux/x64/') || /node_modules\/@img\/sharp-(libvips-)?linux-x64\//.test(n);
  record(
    'package: the .vsix carries onnxruntime-node and sharp binaries for linux-x64 only',
    natives.some((n) => n.includes('onnxruntime')) && natives.some((n) => n.includes('sharp-linux-x64')) && natives.every(linuxX64),
    natives.join('\n') || 'no native binaries in the .vsix',
  );
  return vsix;
}

async function runUi(vsix, workspace) {
  const extensionsDir = path.join(workDir, 'installed-extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  const installed = installExtension({ e2eDir, workDir, extensionsDir, vsix });
  record('package: the .vsix installs into code-server', installed.ok, installed.output);
  if (!installed.ok) return;
  const server = await startCodeServer({ e2eDir, workDir, name: 'ui', folder: workspace, extensionsDir, log });
  try {
    const checks = await runPaletteScript({ base: server.base, workspace, screenshotDir: outDir, log });
    for (const c of checks) record(`ui: ${c.name}`, c.ok, c.detail);
  } finally {
    server.stop();
  }
}

async function main() {
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(outDir, { recursive: true });
  ensureDebianPackages(log);
  ensureNodeModules(e2eDir, workDir, log);
  if (!fs.existsSync(path.join(root, 'dist/extension.js'))) spawnSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' });
  const testsEntry = await buildSuite();
  if (process.env.VSCODE_EXECUTABLE) await runExtensionTestsInElectron(process.env.VSCODE_EXECUTABLE, testsEntry, freshWorkspace());
  else await runExtensionTests(testsEntry, freshWorkspace());
  // STEPGRPO_E2E_UI=0 skips packaging and the palette-driven UI script (a targeted run).
  if (process.env.STEPGRPO_E2E_UI === '0') return;
  const vsix = packageVsix();
  if (vsix) await runUi(vsix, freshWorkspace());
}

main()
  .catch((err) => record('real-VS-Code harness', false, err?.stack ?? err))
  .finally(() => {
    writeCounts();
    console.log(`[e2e] ${passed.length} passed, ${failed.length} failed`);
    process.exit(failed.length ? 1 : 0);
  });
