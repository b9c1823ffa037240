// Token selection from logits: repetition penalty, temperature, top-k, nucleus (top-p), greedy at
// temperature 0, in transformers' order (the penalty a logits processor, then the warpers). Exactly
// one uniform draw per sampled token, so a sequence's tokens depend only on its own seed and logits.
import type { Rng } from './rng';

export interface SamplingOptions {
  /** 0 = greedy. R1-VL samples RL groups at 1.2. */
  temperature: number;
  /** Keep the smallest set of tokens whose probability reaches topP (1 = off). */
  topP: number;
  /**
   * Keep the topK most probable tokens (0 = off), before top-p. As transformers' top_k, tokens tied
   * with the k-th are kept too.
   */
  topK: number;
  /**
   * The logits of every token already in the sequence, prompt included, divided by this where
   * positive and multiplied where negative (1 = off): transformers' and vLLM's repetition_penalty.
   */
  repetitionPenalty: number;
  maxNewTokens: number;
  /** Stop a sequence when it emits the end token (off only for benchmarks). */
  stopAtEos: boolean;
}

export const SAMPLING_DEFAULTS: SamplingOptions = { temperature: 1.0, topP: 1.0, topK: 0, repetitionPenalty: 1, maxNewTokens: 128, stopAtEos: true };

