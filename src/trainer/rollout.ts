// The one rollout (DESIGN §2, §6): sample G chains per prompt, decode them, score them with
// StepRAR + StepRVR, group-relative advantages. RL steps, evaluation (greedy, G = 1), the ablation's
// runs and the scripts all sample through here, so a chain is scored the same way everywhere.
import { type AdvantageOptions, groupAdvantages } from '../core/grpo';
import { scoreChain } from '../core/reward';
import type { RewardBreakdown, RewardConfig } from '../core/reward-types';
import type { TokenHeat } from '../core/token-heat';
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { RolloutGroup } from '../protocol/trainer-messages';
import type { Example } from './data/example';
import { encodePrompt } from './sequences';

export interface SamplingSettings {
  /** Chains per prompt (G). */
  groupSize: number;
  /** 0 = greedy. */
  temperature: number;
  topP?: number;
  topK?: number;
  repetitionPenalty?: number;
  maxNewTokens: number;
  /** The sampling seed of sequence i (prompt after prompt, G each): callers keep their streams. */
  seedOf: (i: number) => number;
}

/** Evaluation's sampling: one greedy chain per prompt, seeded by the prompt's index (as evaluation always was). */
export const greedySampling = (maxNewTokens: number): SamplingSettings => ({ groupSize: 1, temperature: 0, maxNewTokens, seedOf: (i) => i });

export interface RolloutRequest {
  policy: PolicyRuntime;
  codec: ChainCodec;
  examples: readonly Example[];
  sampling: SamplingSettings;
  reward: RewardConfig;
  advantage?: AdvantageOptions;
  /** Ids each example's completion is forced to begin with (fed after its prompt; part of the completion). */
  prefixes?: readonly (readonly number[])[];
}

/** Everything per sequence, group after group: what the update, the events and the metrics need. */
export interface Rollout {
  examples: readonly Example[];
  groupSize: number;
  images: Float32Array[];
  /** Prompt ids (BOS first), cut to the policy's text length. */
  prompts: number[][];
  /** Sampled ids, EOS included when the chain stopped there. */
  completions: number[][];
  texts: string[];
  rewards: RewardBreakdown[];
  advantages: number[];
  seconds: { sample: number; score: number };
}

export async function rollout(r: RolloutRequest): Promise<Rollout> {
  const { policy, codec, examples, sampling } = r;
  const G = sampling.groupSize;
  const perExample = examples.map((e, p) => {
    const prefix = r.prefixes?.[p] ?? [];
    return { image: policy.imageFor(e.image), prompt: encodePrompt(codec, e).ids.slice(0, policy.maxTextLen), prefix };
  });
  const images = perExample.flatMap((x) => Array<Float32Array>(G).fill(x.image));
  const prompts = perExample.flatMap((x) => Array<number[]>(G).fill(x.prompt));
  const prefixes = perExample.flatMap((x) => Array<readonly number[]>(G).fill(x.prefix));

  let t = performance.now();
  const sampled = await policy.sample({
    images,
    prompts: prompts.map((p, i) => [...p, ...prefixes[i]!]),
    seeds: prompts.map((_, i) => sampling.seedOf(i)),
    temperature: sampling.temperature,
    ...(sampling.topP !== undefined ? { topP: sampling.topP } : {}),
    ...(sampling.topK !== undefined ? { topK: sampling.topK } : {}),
    ...(sampling.repetitionPenalty !== undefined ? { repetitionPenalty: sampling.repetitionPenalty } : {}),
    maxNewTokens: sampling.maxNewTokens,
  });
  const sample = (performance.now() - t) / 1000;

  // A forced prefix counts against maxNewTokens like sampled ids (a cut chain loses its EOS, as any cut chain does).
  const completions = r.prefixes ? sampled.completions.map((ids, i) => [...prefixes[i]!, ...ids].slice(0, sampling.maxNewTokens)) : sampled.completions;
  t = performance.now();
  const texts = completions.map((ids) => codec.chainText(ids));
  const rewards = texts.map((text, i) => {
    const e = examples[Math.floor(i / G)]!;
    return scoreChain(text, { answer: e.answer, keySteps: e.keySteps }, r.reward);
  });
  const advantages = groupAdvantages(
    rewards.map((x) => x.total),
    G,
    r.advantage,
  );
  const score = (performance.now() - t) / 1000;
  return { examples, groupSize: G, images, prompts, completions, texts, rewards, advantages, seconds: { sample, score } };
}

/** The rollout as the protocol's groups (the `rollouts` event, the step's metrics). */
export function rolloutGroups(r: Rollout, codec: ChainCodec, imageForEvent?: (e: Example) => RolloutGroup['image'], tokenHeat?: ReadonlyMap<number, TokenHeat>): RolloutGroup[] {
  const G = r.groupSize;
  return r.examples.map((e, p) => {
    const image = imageForEvent?.(e);
    return {
      promptId: e.promptId,
      prompt: e.prompt,
      ...(image ? { image } : {}),
      reference: { answer: e.answer, keySteps: e.keySteps },
      samples: Array.from({ length: G }, (_, k) => {
        const i = p * G + k;
        const raw = codec.rawText?.(r.completions[i]!);
        const heat = tokenHeat?.get(i);
        return {
          text: r.texts[i]!,
          tokens: r.completions[i]!.length,
          rewards: r.rewards[i]!,
          advantage: r.advantages[i]!,
          ...(raw !== undefined && raw !== r.texts[i] ? { raw } : {}),
          ...(heat ? { tokenHeat: heat } : {}),
        };
      }),
    };
  });
}
