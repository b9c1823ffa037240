// Installs what the real-VS-Code harness needs, each part skipped when already present:
// Debian packages (chromium, ripgrep, kerberos headers), then this folder's pinned npm packages
// (code-server 4.99.4 = VS Code 1.99.3, playwright-core, mocha, @vscode/test-electron, vsce).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const DEBIAN = [
  { pkg: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { pkg: 'ripgrep', present: () => fs.existsSync('/usr/bin/rg') },
  { pkg: 'libkrb5-dev', present: () => spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status === 0 },
];

// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall unless this
// archive is already in its cache; Debian's rg stands in for it.
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export function ensureDebianPackages(log) {
  const missing = DEBIAN.filter((d) => !d.present()).map((d) => d.pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing Debian packages ${missing.join(', ')} and not root: apt-get install -y ${missing.join(' ')}`);
  log(`installing Debian packages: ${missing.join(', ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function seedRipgrepCache(tmpDir) {
  const dir = path.join(tmpDir, RIPGREP_CACHE);
  const archive = path.join(dir, RIPGREP_ARCHIVE);
  if (fs.existsSync(archive)) return;
  fs.mkdirSync(dir, { recursive: true });
  const stage = fs.mkdtempSync(path.join(tmpDir, 'rg-'));
  fs.copyFileSync('/usr/bin/rg', path.join(stage, 'rg'));
  fs.chmodSync(path.join(stage, 'rg'), 0o755);
  execFileSync('tar', ['-czf', archive, '-C', stage, 'rg']);
  fs.rmSync(stage, { recursive: true, force: true });
}

/** Hash of what decides the installed tree, so a second run skips npm entirely. */
function manifestHash(e2eDir) {
  const h = crypto.createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) {
    const p = path.join(e2eDir, f);
    if (fs.existsSync(p)) h.update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

export function ensureNodeModules(e2eDir, workDir, log) {
  const stamp = path.join(e2eDir, 'node_modules', '.stepgrpo-e2e-stamp');
  const hash = manifestHash(e2eDir);
  const entry = path.join(e2eDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (fs.existsSync(entry) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
  const tmpDir = path.join(workDir, 'tmp');
  fs.mkdirSync(tmpDir, { recursive: true });
  seedRipgrepCache(tmpDir);
  const hasLock = fs.existsSync(path.join(e2eDir, 'package-lock.json'));
  log(`installing the harness's npm packages (${hasLock ? 'npm ci' : 'npm install'}) in ${e2eDir}`);
  const started = Date.now();
  const r = spawnSync('npm', [hasLock ? 'ci' : 'install', '--unsafe-perm', '--foreground-scripts', '--no-audit', '--no-fund'], {
    cwd: e2eDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      TMPDIR: tmpDir,
      // node-pty's build calls npx; code-server's postinstall refuses to run as root without unsafe-perm.
      npm_config_yes: 'true',
      npm_config_unsafe_perm: 'true',
      // The root .npmrc skips onnxruntime's download; nothing here needs it, but keep the harness offline-safe.
      npm_config_update_notifier: 'false',
    },
  });
  if (r.status !== 0) throw new Error(`npm in ${e2eDir} exited with ${r.status}`);
  if (!fs.existsSync(entry)) throw new Error(`code-server did not install: ${entry} is missing (were its install scripts skipped?)`);
  fs.writeFileSync(stamp, hash);
  log(`harness packages installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
