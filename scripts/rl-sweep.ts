// One RL setting from a weights checkpoint, scored on a validation split, for choosing RL defaults
// without looking at the held-out split (docs/trainer.md, "How the RL defaults were chosen").
//   node --import tsx scripts/rl-sweep.ts '{"rl":{"steps":30,"lr":2e-4,"adamEps":1e-4},"evalEvery":15}'
// With "out": a JSON record of the run (every step's rollout metrics, every evaluation with its
// per-prompt outcomes and paired change, wall-clock seconds): what docs/results/ tables are built from.
// Validation = the next N synthetic training-distribution prompts after the 4,000 the runs train on:
// drawn like training prompts (never from held-out scenes), seen by neither SFT nor RL.
import fs from 'node:fs';
import { type PairedChange, formatPairedChange, pairedChange } from '../src/core/paired-change';
import { resolveRewardConfig } from '../src/core/reward';
import { resolveTrainConfig } from '../src/trainer/config';
import type { Example, TaskSource } from '../src/trainer/data/example';
import { createTaskSource } from '../src/trainer/data/task-source';
import { openPolicy } from '../src/trainer/open-policy';
import { greedySampling, rollout } from '../src/trainer/rollout';
import { stepGrpoStep } from '../src/trainer/stepgrpo';

interface SweepArgs {
  /** Weights checkpoint to start from (default: the shipped SFT checkpoint). */
  from?: string;
  /** Overrides over the run defaults (rl, reward, seed), as in a run config. */
  rl?: object;
  reward?: object;
  /** Overrides over the checkpoint's data options, e.g. a larger `trainSize` for RL than SFT had. */
  data?: object;
  seed?: number;
  evalEvery?: number;
  validationPrompts?: number;
  /** Also report the held-out split at the start and the end (for the record, not for choosing). */
  heldOut?: boolean;
  /** Write the run's record here (JSON). */
  out?: string;
}

interface Evaluation {
  split: string;
  step: number;
  accuracy: number;
  keyStepRecall: number;
  /** Against the same split at step 0. */
  change: PairedChange;
  correct: boolean[];
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SweepArgs;
  const from = args.from ?? 'media/sft-demo';
  const config = resolveTrainConfig({ rl: args.rl ?? {}, ...(args.reward ? { reward: args.reward } : {}), seed: args.seed ?? 0 });
  const { policy, codec: tok, checkpoint: state } = await openPolicy({ checkpoint: from, config });
  if (state.config.data.kind !== 'synthetic') throw new Error(`${from}: the validation split is defined for the synthetic task only`);
  // The KL reference: a copy, as train steps update the policy's arrays in place.
  const refParams = new Map([...policy.params].map(([name, values]) => [name, values.slice()]));
  const dataOptions = { ...state.config.data, ...args.data };
  const data = await createTaskSource(dataOptions);
  const n = args.validationPrompts ?? 200;
  // Always past the default 4,000 training prompts, so every run is scored on the same validation set.
  const validationStart = Math.max(data.trainSize, 4000);
  const extended = await createTaskSource({ ...dataOptions, trainSize: validationStart + n });
  const validation = { evalSize: n, evalAt: (i: number) => extended.trainAt(validationStart + i) } as TaskSource;
  const reward = resolveRewardConfig(config.reward);
  const started = performance.now();
  const record = { args, evaluations: [] as Evaluation[], steps: [] as Record<string, number>[], seconds: 0 };
  // Greedy chains on a fixed prompt set; the change against step 0 is paired (same prompts), so its
  // standard error comes from the prompts that flipped, not from two independent binomials.
  const pairedReporter = (label: string, set: Example[]): ((step: number) => Promise<void>) => {
    let first: boolean[] | null = null;
    return async (step) => {
      const { rewards: scored } = await rollout({ policy, codec: tok, examples: set, sampling: greedySampling(config.rl.maxNewTokens), reward });
      const correct = scored.map((r) => r.answer_correct);
      first ??= correct;
      const change = pairedChange(first, correct);
      const m = set.length;
      const keySteps = scored.reduce((sum, r) => sum + r.key_step_ratio, 0) / m;
      const accuracy = correct.filter(Boolean).length / m;
      record.evaluations.push({ split: label, step, accuracy, keyStepRecall: keySteps, change, correct });
      const pct = (x: number): string => (100 * x).toFixed(1);
      console.log(`${label} @${step}: accuracy ${pct(accuracy)} %, change ${formatPairedChange(change)} (paired SE), key steps ${pct(keySteps)} %`);
    };
  };
  const report = pairedReporter(
    'validation',
    Array.from({ length: n }, (_, i) => validation.evalAt(i)),
  );
  // Measured at the start and the end only, never used to choose: the held-out split is for reporting.
  const reportHeldOut = args.heldOut
    ? pairedReporter(
        'held-out',
        Array.from({ length: data.evalSize }, (_, i) => data.evalAt(i)),
      )
    : null;
  try {
    await report(0);
    await reportHeldOut?.(0);
    const stream = data.train();
    for (let s = 0; s < config.rl.steps; s++) {
      const { metrics: m } = await stepGrpoStep({ policy, refParams, tok, stream, rl: config.rl, reward, seed: config.seed, step: s, rlStep: s });
      record.steps.push(m);
      console.log(
        `step ${s + 1}: answers ${m['rewards/answer/mean']!.toFixed(3)}, key steps ${m.key_step_recall!.toFixed(3)}, tied groups ${m.frac_reward_zero_std!.toFixed(2)}, KL ${m.kl!.toFixed(4)}, ${m.step_time!.toFixed(1)} s`,
      );
      if (args.evalEvery && (s + 1) % args.evalEvery === 0 && s + 1 < config.rl.steps) await report(s + 1);
    }
    await report(config.rl.steps);
    await reportHeldOut?.(config.rl.steps);
    record.seconds = (performance.now() - started) / 1000;
    if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(record)}\n`);
  } finally {
    await policy.release();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
