// The one schema of a group of sampled chains (DESIGN §3 `rollouts`), used wherever groups cross a
// boundary: the trainer's stdout, the run directory, the importer and the viewer webview.
import type { RewardBreakdown } from '../core/reward-types';
import { array, boolean, nullable, number, object, oneOf, optional, record, string, union, type Schema } from './schema';

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
}

export interface RolloutGroup {
  promptId: string;
  prompt: string;
  image?: { path: string } | { dataUri: string };
  reference: { answer: string; keySteps: (string | string[])[] };
  samples: RolloutSample[];
}
