// One code-server (VS Code 1.99.3 workbench + its Node extension host) per use, in its own process
// group on a free loopback port, with its state under the run's work folder.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function codeServerBin(e2eDir) {
  return path.join(e2eDir, 'node_modules', '.bin', 'code-server');
}

/** Environment that keeps code-server's caches and config inside the run folder. */
export function isolatedEnv(workDir, extra = {}) {
  const dirs = { TMPDIR: 'tmp', XDG_CONFIG_HOME: 'xdg/config', XDG_DATA_HOME: 'xdg/data', XDG_CACHE_HOME: 'xdg/cache' };
  const env = { ...process.env, EXTENSIONS_GALLERY: '{"serviceUrl":""}', ...extra };
  for (const [name, rel] of Object.entries(dirs)) {
    env[name] = path.join(workDir, rel);
    fs.mkdirSync(env[name], { recursive: true });
  }
  return env;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A fresh user-data dir with settings that keep the workbench quiet and deterministic. */
function freshProfile(dir, extensionsDir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  // Without this file a development extension is silently not loaded.
  if (!fs.existsSync(path.join(extensionsDir, 'extensions.json'))) fs.writeFileSync(path.join(extensionsDir, 'extensions.json'), '[]');
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'git.enabled': false,
  };
  fs.writeFileSync(path.join(dir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

export function installExtension({ e2eDir, workDir, extensionsDir, vsix }) {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(
    codeServerBin(e2eDir),
    ['--extensions-dir', extensionsDir, '--user-data-dir', path.join(workDir, 'install-profile'), '--install-extension', vsix, '--force'],
    {
      env: isolatedEnv(workDir),
      encoding: 'utf8',
    },
  );
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export async function startCodeServer({ e2eDir, workDir, name, folder, extensionsDir, env = {}, log }) {
  const profile = path.join(workDir, `${name}-profile`);
  freshProfile(profile, extensionsDir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawn(
    codeServerBin(e2eDir),
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      profile,
      '--extensions-dir',
      extensionsDir,
      folder,
    ],
    // detached = its own process group, so stop() reaches the file watcher and extension hosts too.
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: isolatedEnv(workDir, env) },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.on('exit', stop);
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() - started > 60_000) {
      stop();
      throw new Error(`code-server did not start (exit ${child.exitCode}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`code-server (${name}) up on ${base} in ${Date.now() - started} ms`);
  return { base, port, stop, output: () => output };
}
