// Did an RL run raise the rewards it sampled? From scripts/rl-sweep.ts records (every step's rollout
// metrics): per run, the least-squares trend of each metric over the steps and the step-to-step
// noise; across the arms of one seed, how much of that noise they share (same prompts and sampling
// seeds at every step: prompt difficulty); with a scripts/sft-run-batches.ts file, each run's last
// steps against the start checkpoint on the very same batches (paired: prompt difficulty drops out).
//   node --import tsx scripts/rl-step-trends.ts docs/results/preregistered-hard [baseline.json]
import fs from 'node:fs';
import path from 'node:path';

interface StepRecord {
  steps: Record<string, number>[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]): number => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** The rollout metrics followed over the steps. */
const METRICS = ['rewards/answer/mean', 'key_step_recall', 'validity_rate', 'reward', 'frac_reward_zero_std', 'kl', 'grad_norm', 'entropy', 'completions/mean_length'];

const STEP_RAR_ALPHA = 3;
/** Compared with the start on the same batches; StepRAR-only's reward is answer + α · key-step ratio (α 3, no validity term). */
const BASELINE_METRICS = new Map<string, (m: Record<string, number>) => number>([
  ['rewards/answer/mean', (m) => m['rewards/answer/mean']!],
  ['key_step_recall', (m) => m.key_step_recall!],
  ['validity_rate', (m) => m.validity_rate!],
  ['StepRAR-only reward', (m) => m['rewards/answer/mean']! + STEP_RAR_ALPHA * m.key_step_recall!],
]);

/** Slope of y over x (per step) with its iid standard error, and the residual sd. */
function trend(y: readonly number[]): { slope: number; se: number; residualSd: number } {
  const x = y.map((_, i) => i);
  const mx = mean(x);
  const my = mean(y);
  const sxx = x.reduce((a, v) => a + (v - mx) ** 2, 0);
  const slope = x.reduce((a, v, i) => a + (v - mx) * (y[i]! - my), 0) / sxx;
  const residuals = y.map((v, i) => v - my - slope * (x[i]! - mx));
  const residualSd = Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / (y.length - 2));
  return { slope, se: residualSd / Math.sqrt(sxx), residualSd };
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  const cov = a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0);
  return cov / Math.sqrt(a.reduce((s, v) => s + (v - ma) ** 2, 0) * b.reduce((s, v) => s + (v - mb) ** 2, 0));
}

function main(): void {
  const dir = process.argv[2] ?? 'docs/results/preregistered-hard';
  const baselineFile = process.argv[3];
  const runs = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), record: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as StepRecord }));
  const series = (r: StepRecord, key: string): number[] => r.steps.map((m) => m[key] ?? 0);
  console.log('| run | metric | steps 1–10 | steps 141–150 | trend per 100 steps (± SE) | step-to-step sd |');
  console.log('|---|---|---|---|---|---|');
  for (const { name, record } of runs)
    for (const key of METRICS) {
      const y = series(record, key);
      const t = trend(y);
      console.log(
        `| ${name} | ${key} | ${mean(y.slice(0, 10)).toFixed(4)} | ${mean(y.slice(-10)).toFixed(4)} | ${(100 * t.slope).toFixed(4)} ± ${(100 * t.se).toFixed(4)} | ${t.residualSd.toFixed(4)} |`,
      );
    }
  // Arms of one seed sample the same prompts with the same seeds at every step.
  const bySeed = new Map<string, typeof runs>();
  for (const run of runs) {
    const seed = run.name.replace(/^.*-seed-/, '');
    bySeed.set(seed, [...(bySeed.get(seed) ?? []), run]);
  }
  console.log('\nTwo arms of the same seed (same prompts and sampling seeds per step): correlation across steps and their per-step difference:');
  for (const [seed, group] of bySeed)
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++)
        for (const key of ['rewards/answer/mean', 'key_step_recall']) {
          const a = series(group[i]!.record, key);
          const b = series(group[j]!.record, key);
          // The per-step difference of two arms on the same batches: its trend is free of prompt difficulty.
          const t = trend(a.map((v, k) => v - b[k]!));
          console.log(
            `  seed ${seed}, ${group[i]!.name} vs ${group[j]!.name}, ${key}: r = ${correlation(a, b).toFixed(2)}; difference ${mean(a.slice(0, 10).map((v, k) => v - b[k]!)).toFixed(4)} (steps 1–10) → ${mean(a.slice(-10).map((v, k) => v - b[k + a.length - 10]!)).toFixed(4)} (141–150), trend ${(100 * t.slope).toFixed(4)} ± ${(100 * t.se).toFixed(4)} per 100 steps, sd ${t.residualSd.toFixed(4)}`,
          );
        }
  if (!baselineFile) return;
  const baseline = JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as { args: { seed: number }; steps: { step: number; metrics: Record<string, number> }[] };
  const runsOfSeed = runs.filter((r) => r.name.endsWith(`-seed-${baseline.args.seed}`));
  // RL step 1 samples the start policy itself: a check that the batches are the run's (difference 0).
  const first = baseline.steps.find((b) => b.step === 0);
  if (first)
    for (const { name, record } of runsOfSeed)
      console.log(`\nCheck, ${name} RL step 1 − start: key-step recall ${(record.steps[0]!.key_step_recall! - first.metrics.key_step_recall!).toFixed(6)}`);
  // Windows of consecutive steps (e.g. 1–10 and 141–150), each compared step by step.
  const windows: (typeof baseline.steps)[] = [];
  for (const b of [...baseline.steps].sort((x, y) => x.step - y.step)) {
    const last = windows.at(-1);
    if (last && last.at(-1)!.step === b.step - 1) last.push(b);
    else windows.push([b]);
  }
  for (const window of windows) {
    console.log(
      `\nRL steps ${window[0]!.step + 1}–${window.at(-1)!.step + 1} against the start checkpoint on the same batches (${baselineFile}): run − start, mean ± SE over the steps`,
    );
    for (const [key, value] of BASELINE_METRICS) console.log(`  start checkpoint, ${key}: ${mean(window.map((b) => value(b.metrics))).toFixed(4)}`);
    for (const { name, record } of runsOfSeed)
      for (const [key, value] of BASELINE_METRICS) {
        const diffs = window.map((b) => value(record.steps[b.step]!) - value(b.metrics));
        console.log(`  ${name}, ${key}: ${mean(diffs).toFixed(4)} ± ${(sd(diffs) / Math.sqrt(diffs.length)).toFixed(4)}`);
      }
  }
}

main();
