// The one schema of a group of sampled chains (DESIGN §3 `rollouts`), used wherever groups cross a
// boundary: the trainer's stdout, the run directory, the importer and the viewer webview.
import type { RewardBreakdown } from '../core/reward-types';
import type { TokenHeat } from '../core/token-heat';
import { array, boolean, issue, nullable, number, object, oneOf, optional, record, refine, string, union, type Schema } from './schema';

const offset = number({ integer: true, min: 0 });

/**
 * Every field of a RewardBreakdown that the viewer, the annotations or the metrics read. Violation
 * codes stay open strings (a newer trainer may add one), hence the cast to the core type.
 */
export const rewardBreakdownSchema: Schema<RewardBreakdown> = object({
  total: number(),
  r_acc: number(),
  r_val: number(),
  answer_correct: boolean(),
  answer: nullable(string()),
  key_step_ratio: number({ min: 0, max: 1 }),
  validity: oneOf([0, 1]),
  mode: oneOf(['r1vl', 'robust']),
  violations: array(object({ code: string(), message: string(), start: offset, end: offset })),
  key_steps: array(object({ text: string(), matched: boolean(), alternative: optional(nullable(string())), spans: array(array(offset)) })),
}) as Schema<RewardBreakdown>;

export const keyStepGroupSchema = union('a string or a list of strings', string(), array(string()));

export const rolloutSampleSchema: Schema<RolloutSample> = object({
  text: string(),
  tokens: number({ min: 0 }),
  rewards: rewardBreakdownSchema,
  advantage: number(),
  raw: optional(string()),
  engine: optional(record(number())),
  tokenHeat: optional(
    refine(object({ len: string(), logp: string(), entropy: string(), adv: string() }), (h, p) =>
      h.logp.length === h.len.length && h.entropy.length === h.len.length && h.adv.length === h.len.length
        ? null
        : issue(p, 'expected len, logp, entropy and adv of one length (one byte per token each)'),
    ),
  ),
});

export const rolloutGroupSchema: Schema<RolloutGroup> = object({
  promptId: string(),
  prompt: string(),
  image: optional(union('{path} or {dataUri}', object({ path: string() }), object({ dataUri: string() }))),
  reference: object({ answer: string(), keySteps: array(keyStepGroupSchema) }),
  samples: array(rolloutSampleSchema),
});

export interface RolloutSample {
  text: string;
  tokens: number;
  rewards: RewardBreakdown;
  advantage: number;
  /** The completion as the model wrote it (chat special tokens and the end token included), when that differs from `text`. */
  raw?: string;
  /** What the training engine itself reported for this sample (verl `score`, TRL reward columns), when imported. */
  engine?: Record<string, number>;
  /** Per-token log-prob, entropy and advantage (core/token-heat.ts): written by this trainer for a bounded number of samples per step; absent in imported runs. */
  tokenHeat?: TokenHeat;
}

export interface RolloutGroup {
  promptId: string;
  prompt: string;
  image?: { path: string } | { dataUri: string };
  reference: { answer: string; keySteps: (string | string[])[] };
  samples: RolloutSample[];
}
