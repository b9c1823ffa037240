// The child process of the `importers` bench section: imports one verl folder once into a new run
// folder and prints {seconds, chains, skipped, maxRssBytes} as JSON, so that the peak RSS measured
// is the import's alone.
import { EngineFolderImport } from '../../src/server/import/engine-folder-import';

async function main(): Promise<void> {
  const [source, runDir] = process.argv.slice(2);
  if (!source || !runDir) throw new Error('usage: import-child.ts SOURCE RUN_DIR');
  const started = performance.now();
  const run = await EngineFolderImport.create({ source, runDir, preset: 'stepgrpo', settleMs: 0 }, false);
  const steps = await run.poll();
  await run.finish();
  const seconds = (performance.now() - started) / 1000;
  const chains = steps.reduce((n, s) => n + s.chains, 0);
  const skipped = steps.reduce((n, s) => n + s.skipped, 0);
  // resourceUsage reports kilobytes.
  console.log(JSON.stringify({ seconds, chains, skipped, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
