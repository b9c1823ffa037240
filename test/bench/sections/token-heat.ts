// The cost of the token heat (issue 18 item 6) at the demo's settings: what it adds to a run
// directory (10 RL steps with the demo's checkpoint interval, so one checkpoint per 10 steps as in
// the demo; target ≤ 25 %), and the seconds of its log-prob pass per step beside the step's own.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { median, type BenchRow, type BenchSection } from '../bench-section';

interface HeatRun {
  steps: number;
  checkpointEvery: number;
  dirBytes: number;
  heatBytes: number;
  samplesWithHeat: number;
  samplesPerStep: number;
  heatSeconds: number[];
  stepSeconds: number[];
}

const STEPS = 10;

const section: BenchSection = {
  name: 'token-heat',
  async run(): Promise<BenchRow[]> {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'token-heat-run.ts'), String(STEPS)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as HeatRun;
    const without = r.dirBytes - r.heatBytes;
    return [
      {
        key: 'token_heat.added_to_run_dir_pct',
        value: (100 * r.heatBytes) / without,
        note: `token heat / the rest of the run folder (${STEPS} demo RL steps, a checkpoint every ${r.checkpointEvery}); target ≤ 25 %`,
      },
      { key: 'token_heat.bytes_per_step', value: r.heatBytes / r.steps, note: 'in rollouts.jsonl and events.ndjson together' },
      { key: 'token_heat.run_dir_mb', value: r.dirBytes / 1e6, note: 'the run folder with the heat, MB' },
      { key: 'token_heat.samples_per_step', value: r.samplesWithHeat / r.steps, note: `of ${r.samplesPerStep} sampled per step` },
      { key: 'token_heat.pass_s', value: median(r.heatSeconds), note: `the heat's log-prob pass per step (median); the step took ${median(r.stepSeconds).toFixed(2)} s` },
    ];
  },
};

export default section;
