// What a trainer checkpoint's state.json holds beyond the weights, and the check that a file read
// back really holds it (a hand-edited or foreign state.json fails here, naming the field).
import type { PolicyConfig } from '../model/config';
import type { TokenizerJSON } from '../model/tokenizer';
import type { TrainConfig } from './config';
import type { DataCursor } from './data/example';
import type { FamilyState } from './policy-family';

export interface CheckpointState {
  /** The tiny policy's config, or the HF model's family state. */
  policy: FamilyState;
  config: TrainConfig;
  /** The tiny policy's fitted tokenizer; null for an HF model (its folder holds the tokenizer). */
  tokenizer: TokenizerJSON | null;
  /** Steps done: SFT steps first, then RL steps. */
  step: number;
  dataCursor: DataCursor;
  /** Checkpoint folder (name) holding the KL reference, once SFT has finished. */
  reference: string | null;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `state` as a CheckpointState, or an error naming `file` and the first field that is wrong. */
export function checkpointState(state: unknown, file: string): CheckpointState {
  const fail = (field: string, want: string): never => {
    throw new Error(`${file}: field '${field}' should be ${want}`);
  };
  if (!isObject(state)) return fail('(root)', 'an object');
  for (const field of ['policy', 'config', 'dataCursor'] as const) if (!isObject(state[field])) fail(field, 'an object');
  if (!Number.isInteger(state.step) || (state.step as number) < 0) fail('step', 'an integer ≥ 0');
  const cursor = state.dataCursor as Record<string, unknown>;
  if (typeof cursor.source !== 'string') fail('dataCursor.source', 'a string');
  for (const k of ['epoch', 'index'] as const) if (!Number.isInteger(cursor[k]) || (cursor[k] as number) < 0) fail(`dataCursor.${k}`, 'an integer ≥ 0');
  if (state.reference !== null && typeof state.reference !== 'string') fail('reference', 'a checkpoint folder name or null');
  const hf = (state.policy as Record<string, unknown>).family === 'hf';
  if (hf) {
    if (state.tokenizer !== null) fail('tokenizer', 'null for a Hugging Face model');
    if (typeof (state.policy as Record<string, unknown>).dir !== 'string') fail('policy.dir', 'the model folder');
  } else if (!isObject(state.tokenizer) || !Array.isArray(state.tokenizer.tokens)) fail('tokenizer.tokens', 'a list');
  return state as unknown as CheckpointState;
}

/** A tiny-policy checkpoint's state: what the scripts that study the embedded task read. */
export interface TinyCheckpointState extends CheckpointState {
  policy: PolicyConfig;
  tokenizer: TokenizerJSON;
}

/** `state` (checked as checkpointState does) when it holds the tiny policy; an error naming `file` otherwise. */
export function tinyCheckpointState(state: unknown, file: string): TinyCheckpointState {
  const s = checkpointState(state, file);
  if (s.tokenizer === null || (s.policy as { family?: string }).family === 'hf') throw new Error(`${file}: holds a Hugging Face model; this reads tiny-policy checkpoints only`);
  return s as TinyCheckpointState;
}
