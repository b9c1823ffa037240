// The data contract between task sources (synthetic task, R1-VL-10K loader) and the trainer,
// evaluator and viewer (DESIGN §8). Everything a trainer needs for one prompt, nothing more.
import type { KeyStepGroup } from '../../core/reward-types';

export interface Example {
  /** Stable across runs and machines: derived from the example's content, never from its position. */
  promptId: string;
  /** The question text as the user asks it (choices included for multiple-choice questions). */
  prompt: string;
  /** Planar RGB in 0..1, shape [3, imageSize, imageSize] (channel-major), or null for text-only records. */
  image: Float32Array | null;
  // Treat as read-only: sources may hand the same array to several callers (decoded-image cache).
  /** Side length of the (square) image the model sees. */
  imageSize: number;
  /** Reference reasoning chain in the R1-VL section format, ending with `### The final answer is: …`. */
  solution: string;
  /** The gold answer as it appears after `### The final answer is:` in the solution. */
  answer: string;
  /** R1-VL-10K `key_steps.Steps`: each item is a string or a list of alternatives. */
  keySteps: KeyStepGroup[];
  /** Free-form tags for per-slice metrics (e.g. the synthetic template, the source file). */
  meta?: Record<string, string | number | boolean>;
}

export type ExampleText = Pick<Example, 'prompt' | 'solution'>;

/** Where a training stream stands: saved in every checkpoint's state.json, restored on resume. */
export interface DataCursor {
  /** Fingerprint of the source the cursor belongs to; resuming against another source is an error. */
  source: string;
  /** Completed passes over the training split. */
  epoch: number;
  /** Position inside the current epoch's shuffled order. */
  index: number;
}

/** An endless, epoch-shuffled stream over a training split. */
export interface TrainStream {
  next(): Example;
  /** Take the next n examples (a batch). */
  take(n: number): Example[];
  /** The position of the next example; `source.train(cursor)` continues exactly here. */
  cursor(): DataCursor;
}

export interface TaskSource {
  /** Stable description of the data (source kind, seed/path, knobs); equal fingerprints mean equal data. */
  readonly fingerprint: string;
  readonly imageSize: number;
  readonly trainSize: number;
  readonly evalSize: number;
  /** The i-th training example in canonical (unshuffled) order. */
  trainAt(i: number): Example;
  /** The text of the i-th training example without loading its image (tokenizer fitting, corpus export). */
  trainTextAt(i: number): ExampleText;
  /** The i-th held-out example. */
  evalAt(i: number): Example;
  /** Endless stream over the training split in a per-epoch shuffled order, optionally resumed from a cursor. */
  train(from?: DataCursor): TrainStream;
  /** One pass over the held-out split, in a fixed order. */
  eval(): IterableIterator<Example>;
}
