// Held-out evaluation: greedy chains for the first N eval prompts, through the training rollout (G = 1).
import type { RewardConfig } from '../core/reward-types';
import { evalMetrics } from '../core/step-metrics';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { TaskSource } from './data/example';
import { greedySampling, rollout } from './rollout';

export async function evaluate(
  policy: PolicyRuntime,
  tok: ChainCodec,
  data: TaskSource,
  prompts: number,
  maxNewTokens: number,
  reward: RewardConfig,
): Promise<Record<string, number>> {
  const n = Math.min(prompts, data.evalSize);
  if (n === 0) return {};
  const examples = Array.from({ length: n }, (_, i) => data.evalAt(i));
  const r = await rollout({ policy, codec: tok, examples, sampling: greedySampling(maxNewTokens), reward });
  return evalMetrics(r.rewards.map((rewards) => ({ rewards })));
}
