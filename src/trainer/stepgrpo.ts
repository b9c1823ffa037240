// One StepGRPO step (DESIGN §6): the rollout (sample G chains per prompt at temperature T, score them
// with StepRAR + StepRVR, group-relative advantages), then the policy update (grpo-update.ts).
import { sampleStd } from '../core/grpo';
import { stepMetrics } from '../core/step-metrics';
import type { RewardConfig } from '../core/reward-types';
import type { ParamValues } from '../model/params';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { RolloutGroup } from '../protocol/trainer-messages';
import type { Example, TrainStream } from './data/example';
import { hashSeed } from '../model/rng';
import type { RlConfig } from './config';
import { grpoUpdate } from './grpo-update';
import { rollout, rolloutGroups, type Rollout } from './rollout';
import { groupMatchRates, stepCreditAdvantages } from './step-credit';
import { recordTokenHeat } from './token-heat-recorder';

export interface RlStepContext {
  policy: PolicyRuntime;
  /** Frozen SFT parameters: the KL reference. */
  refParams: ParamValues;
  tok: ChainCodec;
  stream: TrainStream;
  rl: RlConfig;
  reward: RewardConfig;
  seed: number;
  step: number;
  /** RL steps done before this one (the learning-rate warm-up counts these). */
  rlStep: number;
  /** Turns an example's image into what the rollout event carries (e.g. a PNG data URI). */
  imageForEvent?: (e: Example) => RolloutGroup['image'];
}

export interface RlStepResult {
  groups: RolloutGroup[];
  metrics: Record<string, number>;
  /** Seconds per phase: sampling, scoring, log-probs (reference, plus old with several updates), update(s). */
  split: { sample: number; score: number; logprobs: number; update: number; token_heat: number };
}

/**
 * Linear warm-up over the first `warmupSteps` RL steps, then constant: fresh AdamW moments make the
 * first updates ±lr on every parameter whatever the gradient's noise, which is what a warm-up tames.
 */
export function rlLearningRate(rlStep: number, rl: Pick<RlConfig, 'lr' | 'warmupSteps'>): number {
  return rl.warmupSteps > 0 ? (rl.lr * Math.min(rl.warmupSteps, rlStep + 1)) / rl.warmupSteps : rl.lr;
}

export async function stepGrpoStep(ctx: RlStepContext): Promise<RlStepResult> {
  const { policy, tok, rl } = ctx;
  const r = await rollout({
    policy,
    codec: tok,
    examples: ctx.stream.take(rl.promptsPerStep),
    sampling: {
      groupSize: rl.groupSize,
      temperature: rl.temperature,
      topP: rl.topP,
      topK: rl.topK,
      repetitionPenalty: rl.repetitionPenalty,
      maxNewTokens: rl.maxNewTokens,
      seedOf: (i) => hashSeed(ctx.seed, 'rl', ctx.step, i),
    },
    reward: ctx.reward,
    advantage: { eps: rl.advantageEps, scaleStd: rl.scaleStd },
  });
  const trainAdvantages = rl.advantage === 'step' ? perTokenAdvantages(r, ctx) : r.advantages;
  // Before the update: the log-probs and entropies of the policy that sampled the chains.
  const tokenHeat = await recordTokenHeat(policy, tok, r, trainAdvantages, rl.temperature);
  const lr = rlLearningRate(ctx.rlStep, rl);
  const { update, seconds } = await grpoUpdate(
    policy,
    ctx.refParams,
    { images: r.images, prompts: r.prompts, completions: r.completions, advantages: trainAdvantages },
    { ...rl, lr },
  );
  const split = { sample: r.seconds.sample, score: r.seconds.score, logprobs: seconds.logprobs, update: seconds.update, token_heat: tokenHeat.seconds };
  const groups = rolloutGroups(r, tok, ctx.imageForEvent, tokenHeat.heat);
  const metrics = stepMetrics(groups, {
    update: {
      policyLoss: update.loss,
      gradNorm: update.gradNorm,
      lr,
      kl: update.metrics.kl ?? 0,
      entropy: update.metrics.entropy ?? 0,
      clipRatio: update.metrics.clip_ratio ?? 0,
    },
    seconds: split.sample + split.score + split.logprobs + split.update + split.token_heat,
  });
  return { groups, metrics, split };
}

/** `advantage: "step"`: rows aligned with predicted tokens (the prompt's entries are masked out anyway). */
function perTokenAdvantages(r: Rollout, ctx: RlStepContext): number[][] {
  const { rl, reward } = ctx;
  const G = r.groupSize;
  return r.prompts.map((prompt, i) => {
    const g = Math.floor(i / G);
    const group = r.rewards.slice(g * G, g * G + G);
    const K = r.rewards[i]!.key_steps.length;
    // The std groupAdvantages divides by; floored at one key step's share: a group whose totals tie would otherwise divide credit by ε.
    const std = sampleStd(group.map((x) => x.total));
    const scale = rl.scaleStd ? Math.max(std, K ? (reward.alpha * reward.w_acc) / K : 0) + rl.advantageEps : 1;
    const perCompletionToken = stepCreditAdvantages(ctx.tok, r.completions[i]!, r.texts[i]!, r.rewards[i]!, r.advantages[i]!, scale, reward, groupMatchRates(group));
    return Array.from({ length: prompt.length + r.completions[i]!.length - 1 }, (_, j) => (j + 1 >= prompt.length ? perCompletionToken[j + 1 - prompt.length]! : r.advantages[i]!));
  });
}