export function validateSampling(o: SamplingOptions): void {
  if (!(o.temperature >= 0) || !Number.isFinite(o.temperature)) throw new Error(`sampling: temperature must be ≥ 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new Error(`sampling: topP must be in (0, 1], got ${o.topP}`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw new Error(`sampling: topK must be an integer ≥ 0 (0 = off), got ${o.topK}`);
  if (!(o.repetitionPenalty > 0) || !Number.isFinite(o.repetitionPenalty))
    throw new Error(`sampling: repetitionPenalty must be a number > 0 (1 = off), got ${o.repetitionPenalty}`);
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1) throw new Error(`sampling: maxNewTokens must be a positive integer, got ${o.maxNewTokens}`);
}

/** Whether tokens are drawn from the plain softmax at the temperature (no penalty or truncation). */
export function isPlainDraw(o: SamplingOptions): boolean {
  return o.temperature > 0 && o.topP >= 1 && o.topK === 0 && o.repetitionPenalty === 1;
}

/**
 * The array weights() writes into, reused from one sampled token to the next (a fresh one per token
 * was a share of the demo batch's garbage collection); nothing keeps it past the token it was made for.
 */
let scratch = new Float64Array(0);

/** exp((logit − max) / T) for each of logits[offset .. offset+V), their sum, and the max. */
function weights(logits: ArrayLike<number>, offset: number, V: number, temperature: number): { probs: Float64Array; sum: number; max: number } {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]!);
  if (scratch.length !== V) scratch = new Float64Array(V);
  const probs = scratch;
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

function argmax(logits: ArrayLike<number>, offset: number, V: number): number {
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
  return best;
}

/** The token uniform `u` picks from the weights, after top-k and top-p. */
function drawToken({ probs, sum }: { probs: Float64Array; sum: number }, u: number, o: SamplingOptions): number {
  const truncated = o.topK > 0 && o.topK < probs.length;
  if (!truncated && o.topP >= 1) return drawFrom(probs, sum, u);
  const { order, mass } = kept(probs, sum, o, truncated);
  let acc = 0;
  for (const v of order) if ((acc += probs[v]! / mass) > u) return v;
  return order.at(-1)!;
}

/**
 * The tokens a truncated draw picks from, in descending weight (ties by id), and their summed
 * weight: the top k (with the k-th's ties), then the nucleus of what is left, its mass measured
 * against the kept tokens' weight as transformers' top-p after top-k.
 */
export function kept(
  probs: Float64Array,
  sum: number,
  o: Pick<SamplingOptions, 'topK' | 'topP'>,
  truncated = o.topK > 0 && o.topK < probs.length,
): { order: number[]; mass: number } {
  if (!truncated) return nucleus(probs, sum, o.topP);
  const floor = kthLargest(probs, o.topK);
  const top: number[] = [];
  for (let v = 0; v < probs.length; v++) if (probs[v]! >= floor) top.push(v);
  // Their weight summed in descending order, as the nucleus sums it.
  top.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let mass = 0;
  for (const v of top) mass += probs[v]!;
  return heaviestPrefix(probs, top, o.topP >= 1 ? Infinity : o.topP * mass, true)!;
}

/** The k-th largest of `values` (1 ≤ k ≤ length), through a min-heap of the k largest seen: O(V log k). */
function kthLargest(values: Float64Array, k: number): number {
  const heap = values.slice(0, k);
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < k && heap[l]! < heap[m]!) m = l;
      if (r < k && heap[r]! < heap[m]!) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
  for (let v = k; v < values.length; v++) {
    if (values[v]! <= heap[0]!) continue;
    heap[0] = values[v]!;
    down(0);
  }
  return heap[0]!;
}

/** The array penalized() writes into, reused like weights()'s. */
let penaltyScratch = new Float64Array(0);

/**
 * logits[offset .. offset+V) with the repetition penalty applied to the tokens in `seen`, into a
 * reused array (transformers' rule: a positive logit divided by the penalty, a negative one
 * multiplied, each token once however often it occurs).
 */
export function penalized(logits: ArrayLike<number>, offset: number, V: number, penalty: number, seen: readonly number[]): Float64Array {
  if (penaltyScratch.length !== V) penaltyScratch = new Float64Array(V);
  const out = penaltyScratch;
  for (let v = 0; v < V; v++) out[v] = logits[offset + v]!;
  for (const t of new Set(seen)) {
    if (!(t >= 0 && t < V)) continue;
    const x = logits[offset + t]!;
    out[t] = x < 0 ? x * penalty : x / penalty;
  }
  return out;
}

/**
 * Weight floors tried in turn for the nucleus's candidates before every token is (the largest weight
 * is exactly 1). At a 150 k vocabulary a sort of every token took 78–193 ms per sampled token, while
 * the nucleus of a language model's logits holds a few hundred to a few thousand tokens.
 */
const NUCLEUS_FLOORS = Array.from({ length: 15 }, (_, k) => 10 ** -(k + 1));

/**
 * The nucleus: the smallest prefix of the tokens in descending weight (ties by id) whose weight
 * reaches topP · sum, and that weight, summed in that order. Only the tokens above a floor are
 * sorted: they are a prefix of the whole order (every other token weighs less), so a prefix that
 * ends among them is exactly the one a sort of every token gives. A floor whose tokens weigh less
 * than the target in all is passed over without sorting.
 */
export function nucleus(probs: Float64Array, sum: number, topP: number): { order: number[]; mass: number } {
  const target = topP * sum;
  for (const floor of NUCLEUS_FLOORS) {
    let above = 0;
    for (let v = 0; v < probs.length; v++) if (probs[v]! >= floor) above += probs[v]!;
    if (above < target) continue;
    const candidates: number[] = [];
    for (let v = 0; v < probs.length; v++) if (probs[v]! >= floor) candidates.push(v);
    const found = heaviestPrefix(probs, candidates, target);
    if (found) return found;
  }
  return heaviestPrefix(probs, [...probs.keys()], target, true)!;
}

/** The prefix of `candidates` sorted by weight that reaches `target`; undefined if they run out first (unless `all`). */
function heaviestPrefix(probs: Float64Array, candidates: number[], target: number, all = false): { order: number[]; mass: number } | undefined {
  candidates.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let kept = 0;
  let mass = 0;
  while (kept < candidates.length && mass < target) mass += probs[candidates[kept++]!]!;
  return mass >= target || all ? { order: candidates.slice(0, kept), mass } : undefined;
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
 * A token from logits[offset .. offset+V) and its log-probability. The token: after the repetition
 * penalty (`seen` is the sequence so far), the argmax at T = 0, else one uniform's draw from the
 * weights at T after top-k and top-p. The log-probability is the policy's: under softmax(logits / T)
 * (T = 1 for greedy), before the penalty, top-k and top-p. At T > 0 the normaliser that draws the
 * token also gives it (one exp per vocabulary entry, not two: at a 150 k vocabulary each pass is
 * ≈ 2 ms, docs/engine.md); a greedy draw reads it from `softmax` (softmax(logits) at the same
 * offset, from the decode graph) where given.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  offset: number,
  V: number,
  o: SamplingOptions,
  rng: Rng,
  seen: readonly number[] = [],
  softmax?: ArrayLike<number>,
): { token: number; logprob: number } {
  const penalty = o.repetitionPenalty !== 1;
  const scores = penalty ? penalized(logits, offset, V, o.repetitionPenalty, seen) : logits;
  const at = penalty ? 0 : offset;
  if (o.temperature === 0) {
    const token = argmax(scores, at, V);
    // float32 loses a probability below ~1e-38 (a penalised argmax can be that unlikely): then the exp pass.
    const p = softmax?.[offset + token] ?? 0;
    return { token, logprob: p > 1e-30 ? Math.log(p) : tokenLogprob(logits, offset, V, token, 1) };
  }
  const w = weights(scores, at, V, o.temperature);
  const token = drawToken(w, rng.next(), o);
  const logprob = penalty ? unpenalizedLogprob(logits, offset, w, token, o.temperature, seen) : (logits[offset + token]! - w.max) / o.temperature - Math.log(w.sum);
  return { token, logprob };
}

/**
 * log softmax(logits / T)[token] from the weights of the penalized logits: the two differ only at
 * the seen tokens, so their weights are swapped for the unpenalized ones (zeroed in `w.probs`, which
 * the draw no longer needs) and the rest is summed again without an exp. Rescaled to the larger of
 * the two maxima, so a penalized token that was the largest cannot overflow.
 */
function unpenalizedLogprob(logits: ArrayLike<number>, offset: number, w: { probs: Float64Array; max: number }, token: number, T: number, seen: readonly number[]): number {
  const V = w.probs.length;
  const repeated = [...new Set(seen)].filter((t) => t >= 0 && t < V);
  let top = w.max;
  for (const t of repeated) top = Math.max(top, logits[offset + t]!);
  for (const t of repeated) w.probs[t] = 0;
  let rest = 0;
  for (let v = 0; v < V; v++) rest += w.probs[v]!;
  let sum = rest * Math.exp((w.max - top) / T);
  for (const t of repeated) sum += Math.exp((logits[offset + t]! - top) / T);
  return (logits[offset + token]! - top) / T - Math.log(sum);
}

/**
 * A token drawn from probabilities probs[offset .. offset+V) (the softmax at the sampling
 * temperature, computed by the decode graph), and its log-probability. The rule of drawFrom: the
 * first token whose cumulative probability passes u, over the float32 probabilities instead of
 * float64 weights, so a token differs only where u falls within rounding of a boundary.
 */
export function drawFromProbs(probs: ArrayLike<number>, offset: number, V: number, rng: Rng): { token: number; logprob: number } {
  let sum = 0;
  for (let v = 0; v < V; v++) sum += probs[offset + v]!;
  const target = rng.next() * sum;
  let acc = 0;
  let token = -1;
  for (let v = 0; v < V; v++) {
    const p = probs[offset + v]!;
    if (p > 0) token = v;
    if ((acc += p) > target) break;
  }
  return { token, logprob: Math.log(probs[offset + token]! / sum) };
}
