// Child process of the token-heat bench: RL steps at the demo's settings (from the shipped SFT
// checkpoint, the demo's batch and checkpoint interval, evaluation off) into a run folder, then the
// bytes the token heat takes in it. Prints one JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { presetConfig, resolveTrainConfig } from '../../src/trainer/config';
import { runTraining } from '../../src/trainer/run';
import { SHIPPED_SFT_FOLDER } from '../../src/trainer/shipped-checkpoint';
import { RUN_FILES } from '../../src/rundir/run-files';

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? folderBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size;
  return n;
}

/** Bytes of every `"tokenHeat":{…}` member in a JSONL file, and the samples carrying one. */
function heatBytes(file: string): { bytes: number; samples: number } {
  let bytes = 0;
  let samples = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"tokenHeat"')) continue;
    const event = JSON.parse(line) as { groups?: { samples: { tokenHeat?: unknown }[] }[] };
    for (const g of event.groups ?? [])
      for (const s of g.samples)
        if (s.tokenHeat) {
          bytes += Buffer.byteLength(`,"tokenHeat":${JSON.stringify(s.tokenHeat)}`);
          samples++;
        }
  }
  return { bytes, samples };
}

async function main(): Promise<void> {
  const steps = Number(process.argv[2] ?? 10);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-bench-heat-')), 'run');
  const config = resolveTrainConfig({ initFrom: SHIPPED_SFT_FOLDER, sft: { steps: 0 }, rl: { steps }, eval: { every: 0, prompts: 1 } }, presetConfig('demo'));
  const metrics: Record<string, number>[] = [];
  try {
    await runTraining({ outDir: out, config, onEvent: (e) => e.type === 'metrics' && e.phase === 'rl' && metrics.push(e.values) });
    const rollouts = heatBytes(path.join(out, RUN_FILES.rollouts));
    const events = heatBytes(path.join(out, RUN_FILES.events));
    process.stdout.write(
      `${JSON.stringify({
        steps,
        checkpointEvery: config.checkpointEvery,
        dirBytes: folderBytes(out),
        heatBytes: rollouts.bytes + events.bytes,
        samplesWithHeat: rollouts.samples,
        samplesPerStep: config.rl.promptsPerStep * config.rl.groupSize,
        heatSeconds: metrics.map((m) => m['time/token_heat'] ?? NaN),
        stepSeconds: metrics.map((m) => m['step_time'] ?? NaN),
      })}\n`,
    );
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
