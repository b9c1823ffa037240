// The KV-cache sampling loop every model family shares: prefill the prefix all sequences have in
// common, then one decode run per position over the unfinished sequences, finished ones compacted
// away. Sequences with the same prefix (a GRPO group's chains) are prefilled once. A family supplies
// its prefill and decode sessions (and any positions before the text, such as the tiny policy's
// image patches).
import type { EngineSession, HostTensor } from '../engine';
import { FEED } from './feed-names';
import { KvCache, type KvLayout, type KvStorage } from './kv-cache';
import { Rng } from './rng';
import { SAMPLING_DEFAULTS, type SamplingOptions, drawFromProbs, isPlainDraw, sampleToken, validateSampling } from './sampler';

/**
 * Finished sequences leave the decode batch once they are this share of it. A decode row costs
 * about as much as moving its cache block, so waiting for a quarter (as before) left ~23 % of the
 * demo batch's decode rows finished ones; 1/16 leaves ~3 % (docs/engine.md).
 */
export const COMPACT_SHARE = 1 / 16;

/** Prefixes per prefill run (docs/engine.md). */
export const PREFILL_ROWS = 16;

/** Above this many sequences a decode step's kernels are large enough to share between threads (docs/engine.md). */
export const DECODE_WIDE_ROWS = 32;

export interface SampleSettings extends Partial<SamplingOptions> {
  /** Prompt ids per sequence. */
  prompts: readonly (readonly number[])[];
  /** One seed per sequence: the same seed and logits give the same tokens. */
  seeds: readonly number[];
}

export interface SampleResult {
  /** Generated ids per sequence (without the prompt), ending with the end token when it stopped there. */
  completions: number[][];
  stoppedAtEos: boolean[];
  /**
   * log π_T of each generated token under softmax(logits / T), before any top-p truncation (T = 1
   * for greedy decoding): what logprobs() with the same temperature returns for these tokens.
   */
  logprobs: number[][];
}

export interface KvDecoder {
  layout: KvLayout;
  vocabSize: number;
  maxTextLen: number;
  /** Positions before the text (image patches), prefilled with it. */
  offset: number;
  /** Token ids that end a sequence. */
  eos: readonly number[];
  pad: number;
  /**
   * Keys and values (`k.l`, `v.l`) of the offset positions and L tokens, `tokens(i)`, of each
   * sequence i at `rows`.
   */
  prefill(L: number, tokens: (i: number) => readonly number[], rows: readonly number[]): Promise<Record<string, HostTensor>>;
  /** Whether sequences a and b have the same offset positions (the same image); absent when there are none. */
  sameOffset?(a: number, b: number): boolean;
  /** Where the cache's buffers are kept between samplings. */
  storage?: KvStorage;
  /** The decode session for a batch of `rows` sequences. */
  decoder(rows: number): Promise<EngineSession>;
  /** Feeds every decode run shares (parameters). */
  constantFeeds(feeds: Record<string, HostTensor>): void;
}

export interface SampleState {
  seqs: number[][];
  done: boolean[];
  /**
   * Set when every token is drawn from the plain softmax at `temperature` (isPlainDraw): a
   * decode graph then gives those probabilities (`probs`) instead of logits, so no exp per
   * vocabulary entry runs in JS.
   */
  probsAt?: number;
  /**
   * Set when every token is the argmax (temperature 0): a decode graph then also gives softmax(logits)
   * (`probs` at temperature 1), whose value at the token is its log-probability, so no exp per
   * vocabulary entry runs in JS (at a 49,152-token vocabulary that pass was 12 % of a batch's greedy
   * decode, docs/engine.md).
   */
  greedy?: boolean;
}

/**
 * Appends sequence i's next token from its scores at `offset`: logits, or probabilities when `probs`.
 * `softmax` (greedy only): softmax(logits) laid out like the scores, for the token's log-probability.
 */
export type Advance = (i: number, scores: ArrayLike<number>, offset: number, probs?: boolean, softmax?: ArrayLike<number>) => void;

