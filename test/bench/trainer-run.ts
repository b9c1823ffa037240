// Child process of the trainer bench: one short run from a config given as JSON in argv[2]; prints
// the RL steps' metrics and this process's peak resident memory as one JSON line on stdout, so the
// bench can measure memory per configuration and not that of the whole bench process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTrainConfig, presetConfig } from '../../src/trainer/config';
import { runTraining } from '../../src/trainer/run';

async function main(): Promise<void> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-trainer-')), 'run');
  const config = resolveTrainConfig(JSON.parse(process.argv[2]!) as object, presetConfig('demo'));
  const steps: Record<string, number>[] = [];
  try {
    await runTraining({ outDir: out, config, onEvent: (e) => e.type === 'metrics' && e.phase === 'rl' && steps.push(e.values) });
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
  // maxRSS is in kilobytes.
  process.stdout.write(`${JSON.stringify({ steps, peakRssGb: process.resourceUsage().maxRSS / 1024 ** 2 })}\n`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
