// The results of docs/results/preregistered-hard.md from its per-run JSON files (scripts/rl-sweep.ts
// records): one row per finished run, and the pre-registered test only when all 3 seeds of every arm
// are there.
//   node --import tsx scripts/preregistered-report.ts docs/results/preregistered-hard
import fs from 'node:fs';
import path from 'node:path';
import { formatPairedChange, type PairedChange } from '../src/core/paired-change';

const ARMS = [
  ['outcome', 'outcome-only'],
  ['steprar', 'StepRAR-only'],
  ['stepgrpo', 'StepGRPO'],
] as const;
const SEEDS = [1, 2, 3];

interface RunRecord {
  evaluations: { split: string; step: number; accuracy: number; keyStepRecall: number; change: PairedChange }[];
  steps: Record<string, number>[];
  seconds: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]): number => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pct = (x: number): string => (100 * x).toFixed(1);
/** Mean of a rollout metric over the first and the last 10 RL steps. */
const trend = (r: RunRecord, key: string): string => `${mean(r.steps.slice(0, 10).map((m) => m[key]!)).toFixed(3)} → ${mean(r.steps.slice(-10).map((m) => m[key]!)).toFixed(3)}`;

function main(): void {
  const dir = process.argv[2] ?? 'docs/results/preregistered-hard';
  const runs = new Map<string, RunRecord>();
  for (const [arm] of ARMS)
    for (const seed of SEEDS) {
      const file = path.join(dir, `${arm}-seed-${seed}.json`);
      if (fs.existsSync(file)) runs.set(`${arm}/${seed}`, JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord);
    }
  const last = (r: RunRecord, split: string) => r.evaluations.filter((e) => e.split === split).at(-1)!;
  const first = (r: RunRecord, split: string) => r.evaluations.find((e) => e.split === split)!;
  console.log(
    '| arm | seed | validation: SFT → step 150 | Δ validation (paired) | Δ held-out (paired) | sampled key-step recall, steps 1–10 → 141–150 | own reward, same steps | KL, last 10 | wall clock |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [arm, label] of ARMS)
    for (const seed of SEEDS) {
      const r = runs.get(`${arm}/${seed}`);
      if (!r) continue;
      const kl = mean(r.steps.slice(-10).map((m) => m.kl!)).toFixed(4);
      console.log(
        `| ${label} | ${seed} | ${pct(first(r, 'validation').accuracy)} → ${pct(last(r, 'validation').accuracy)} % | ${formatPairedChange(last(r, 'validation').change)} | ${formatPairedChange(last(r, 'held-out').change)} | ${trend(r, 'key_step_recall')} | ${trend(r, 'reward')} | ${kl} | ${(r.seconds / 60).toFixed(1)} min |`,
      );
    }
  const complete = ARMS.every(([arm]) => SEEDS.every((s) => runs.has(`${arm}/${s}`)));
  if (!complete) {
    console.log(`\n${runs.size} of ${ARMS.length * SEEDS.length} runs finished: the pre-registered comparison is not made.`);
    return;
  }
  const deltas = Object.fromEntries(ARMS.map(([arm]) => [arm, SEEDS.map((s) => last(runs.get(`${arm}/${s}`)!, 'validation').change.change)]));
  console.log('');
  for (const [arm, label] of ARMS) console.log(`${label}: mean Δ validation ${pct(mean(deltas[arm]!))} ± ${pct(sd(deltas[arm]!) / Math.sqrt(3))} points (SE over 3 seeds)`);
  for (const [arm, label] of ARMS.slice(1)) {
    const diff = mean(deltas[arm]!) - mean(deltas.outcome!);
    const se = Math.sqrt(sd(deltas[arm]!) ** 2 / 3 + sd(deltas.outcome!) ** 2 / 3);
    console.log(`${label} − outcome-only: ${pct(diff)} ± ${pct(se)} points → ${diff > 0 && diff >= 2 * se ? 'success (≥ 2 SE)' : 'no measurable advantage'}`);
  }
}

main();
