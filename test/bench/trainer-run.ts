// Child process of the trainer bench: one short run from a config given as JSON in argv[2]; prints
// the RL steps' metrics and this process's peak resident memory as one JSON line on stdout, so the
// bench can measure memory per configuration and not that of the whole bench process. argv[3] is the
// checkout whose sources run (this one by default), so a baseline checkout is measured alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(process.argv[3] ?? path.join(__dirname, '../..'));

async function main(): Promise<void> {
  const { resolveTrainConfig, presetConfig } = (await import(path.join(root, 'src/trainer/config.ts'))) as typeof import('../../src/trainer/config');
  const { runTraining } = (await import(path.join(root, 'src/trainer/run.ts'))) as typeof import('../../src/trainer/run');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-trainer-')), 'run');
  const config = resolveTrainConfig(JSON.parse(process.argv[2]!) as object, presetConfig('demo'));
  const steps: Record<string, number>[] = [];
  const cwd = process.cwd();
  try {
    // The shipped checkpoint's path is relative to the checkout.
    process.chdir(root);
    await runTraining({ outDir: out, config, onEvent: (e) => e.type === 'metrics' && e.phase === 'rl' && steps.push(e.values) });
  } finally {
    process.chdir(cwd);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
  // maxRSS is in kilobytes.
  process.stdout.write(`${JSON.stringify({ steps, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
