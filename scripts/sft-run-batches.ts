// The start checkpoint sampled on an RL run's own batches: the prompts of the asked steps and the
// run's sampling seeds (hashSeed(seed, 'rl', step, i), as stepGrpoStep draws them), scored with the
// run default reward and summarised with the run's own step metrics. Set beside a run's record
// (scripts/rl-sweep.ts) it is the paired baseline of each step: same prompts, same random numbers,
// only the policy differs, so prompt difficulty drops out of "did the sampled reward rise".
//   node --import tsx scripts/sft-run-batches.ts '{"from":"<checkpoint>","seed":1,"steps":[140,141],"out":"<file>"}'
import fs from 'node:fs';
import { resolveRewardConfig } from '../src/core/reward';
import { stepMetrics } from '../src/core/step-metrics';
import { hashSeed } from '../src/model/rng';
import { resolveTrainConfig } from '../src/trainer/config';
import { createTaskSource } from '../src/trainer/data/task-source';
import { openPolicy } from '../src/trainer/open-policy';
import { rollout, rolloutGroups } from '../src/trainer/rollout';

interface BaselineArgs {
  from: string;
  seed: number;
  /** 0-based RL steps (a record's steps[s]). */
  steps: number[];
  out?: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as BaselineArgs;
  const config = resolveTrainConfig({ seed: args.seed });
  const rl = config.rl;
  const { policy, codec, checkpoint } = await openPolicy({ checkpoint: args.from, config });
  const reward = resolveRewardConfig(config.reward);
  const stream = (await createTaskSource(checkpoint.config.data)).train();
  const steps: { step: number; metrics: Record<string, number> }[] = [];
  let next = 0;
  for (const step of [...args.steps].sort((a, b) => a - b)) {
    for (; next < step; next++) stream.take(rl.promptsPerStep);
    const r = await rollout({
      policy,
      codec,
      examples: stream.take(rl.promptsPerStep),
      sampling: { groupSize: rl.groupSize, temperature: rl.temperature, topP: rl.topP, maxNewTokens: rl.maxNewTokens, seedOf: (i) => hashSeed(args.seed, 'rl', step, i) },
      reward,
      advantage: { eps: rl.advantageEps, scaleStd: rl.scaleStd },
    });
    next = step + 1;
    const metrics = stepMetrics(rolloutGroups(r, codec));
    steps.push({ step, metrics });
    console.log(
      `step ${step}: answers ${metrics['rewards/answer/mean']!.toFixed(3)}, key steps ${metrics.key_step_recall!.toFixed(3)}, validity ${metrics.validity_rate!.toFixed(3)}`,
    );
  }
  if (args.out) fs.writeFileSync(args.out, `${JSON.stringify({ args, steps })}\n`);
  await policy.release();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
