// One RL setting from a weights checkpoint, scored on a validation split, for choosing RL defaults
// without looking at the held-out split (docs/trainer.md, "How the RL defaults were chosen").
//   node --import tsx scripts/rl-sweep.ts '{"rl":{"steps":30,"lr":2e-4,"adamEps":1e-4},"evalEvery":15}'
// Validation = the next N synthetic training-distribution prompts after the 4,000 the runs train on:
// drawn like training prompts (never from held-out scenes), seen by neither SFT nor RL.
import { resolveRewardConfig } from '../src/core/reward';
import { createPolicySessions } from '../src/model/policy';
import { Tokenizer } from '../src/model/tokenizer';
import { checkpointState } from '../src/trainer/checkpoint-state';
import { loadWeights } from '../src/trainer/checkpoint';
import { grpoLossConfig, resolveTrainConfig } from '../src/trainer/config';
import type { TaskSource } from '../src/trainer/data/example';
import { createTaskSource } from '../src/trainer/data/task-source';
import { evaluate } from '../src/trainer/evaluate';
import { stepGrpoStep } from '../src/trainer/stepgrpo';

interface SweepArgs {
  /** Weights checkpoint to start from (default: the shipped SFT checkpoint). */
  from?: string;
  /** Overrides over the run defaults (rl, reward, seed), as in a run config. */
  rl?: object;
  reward?: object;
  seed?: number;
  evalEvery?: number;
  validationPrompts?: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SweepArgs;
  const from = args.from ?? 'media/sft-demo';
  const init = loadWeights(from);
  const state = checkpointState(init.state, `${from}/state.json`);
  const config = resolveTrainConfig({ rl: args.rl ?? {}, ...(args.reward ? { reward: args.reward } : {}), seed: args.seed ?? 0 });
  if (state.config.data.kind !== 'synthetic') throw new Error(`${from}: the validation split is defined for the synthetic task only`);
  const tok = Tokenizer.fromJSON(state.tokenizer);
  const data = await createTaskSource(state.config.data);
  const n = args.validationPrompts ?? 200;
  const extended = await createTaskSource({ ...state.config.data, trainSize: data.trainSize + n });
  const validation = { evalSize: n, evalAt: (i: number) => extended.trainAt(data.trainSize + i) } as TaskSource;
  const reward = resolveRewardConfig(config.reward);
  const policy = await createPolicySessions(state.policy, {
    params: init.params,
    tokens: { pad: tok.pad, eos: tok.eos },
    grpo: grpoLossConfig(config.rl),
    runtime: config.runtime,
  });
  const report = async (step: number): Promise<void> => {
    const v = await evaluate(policy, tok, validation, n, config.rl.maxNewTokens, reward);
    console.log(
      `validation @${step}: accuracy ${(100 * v['eval/accuracy']!).toFixed(1)} % ± ${(100 * v['eval/accuracy_se']!).toFixed(1)}, key steps ${(100 * v['eval/key_step_recall']!).toFixed(1)} %, faithfulness ${(100 * v['eval/faithfulness']!).toFixed(1)} %`,
    );
  };
  try {
    await report(0);
    const stream = data.train();
    for (let s = 0; s < config.rl.steps; s++) {
      const { metrics: m } = await stepGrpoStep({ policy, refParams: init.params, tok, stream, rl: config.rl, reward, seed: config.seed, step: s, rlStep: s });
      console.log(
        `step ${s + 1}: answers ${m['rewards/answer/mean']!.toFixed(3)}, key steps ${m.key_step_recall!.toFixed(3)}, KL ${m.kl!.toFixed(4)}, ${m.step_time!.toFixed(1)} s`,
      );
      if (args.evalEvery && (s + 1) % args.evalEvery === 0 && s + 1 < config.rl.steps) await report(s + 1);
    }
    await report(config.rl.steps);
  } finally {
    await policy.release();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
