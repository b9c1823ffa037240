// The nucleus as the sampler first computed it, by sorting every token: the reference the threshold
// version in src/model/sampler.ts must equal exactly (its unit test) and is timed against (the bench);
// and logits of a language model's shape for the sampler's tests.
import type { Rng } from '../../src/model/rng';

/** Every token sorted by descending weight (ties by id), kept until the weight reaches topP · sum. */
export function nucleusBySortingAll(probs: Float64Array, sum: number, topP: number): { order: number[]; mass: number } {
  const order = [...probs.keys()].sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = 0;
  let mass = 0;
  while (kept < order.length && mass < topP * sum) mass += probs[order[kept++]!]!;
  return { order: order.slice(0, kept), mass };
}

/** Sampling weights exp((logit − max) / T) and their sum, as the sampler makes them. */
export function samplingWeights(logits: ArrayLike<number>, temperature: number): { probs: Float64Array; sum: number } {
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) max = Math.max(max, logits[v]!);
  const probs = new Float64Array(logits.length);
  let sum = 0;
  for (let v = 0; v < logits.length; v++) sum += probs[v] = Math.exp((logits[v]! - max) / temperature);
  return { probs, sum };
}

/** Logits of a language model's shape: a few likely tokens over a long tail; `steps` > 0 rounds them, so many tie. */
export function lmLogits(rng: Rng, V: number, spread: number, steps = 0): Float32Array {
  const out = new Float32Array(V);
  for (let v = 0; v < V; v++) {
    const x = spread * (rng.next() ** 8 - 0.5) * 2;
    out[v] = steps ? Math.round(x * steps) / steps : x;
  }
  return out;
}