/** Sampling options with defaults filled in and validated. */
export function samplingOptions(req: Partial<SamplingOptions>): SamplingOptions {
  const o: SamplingOptions = {
    temperature: req.temperature ?? SAMPLING_DEFAULTS.temperature,
    topP: req.topP ?? SAMPLING_DEFAULTS.topP,
    topK: req.topK ?? SAMPLING_DEFAULTS.topK,
    repetitionPenalty: req.repetitionPenalty ?? SAMPLING_DEFAULTS.repetitionPenalty,
    maxNewTokens: req.maxNewTokens ?? SAMPLING_DEFAULTS.maxNewTokens,
    stopAtEos: req.stopAtEos ?? SAMPLING_DEFAULTS.stopAtEos,
  };
  validateSampling(o);
  return o;
}

/**
 * Runs `loop` over the sequences' state; `advance(i, scores, offset, probs)` appends sequence i's
 * next token from the scores at `offset` and marks it done at an end token or a length limit.
 */
export async function sampleSequences(
  d: Pick<KvDecoder, 'vocabSize' | 'maxTextLen' | 'eos'>,
  req: SampleSettings,
  loop: (state: SampleState, advance: Advance) => Promise<void>,
): Promise<SampleResult> {
  const o = samplingOptions(req);
  if (req.seeds.length !== req.prompts.length) throw new Error(`sample: ${req.seeds.length} seeds for ${req.prompts.length} sequences`);
  const seqs = req.prompts.map((p) => [...p]);
  const rngs = req.seeds.map((s) => new Rng(s));
  const promptLen = seqs.map((s) => s.length);
  const state: SampleState = {
    seqs,
    done: seqs.map((s) => s.length >= d.maxTextLen),
    ...(isPlainDraw(o) ? { probsAt: o.temperature } : {}),
    ...(o.temperature === 0 ? { greedy: true } : {}),
  };
  const eos = seqs.map(() => false);
  const logprobs = seqs.map((): number[] => []);
  const ends = new Set(d.eos);
  // Sequence i samples when position j holds its last token: logits there predict token j + 1.
  const advance: Advance = (i, scores, offset, probs, softmax) => {
    const s = seqs[i]!;
    const { token: tok, logprob } = probs ? drawFromProbs(scores, offset, d.vocabSize, rngs[i]!) : sampleToken(scores, offset, d.vocabSize, o, rngs[i]!, s, softmax);
    logprobs[i]!.push(logprob);
    s.push(tok);
    const isEos = ends.has(tok);
    if ((o.stopAtEos && isEos) || s.length - promptLen[i]! >= o.maxNewTokens || s.length >= d.maxTextLen) {
      state.done[i] = true;
      eos[i] = o.stopAtEos && isEos;
    }
  };
  await loop(state, advance);
  return { completions: seqs.map((s, i) => s.slice(promptLen[i]!)), stoppedAtEos: eos, logprobs };
}

/** The cached decode loop (see the file comment). */
export async function decodeWithCache(d: KvDecoder, st: SampleState, advance: Advance): Promise<void> {
  const active = st.seqs.flatMap((_, i) => (st.done[i] ? [] : [i]));
  if (active.length === 0) return;
  // Every sequence's prompt but its last token is prefilled, so decoding starts at every row's last
  // prompt token at once: no prompt token is decoded one step per chain (as when the prefill
  // stopped at the shortest prompt). Each row's mask hides the slots after its own position.
  const known = active.map((i) => st.seqs[i]!.slice(0, -1));
  const cache = new KvCache(d.layout, active.length, d.offset + Math.max(...known.map((q) => q.length)) + 1, d.storage);
  try {
    await prefillCache(d, cache, known, active);
    await decodeSteps(d, st, advance, cache, active);
  } finally {
    cache.release();
  }
}

/**
 * Prefills the cache rows of `known` (the known tokens of the sequences at `active`): each distinct
 * prefix once, in runs of at most PREFILL_ROWS prefixes of similar length, each run right-padded to
 * its longest (causal attention keeps padding out of the real positions). Sorted runs keep padding
 * small when prompts differ (200 distinct evaluation prompts), and the run size bounds the prefill's
 * activations, whatever the batch.
 */
