// Held-out evaluation: greedy chains for the first N eval prompts, through the training rollout (G = 1),
// and beside them the chain-mode control (full-chain.ts): greedy again where the policy chose to
// answer directly, after forcing the Rationales header. About twice a greedy pass at most.
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import { evalMetrics } from '../core/step-metrics';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { Example, TaskSource } from './data/example';
import { fullChainPrefixes } from './full-chain';
import { greedySampling, rollout } from './rollout';

export interface EvalChains {
  /** Greedy chains' scores, prompt by prompt. */
  greedy: RewardBreakdown[];
  /** The same prompts with the full-chain mode forced (the greedy chain where it already took it). */
  fullChain: RewardBreakdown[];
}

/** Greedy chains only (what a policy's accuracy is), with their ids for the control. */
export const greedyRollout = (policy: PolicyRuntime, codec: ChainCodec, examples: readonly Example[], maxNewTokens: number, reward: RewardConfig) =>
  rollout({ policy, codec, examples, sampling: greedySampling(maxNewTokens), reward });

export async function evaluateChains(policy: PolicyRuntime, codec: ChainCodec, examples: readonly Example[], maxNewTokens: number, reward: RewardConfig): Promise<EvalChains> {
  const greedy = await greedyRollout(policy, codec, examples, maxNewTokens, reward);
  const prefixes = fullChainPrefixes(codec, greedy.completions);
  const forced = prefixes.flatMap((prefix, i) => (prefix ? [{ i, prefix }] : []));
  const fullChain = greedy.rewards.slice();
  if (forced.length > 0) {
    const r = await rollout({
      policy,
      codec,
      examples: forced.map((f) => examples[f.i]!),
      prefixes: forced.map((f) => f.prefix),
      sampling: { ...greedySampling(maxNewTokens), seedOf: (j) => forced[j]!.i },
      reward,
    });
    forced.forEach((f, j) => (fullChain[f.i] = r.rewards[j]!));
  }
  return { greedy: greedy.rewards, fullChain };
}

/** The first min(prompts, evalSize) held-out examples: every evaluation's prompt set. */
export const evalExamples = (data: TaskSource, prompts: number): Example[] => Array.from({ length: Math.min(prompts, data.evalSize) }, (_, i) => data.evalAt(i));

export async function evaluate(
  policy: PolicyRuntime,
  tok: ChainCodec,
  data: TaskSource,
  prompts: number,
  maxNewTokens: number,
  reward: RewardConfig,
): Promise<Record<string, number>> {
  const examples = evalExamples(data, prompts);
  if (examples.length === 0) return {};
  const chains = await evaluateChains(policy, tok, examples, maxNewTokens, reward);
  return {
    ...evalMetrics(chains.greedy.map((rewards) => ({ rewards }))),
    'eval/accuracy_full_chain': chains.fullChain.filter((r) => r.answer_correct).length / examples.length,
  };
}
