#!/usr/bin/env node
// Builds the platform-specific linux-x64 .vsix from an allowlisted staging folder: the bundles in
// dist/, media/, the manifest, the README, and onnxruntime-node with only linux-x64's native
// binaries (its other platforms would add ~240 MB), and sharp with this platform's libvips. Expects `node esbuild.js --production` first
// (the `package` npm script does both). vsce reads the staged node_modules through `npm list`.
//   node scripts/package.mjs [--out file.vsix] [--target linux-x64]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const target = arg('--target', 'linux-x64');
const [platform, arch] = target.split('-');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.resolve(arg('--out', path.join(root, `${manifest.name}-${manifest.version}-${target}.vsix`)));
const VSCE_VERSION = '3.9.2';

function copy(rel, filter = () => true) {
  const from = path.join(root, rel);
  if (!fs.existsSync(from)) throw new Error(`package: ${rel} is missing (run \`node esbuild.js --production\` / \`npm ci\` first)`);
  fs.cpSync(from, path.join(stage, rel), { recursive: true, filter: (src) => filter(path.relative(root, src)) });
}

if (!fs.existsSync(path.join(root, 'dist/extension.js'))) throw new Error('package: dist/extension.js is missing; run `node esbuild.js --production` first');

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-vsix-'));
try {
  // Everything else is bundled into dist/; only the native module is a runtime dependency.
  const { devDependencies: _dev, scripts: _scripts, dependencies, ...published } = manifest;
  const runtimeDeps = { 'onnxruntime-node': dependencies['onnxruntime-node'], sharp: dependencies.sharp };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ ...published, dependencies: runtimeDeps }, null, 2));
  copy('dist', (rel) => !rel.endsWith('.map'));
  copy('media');
  copy('README.md');
  for (const f of ['LICENSE', 'LICENSE.md', 'CHANGELOG.md']) if (fs.existsSync(path.join(root, f))) copy(f);
  if (fs.existsSync(path.join(root, 'docs'))) copy('docs');

  // onnxruntime-node stays external to the bundles (a native module); ship its JS, its one runtime
  // dependency, and the binaries of this target only.
  const ort = 'node_modules/onnxruntime-node';
  const binDir = `${ort}/bin/napi-v6/${platform}/${arch}`;
  // Its other dependencies and its postinstall only serve the binary download at install time.
  const ortManifest = JSON.parse(fs.readFileSync(path.join(root, ort, 'package.json'), 'utf8'));
  fs.mkdirSync(path.join(stage, ort), { recursive: true });
  fs.writeFileSync(
    path.join(stage, ort, 'package.json'),
    JSON.stringify({ ...ortManifest, scripts: {}, dependencies: { 'onnxruntime-common': ortManifest.dependencies['onnxruntime-common'] } }, null, 2),
  );
  copy(`${ort}/dist`, (rel) => !rel.endsWith('.map') && !rel.endsWith('.ts'));
  copy(binDir);
  copy('node_modules/onnxruntime-common/package.json');
  copy('node_modules/onnxruntime-common/dist/cjs', (rel) => !rel.endsWith('.map') && !rel.endsWith('.ts'));
  // sharp (dataset images, loaded by the trainer only for R1-VL data): its JS, its three small
  // dependencies, and the prebuilt libvips of this target (~17 MB).
  for (const dir of ['sharp/package.json', 'sharp/lib', '@img/colour', 'detect-libc', 'semver', `@img/sharp-${target}`, `@img/sharp-libvips-${target}`]) {
    copy(`node_modules/${dir}`, (rel) => !rel.endsWith('.map') && !rel.endsWith('.d.ts') && !rel.endsWith('.md'));
  }
  fs.writeFileSync(path.join(stage, '.vscodeignore'), '**/*.map\n**/*.d.ts\n');

  const local = path.join(root, 'test/e2e/node_modules/.bin/vsce');
  const [cmd, args] = fs.existsSync(local) ? [local, []] : ['npx', ['--yes', `@vscode/vsce@${VSCE_VERSION}`]];
  const vsceArgs = ['package', '--target', target, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out];
  const r = spawnSync(cmd, [...args, ...vsceArgs], { cwd: stage, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vsce exited with ${r.status}`);
  console.log(`package: ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1e6).toFixed(1)} MB, target ${target})`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