async function prefillCache(d: KvDecoder, cache: KvCache, known: readonly (readonly number[])[], active: readonly number[]): Promise<void> {
  const { rows, source } = prefixGroups(known, d.sameOffset && ((a, b) => d.sameOffset!(active[a]!, active[b]!)));
  const order = [...rows.keys()].sort((a, b) => known[rows[a]!]!.length - known[rows[b]!]!.length);
  for (let start = 0; start < order.length; start += PREFILL_ROWS) {
    const run = order.slice(start, start + PREFILL_ROWS);
    const L = known[rows[run.at(-1)!]!]!.length;
    if (d.offset + L === 0) continue;
    const padded = new Map(run.map((g) => [active[rows[g]!]!, [...known[rows[g]!]!, ...Array<number>(L - known[rows[g]!]!.length).fill(d.pad)]]));
    const pre = await d.prefill(L, (i) => padded.get(i)!, [...padded.keys()]);
    const runRow = new Map(run.map((g, r) => [g, r]));
    const from = source.map((g) => runRow.get(g) ?? -1);
    for (let l = 0; l < d.layout.layers; l++) cache.writePrefix(l, pre[FEED.layerK(l)]!.data as Float32Array, pre[FEED.layerV(l)]!.data as Float32Array, d.offset + L, from);
  }
}

/**
 * The distinct prefixes among `known` (each sequence's known tokens, with its offset positions when
 * `sameOffset` says two are alike): `rows` holds the first sequence of each, `source[i]` the index
 * into `rows` of sequence i's.
 */
export function prefixGroups(known: readonly (readonly number[])[], sameOffset?: (a: number, b: number) => boolean): { rows: number[]; source: number[] } {
  const byTokens = new Map<string, number[]>();
  const rows: number[] = [];
  const source = known.map((q, i) => {
    const key = q.join(',');
    const candidates = byTokens.get(key) ?? [];
    byTokens.set(key, candidates);
    const same = candidates.find((u) => !sameOffset || sameOffset(rows[u]!, i));
    if (same !== undefined) return same;
    candidates.push(rows.length);
    rows.push(i);
    return rows.length - 1;
  });
  return { rows, source };
}

/** Decode steps over the sequences at `active` (the cache's rows, in order), each at its own position. */
async function decodeSteps(d: KvDecoder, st: SampleState, advance: Advance, cache: KvCache, active: readonly number[]): Promise<void> {
  const { offset, layout } = d;
  const probs = st.probsAt !== undefined;
  const scores = probs ? 'probs' : 'logits';
  const fetch = [scores, ...(st.greedy ? ['probs'] : []), ...Array.from({ length: layout.layers }, (_, l) => [FEED.layerK(l), FEED.layerV(l)]).flat()];
  // rows[r] is decode row r's sequence, at[r] the position its last token takes; finished rows are
  // compacted away once they are COMPACT_SHARE of the batch.
  const feeds: Record<string, HostTensor> = {};
  d.constantFeeds(feeds);
  feeds.temperature = { dtype: 'float32', shape: [1], data: Float32Array.of(st.probsAt ?? 1) };
  let rows = [...active];
  let at = rows.map((i) => offset + st.seqs[i]!.length - 1);
  let token = new BigInt64Array(rows.length);
  let pos = new BigInt64Array(rows.length);
  const bind = (): void => {
    cache.feeds(feeds);
    feeds.token = { dtype: 'int64', shape: [rows.length, 1], data: token };
    feeds.pos = { dtype: 'int64', shape: [rows.length], data: pos };
  };
  bind();
  while (rows.some((i) => !st.done[i])) {
    const finished = rows.filter((i) => st.done[i]).length;
    if (finished > 0 && finished >= COMPACT_SHARE * rows.length) {
      const keep = rows.flatMap((i, r) => (st.done[i] ? [] : [r]));
      cache.compact(keep);
      rows = keep.map((r) => rows[r]!);
      at = keep.map((r) => at[r]!);
      token = new BigInt64Array(rows.length);
      pos = new BigInt64Array(rows.length);
      bind();
    }
    if (cache.reserve(Math.max(...at) + 1)) bind();
    rows.forEach((i, r) => {
      const q = st.seqs[i]!;
      token[r] = BigInt(q[q.length - 1]!);
      pos[r] = BigInt(at[r]!);
    });
    const out = await (await d.decoder(rows.length)).run(feeds, fetch);
    for (let l = 0; l < layout.layers; l++) cache.writeAt(l, at, out[FEED.layerK(l)]!.data as Float32Array, out[FEED.layerV(l)]!.data as Float32Array);
    const values = out[scores]!.data as Float32Array;
    const softmax = st.greedy ? (out.probs!.data as Float32Array) : undefined;
    rows.forEach((i, r) => {
      if (st.done[i]) return;
      advance(i, values, r * d.vocabSize, probs, softmax);
      at[r]!++;
    });
  }
}
