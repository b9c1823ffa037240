// Bundles extension-host test files (and the mocha entry, suite/index.ts) into one flat folder that
// a VS Code extension host loads as `extensionTestsPath`: code-server's (test/e2e) or a desktop
// VS Code's (test/host). `vscode` and mocha stay external: the host provides them.
import fs from 'node:fs';
import path from 'node:path';

/** Returns the path of the bundled entry (index.js) in `outDir`. */
export async function bundleSuite(root, entryPoints, outDir) {
  const esbuild = await import(path.join(root, 'node_modules/esbuild/lib/main.js'));
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    entryNames: '[name]',
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return path.join(outDir, 'index.js');
}
