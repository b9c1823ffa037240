// Builds every bundle of DESIGN §2: extension (cjs), trainer, CLI, and one browser bundle per
// webview app. esbuild does not type-check; `npm run typecheck` does.
//   node esbuild.js               one development build
//   node esbuild.js --watch       rebuild on change (problem-matcher friendly output)
//   node esbuild.js --production  minified, no source maps
'use strict';
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;
const exists = (p) => fs.existsSync(path.join(root, p));

// Native and host-provided modules stay outside the bundles.
const nodeExternals = ['vscode', 'onnxruntime-node', 'sharp'];

/** Node bundles: only those whose entry exists, so partial checkouts still build. */
const nodeBundles = [
  { entry: 'src/extension/main.ts', out: 'dist/extension.js' },
  { entry: 'src/trainer/main.ts', out: 'dist/trainer.js' },
  { entry: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
].filter((b) => exists(b.entry));

/** Browser bundles: one per folder under webview/ that has a main.ts (webview/shared is a library). */
const webviewApps = exists('webview')
  ? fs
      .readdirSync(path.join(root, 'webview'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && exists(`webview/${d.name}/main.ts`))
      .map((d) => d.name)
  : [];

/** Prints start/end lines that the `$esbuild-watch` problem matcher recognises. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

function options() {
  const common = {
    bundle: true,
    minify: production,
    sourcemap: production ? false : 'linked',
    sourcesContent: false,
    logLevel: watch ? 'silent' : 'warning',
    plugins: watch ? [problemMatcherPlugin] : [],
    absWorkingDir: root,
    // jsonc-parser's main build is UMD with requires esbuild cannot follow; its ES module build bundles.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  };
  const node = nodeBundles.map((b) => ({
    ...common,
    entryPoints: [b.entry],
    outfile: b.out,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    banner: b.banner ? { js: b.banner } : undefined,
  }));
  const browser = webviewApps.map((app) => ({
    ...common,
    entryPoints: [`webview/${app}/main.ts`],
    outfile: `dist/webview/${app}.js`,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }));
  return [...node, ...browser];
}

/** Static assets the webviews load through asWebviewUri (kept inside dist/ for localResourceRoots). */
function copyAssets() {
  if (exists('media')) fs.cpSync(path.join(root, 'media'), path.join(root, 'dist/media'), { recursive: true });
  // KaTeX's stylesheet and fonts for the Rollout viewer's math (woff2 only: every webview supports it).
  const katex = 'node_modules/katex/dist';
  if (exists(katex)) {
    fs.mkdirSync(path.join(root, 'dist/katex/fonts'), { recursive: true });
    fs.copyFileSync(path.join(root, katex, 'katex.min.css'), path.join(root, 'dist/katex/katex.min.css'));
    for (const f of fs.readdirSync(path.join(root, katex, 'fonts')).filter((f) => f.endsWith('.woff2'))) {
      fs.copyFileSync(path.join(root, katex, 'fonts', f), path.join(root, 'dist/katex/fonts', f));
    }
  }
}

async function main() {
  copyAssets();
  const all = options();
  if (watch) {
    const contexts = await Promise.all(all.map((o) => esbuild.context(o)));
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  const started = Date.now();
  await Promise.all(all.map((o) => esbuild.build(o)));
  for (const f of ['dist/cli.js']) if (exists(f)) fs.chmodSync(path.join(root, f), 0o755);
  console.log(`esbuild: ${all.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
