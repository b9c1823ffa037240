// What a trainer checkpoint's state.json holds beyond the weights, and the check that a file read
// back really holds it (a hand-edited or foreign state.json fails here, naming the field).
import type { PolicyConfig } from '../model/config';
import type { TokenizerJSON } from '../model/tokenizer';
import type { TrainConfig } from './config';
import type { DataCursor } from './data/example';

export interface CheckpointState {
  policy: PolicyConfig;
  config: TrainConfig;
  tokenizer: TokenizerJSON;
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
  for (const field of ['policy', 'config', 'tokenizer', 'dataCursor'] as const) if (!isObject(state[field])) fail(field, 'an object');
  if (!Number.isInteger(state.step) || (state.step as number) < 0) fail('step', 'an integer ≥ 0');
  const cursor = state.dataCursor as Record<string, unknown>;
  if (typeof cursor.source !== 'string') fail('dataCursor.source', 'a string');
  for (const k of ['epoch', 'index'] as const) if (!Number.isInteger(cursor[k]) || (cursor[k] as number) < 0) fail(`dataCursor.${k}`, 'an integer ≥ 0');
  if (state.reference !== null && typeof state.reference !== 'string') fail('reference', 'a checkpoint folder name or null');
  if (!Array.isArray((state.tokenizer as Record<string, unknown>).tokens)) fail('tokenizer.tokens', 'a list');
  return state as unknown as CheckpointState;
}
