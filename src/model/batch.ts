// Packing variable-length sequences into the [B, Tt] tensors the graphs take, where Tt is the batch's
// longest sequence rounded up to a bucket (B and Tt are symbolic in the graphs: any values run).
// Per-token arrays are aligned to predicted tokens: entry j belongs to tokens[j + 1].
import type { PolicyConfig } from './config';

/** What packing and checks need of a model: its longest sequence and its vocabulary. */
export type SequenceLimits = Pick<PolicyConfig, 'maxTextLen' | 'vocabSize'>;

export interface SequenceBatch {
  /** One image per sequence: Float32Array [C, H, W], values 0..1. */
  images: readonly Float32Array[];
  /** Token ids per sequence (BOS … ), at most maxTextLen long. */
  tokens: readonly (readonly number[])[];
}

export function checkBatch(c: SequenceLimits, batch: SequenceBatch, what: string): void {
  if (batch.images.length !== batch.tokens.length) throw new Error(`${what}: ${batch.images.length} images for ${batch.tokens.length} sequences`);
  checkTokens(c, batch.tokens, what);
}

/** Every sequence 1..maxTextLen long, every id inside the vocabulary. */
export function checkTokens(c: SequenceLimits, tokens: readonly (readonly number[])[], what: string): void {
  tokens.forEach((t, b) => {
    if (t.length < 1 || t.length > c.maxTextLen) throw new Error(`${what}: sequence ${b} has ${t.length} tokens (allowed 1..${c.maxTextLen})`);
    for (const id of t)
      if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) throw new Error(`${what}: sequence ${b} holds token id ${id} outside vocabulary of ${c.vocabSize}`);
  });
}

/**
 * Bucket width. Sessions no longer depend on Tt; the bucket stays so that a batch's arithmetic is
 * the one the shipped checkpoint and the measured results were made with (docs/engine.md).
 */
export const TEXT_BUCKET = 32;

/** The text length a batch is packed to: its longest sequence rounded up to TEXT_BUCKET, at most maxTextLen. */
export function textLengthFor(c: SequenceLimits, tokens: readonly (readonly number[])[]): number {
  const longest = tokens.reduce((m, t) => Math.max(m, t.length), 1);
  return Math.min(c.maxTextLen, Math.ceil(longest / TEXT_BUCKET) * TEXT_BUCKET);
}

/** ids [B,Tt] (padded) and next-token targets [B,Tt] as int64. */
export function packTokens(c: SequenceLimits, tokens: readonly (readonly number[])[], pad: number, Tt = c.maxTextLen): { ids: BigInt64Array; targets: BigInt64Array } {
  const ids = new BigInt64Array(tokens.length * Tt).fill(BigInt(pad));
  const targets = new BigInt64Array(tokens.length * Tt).fill(BigInt(pad));
  tokens.forEach((t, b) => {
    for (let j = 0; j < t.length; j++) {
      ids[b * Tt + j] = BigInt(t[j]!);
      if (j > 0) targets[b * Tt + j - 1] = BigInt(t[j]!);
    }
  });
  return { ids, targets };
}

/** Per-token rows (row b at most tokens[b].length − 1 long) into a zero-padded [B,Tt] array. */
export function packPerToken(c: SequenceLimits, rows: readonly (readonly number[])[], lengths: readonly number[], what: string, Tt = c.maxTextLen): Float32Array {
  if (rows.length !== lengths.length) throw new Error(`${what}: ${rows.length} rows for ${lengths.length} sequences`);
  const out = new Float32Array(rows.length * Tt);
  rows.forEach((r, b) => {
    if (r.length > Math.max(0, lengths[b]! - 1)) throw new Error(`${what}: row ${b} has ${r.length} entries, sequence has ${lengths[b]! - 1} predicted tokens`);
    for (let j = 0; j < r.length; j++) out[b * Tt + j] = r[j]!;
  });
  return out;
}

/** Inverse of packPerToken: row b gets tokens[b].length − 1 entries. */
export function unpackPerToken(c: SequenceLimits, data: ArrayLike<number>, lengths: readonly number[], Tt = c.maxTextLen): number[][] {
  return lengths.map((n, b) => Array.from({ length: Math.max(0, n - 1) }, (_, j) => data[b * Tt + j]!));
}

/**
 * Sequence indices split into micro-batches of at most `size`, for runs that would not fit one
 * graph run's memory. A batch that fits stays whole and in order. Otherwise sequences are ordered by
 * length, so each micro-batch is padded only to its own longest, and the micro-batches are made
 * equal in size (±1), so a batch needs few session shapes.
 */
export function microBatches(lengths: readonly number[], size: number): number[][] {
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`micro-batch size must be an integer ≥ 1, got ${size}`);
  const order = lengths.map((_, b) => b);
  if (lengths.length <= size) return [order];
  order.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const count = Math.ceil(lengths.length / size);
  const out: number[][] = [];
  for (let k = 0, start = 0; k < count; k++) {
    const end = Math.round(((k + 1) * lengths.length) / count);
    out.push(order.slice(start, end));
    start = end;
  }
  return out;
}
