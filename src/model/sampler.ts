// Token selection from logits: temperature, nucleus (top-p), greedy at temperature 0. Exactly one
// uniform draw per sampled token, so a sequence's tokens depend only on its own seed and logits.
import type { Rng } from './rng';

export interface SamplingOptions {
  /** 0 = greedy. R1-VL samples RL groups at 1.2. */
  temperature: number;
  /** Keep the smallest set of tokens whose probability reaches topP (1 = off). */
  topP: number;
  maxNewTokens: number;
  /** Stop a sequence when it emits the end token (off only for benchmarks). */
  stopAtEos: boolean;
}

export const SAMPLING_DEFAULTS: SamplingOptions = { temperature: 1.0, topP: 1.0, maxNewTokens: 128, stopAtEos: true };

export function validateSampling(o: SamplingOptions): void {
  if (!(o.temperature >= 0) || !Number.isFinite(o.temperature)) throw new Error(`sampling: temperature must be ≥ 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new Error(`sampling: topP must be in (0, 1], got ${o.topP}`);
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1) throw new Error(`sampling: maxNewTokens must be a positive integer, got ${o.maxNewTokens}`);
}

/** exp((logit − max) / T) for each of logits[offset .. offset+V), their sum, and the max. */
function weights(logits: ArrayLike<number>, offset: number, V: number, temperature: number): { probs: Float64Array; sum: number; max: number } {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]!);
  const probs = new Float64Array(V);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += probs[v] = Math.exp((logits[offset + v]! - max) / temperature);
  return { probs, sum, max };
}

/** The first token whose cumulative probability passes u (the last one when rounding leaves u unreached). */
function drawFrom(probs: Float64Array, sum: number, u: number): number {
  let acc = 0;
  for (let v = 0; v < probs.length; v++) if ((acc += probs[v]! / sum) > u) return v;
  return probs.length - 1;
}

/** Picks a token from logits[offset .. offset+V). */
export function pickToken(logits: ArrayLike<number>, offset: number, V: number, o: SamplingOptions, rng: Rng): number {
  if (o.temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
    return best;
  }
  const { probs, sum } = weights(logits, offset, V, o.temperature);
  const u = rng.next();
  if (o.topP >= 1) return drawFrom(probs, sum, u);
  const order = [...Array(V).keys()].sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = 0;
  let mass = 0;
  while (kept < V && mass < o.topP * sum) mass += probs[order[kept++]!]!;
  let acc = 0;
  for (let k = 0; k < kept; k++) if ((acc += probs[order[k]!]! / mass) > u) return order[k]!;
  return order[kept - 1]!;
}

/** log softmax(logits[offset .. offset+V) / temperature)[token], in float64. */
export function tokenLogprob(logits: ArrayLike<number>, offset: number, V: number, token: number, temperature: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]! / temperature);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[offset + v]! / temperature - max);
  return logits[offset + token]! / temperature - max - Math.log(sum);
}

/**
 * pickToken and tokenLogprob in one pass over the logits where they share it: at T > 0 the
 * normaliser that draws the token also gives its log-probability (one exp per vocabulary entry
 * instead of two, which matters at a 150 k vocabulary). The token is exactly pickToken's.
 */
export function sampleToken(logits: ArrayLike<number>, offset: number, V: number, o: SamplingOptions, rng: Rng): { token: number; logprob: number } {
  if (o.temperature === 0 || o.topP < 1) {
    const token = pickToken(logits, offset, V, o, rng);
    return { token, logprob: tokenLogprob(logits, offset, V, token, o.temperature > 0 ? o.temperature : 1) };
  }
  const { probs, sum, max } = weights(logits, offset, V, o.temperature);
  const token = drawFrom(probs, sum, rng.next());
  return { token, logprob: (logits[offset + token]! - max) / o.temperature - Math.log(sum) };
}
