// The seam between the trainer and a model family (the tiny multimodal policy, an HF decoder):
// what the trainer, sampler, checkpoints and viewer use, and nothing of how a family builds its
// graphs or tokenizes text.
import type { SequenceBatch } from './batch';
import type { SampleResult, SampleSettings } from './kv-sampler';
import type { ParamValues } from './params';
import type { LogprobsOptions, LogprobsResult, OptimizerState, TrainBatch, TrainStepResult } from './policy';

export type ModelFamily = 'tiny' | 'hf';

/** A policy at run time: its trainable tensors with their optimiser state, and one session per phase. */
export interface PolicyRuntime {
  readonly family: ModelFamily;
  /** Longest sequence (prompt + completion) in tokens. */
  readonly maxTextLen: number;
  readonly vocabSize: number;
  /** The tensors train steps update; train steps may change these arrays in place (copy to keep a snapshot). */
  params: ParamValues;
  optimizerState: OptimizerState;
  setParams(values: ParamValues): void;
  setOptimizerState(state: OptimizerState): void;
  freshOptimizerState(): OptimizerState;
  /** The image a sequence of this example feeds (a blank one when it has none; families without images ignore it). */
  imageFor(image: Float32Array | null): Float32Array;
  logprobs(batch: SequenceBatch, options?: LogprobsOptions): Promise<LogprobsResult>;
  trainStep(batch: TrainBatch): Promise<TrainStepResult>;
  sample(req: SampleSettings & { images: readonly Float32Array[] }): Promise<SampleResult>;
  release(): Promise<void>;
}

/** How a family turns a question and a reasoning chain into token ids and back. */
export interface ChainCodec {
  readonly vocabSize: number;
  /** The ids a completion follows: the question in the family's prompt format (chat template, BOS). */
  promptIds(prompt: string): number[];
  /** A supervised completion: the chain's ids, then the end-of-sequence token. */
  completionIds(solution: string): number[];
  /** The chain text of completion ids, as the rewards see it: end-of-sequence and special tokens dropped. */
  chainText(ids: readonly number[]): string;
  /** The completion as the model wrote it, special tokens included (families whose chains can hold them). */
  rawText?(ids: readonly number[]): string;
}
