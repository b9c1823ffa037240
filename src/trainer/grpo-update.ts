// The policy update of one GRPO batch, shared by the StepGRPO step and the update sanity tests:
// reference log-probs, then `updatesPerBatch` fused train steps. Log-probs, ratio and KL are taken
// under softmax(logits / T), the distribution the completions were sampled from (TRL's convention);
// with T ≠ 1 and log-probs at T = 1 the update would climb the reward of a policy nobody sampled.
import type { ParamValues } from '../model/params';
import type { PolicyRuntime } from '../model/family';
import type { TrainStepResult } from '../model/policy';
import type { RlConfig } from './config';
import { completionMask } from './sequences';

export interface GrpoBatch {
  images: readonly Float32Array[];
  /** Prompt ids per sequence (BOS first). */
  prompts: readonly (readonly number[])[];
  /** Sampled ids per sequence, EOS included when it stopped there. */
  completions: readonly (readonly number[])[];
  /** One advantage per sequence, or one per predicted token of [prompt…, completion…]. */
  advantages: readonly number[] | readonly (readonly number[])[];
}

export interface GrpoUpdateResult {
  update: TrainStepResult;
  /** Seconds in log-prob passes and in train steps. */
  seconds: { logprobs: number; update: number };
}

export type GrpoUpdateConfig = Pick<RlConfig, 'temperature' | 'lr' | 'updatesPerBatch'> & Partial<Pick<RlConfig, 'adamEps'>>;

export async function grpoUpdate(policy: PolicyRuntime, refParams: ParamValues, batch: GrpoBatch, rl: GrpoUpdateConfig): Promise<GrpoUpdateResult> {
  const tokens = batch.prompts.map((p, i) => [...p, ...batch.completions[i]!]);
  // The loss counts exactly the predictions of completion tokens (EOS included), never the prompt or padding.
  const lossMask = tokens.map((seq, i) => completionMask(batch.prompts[i]!.length, seq.length));
  const seqs = { images: batch.images, tokens };
  const temperature = rl.temperature;

  let t = performance.now();
  // One update per batch: the sampling policy is the current one, so the train graph holds its own
  // log-probs constant as the "old" ones and no separate pass is needed.
  const old = rl.updatesPerBatch > 1 ? (await policy.logprobs(seqs, { temperature })).logp : undefined;
  const current = policy.params;
  policy.setParams(refParams);
  let ref;
  try {
    ref = await policy.logprobs(seqs, { temperature });
  } finally {
    policy.setParams(current);
  }
  const logprobs = (performance.now() - t) / 1000;

  t = performance.now();
  const step = {
    ...seqs,
    lossMask,
    objective: { kind: 'grpo', oldLogp: old, refLogp: ref.logp, advantages: batch.advantages } as const,
    lr: rl.lr,
    temperature,
    ...(rl.adamEps !== undefined ? { adamEps: rl.adamEps } : {}),
  };
  let update = await policy.trainStep(step);
  for (let k = 1; k < rl.updatesPerBatch; k++) update = await policy.trainStep(step);
  return { update, seconds: { logprobs, update: (performance.now() - t) / 1000 } };
}
