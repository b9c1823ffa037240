// One StepGRPO step (DESIGN §6): sample G chains per prompt at temperature T, score them with
// StepRAR + StepRVR, group-relative advantages, then the policy update (grpo-update.ts).
import { fracZeroStd, groupAdvantages } from '../core/grpo';
import { scoreChain } from '../core/reward';
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import type { ParamValues } from '../model/params';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { RolloutGroup } from '../protocol/trainer-messages';
import type { Example, TrainStream } from './data/example';
import { hashSeed } from '../model/rng';
import type { RlConfig } from './config';
import { encodePrompt } from './sequences';
import { grpoUpdate } from './grpo-update';
import { groupMatchRates, stepCreditAdvantages } from './step-credit';

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
  split: { sample: number; score: number; logprobs: number; update: number };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const std = (xs: readonly number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
/** The std groupAdvantages divides by (n − 1, as torch.std). */
const unbiasedStd = (xs: readonly number[]): number => (xs.length > 1 ? Math.sqrt((xs.length * std(xs) ** 2) / (xs.length - 1)) : 0);

/**
 * Linear warm-up over the first `warmupSteps` RL steps, then constant: fresh AdamW moments make the
 * first updates ±lr on every parameter whatever the gradient's noise, which is what a warm-up tames.
 */
export function rlLearningRate(rlStep: number, rl: Pick<RlConfig, 'lr' | 'warmupSteps'>): number {
  return rl.warmupSteps > 0 ? (rl.lr * Math.min(rl.warmupSteps, rlStep + 1)) / rl.warmupSteps : rl.lr;
}

export async function stepGrpoStep(ctx: RlStepContext): Promise<RlStepResult> {
  const { policy, tok, rl } = ctx;
  const G = rl.groupSize;
  const examples = ctx.stream.take(rl.promptsPerStep);
  const prompts = examples.map((e) => encodePrompt(tok, e).ids.slice(0, policy.maxTextLen));
  const images = examples.flatMap((e) => Array<Float32Array>(G).fill(policy.imageFor(e.image)));
  const promptIds = prompts.flatMap((p) => Array<number[]>(G).fill(p));

  let t = performance.now();
  const sampled = await policy.sample({
    images,
    prompts: promptIds,
    seeds: promptIds.map((_, i) => hashSeed(ctx.seed, 'rl', ctx.step, i)),
    temperature: rl.temperature,
    topP: rl.topP,
    maxNewTokens: rl.maxNewTokens,
  });
  const tSample = (performance.now() - t) / 1000;

  t = performance.now();
  const texts = sampled.completions.map((ids) => tok.chainText(ids));
  const rewards: RewardBreakdown[] = texts.map((text, i) => {
    const e = examples[Math.floor(i / G)]!;
    return scoreChain(text, { answer: e.answer, keySteps: e.keySteps }, ctx.reward);
  });
  const totals = rewards.map((r) => r.total);
  const advantages = groupAdvantages(totals, G, { eps: rl.advantageEps, scaleStd: rl.scaleStd });
  const tScore = (performance.now() - t) / 1000;

  const trainAdvantages = rl.advantage === 'step' ? perTokenAdvantages() : advantages;
  const lr = rlLearningRate(ctx.rlStep, rl);
  const { update, seconds } = await grpoUpdate(policy, ctx.refParams, { images, prompts: promptIds, completions: sampled.completions, advantages: trainAdvantages }, { ...rl, lr });
  const tLogprobs = seconds.logprobs;
  const tUpdate = seconds.update;

  /** Rows aligned with predicted tokens: the prompt's entries are masked out anyway. */
  function perTokenAdvantages(): number[][] {
    return promptIds.map((prompt, i) => {
      const g = Math.floor(i / G);
      const group = totals.slice(g * G, g * G + G);
      const K = rewards[i]!.key_steps.length;
      // Floored at one key step's share: a group whose totals tie would otherwise divide credit by ε.
      const scale = rl.scaleStd ? Math.max(unbiasedStd(group), K ? (ctx.reward.alpha * ctx.reward.w_acc) / K : 0) + rl.advantageEps : 1;
      const promptLen = prompt.length;
      const rates = groupMatchRates(rewards.slice(g * G, g * G + G));
      const perCompletionToken = stepCreditAdvantages(tok, sampled.completions[i]!, texts[i]!, rewards[i]!, advantages[i]!, scale, ctx.reward, rates);
      return Array.from({ length: promptLen + sampled.completions[i]!.length - 1 }, (_, j) => (j + 1 >= promptLen ? perCompletionToken[j + 1 - promptLen]! : advantages[i]!));
    });
  }

  const completionTokens = sampled.completions.reduce((n, ids) => n + ids.length, 0);
  const totalSeconds = tSample + tScore + tLogprobs + tUpdate;
  const metrics: Record<string, number> = {
    reward: mean(totals),
    reward_std: std(totals),
    'rewards/step_rar/mean': mean(rewards.map((r) => r.r_acc)),
    'rewards/step_rvr/mean': mean(rewards.map((r) => r.r_val)),
    'rewards/answer/mean': mean(rewards.map((r) => (r.answer_correct ? 1 : 0))),
    key_step_recall: mean(rewards.map((r) => r.key_step_ratio)),
    validity_rate: mean(rewards.map((r) => r.validity)),
    frac_reward_zero_std: fracZeroStd(totals, G),
    kl: update.metrics.kl ?? 0,
    policy_loss: update.loss,
    entropy: update.metrics.entropy ?? 0,
    clip_ratio: update.metrics.clip_ratio ?? 0,
    'completions/mean_length': completionTokens / texts.length,
    grad_norm: update.gradNorm,
    lr,
    tokens_per_second: completionTokens / totalSeconds,
    step_time: totalSeconds,
  };

  const groups: RolloutGroup[] = examples.map((e, p) => {
    const image = ctx.imageForEvent?.(e);
    return {
      promptId: e.promptId,
      prompt: e.prompt,
      ...(image ? { image } : {}),
      reference: { answer: e.answer, keySteps: e.keySteps },
      samples: Array.from({ length: G }, (_, k) => {
        const i = p * G + k;
        const raw = tok.rawText?.(sampled.completions[i]!);
        return {
          text: texts[i]!,
          tokens: sampled.completions[i]!.length,
          rewards: rewards[i]!,
          advantage: advantages[i]!,
          ...(raw !== undefined && raw !== texts[i] ? { raw } : {}),
        };
      }),
    };
  });
  return { groups, metrics, split: { sample: tSample, score: tScore, logprobs: tLogprobs, update: tUpdate } };
}
