// The policy at run time: parameters and AdamW state in JS memory, one session per phase (log-probs,
// train step, gradients, prefill, decode) whose batch and length are symbolic, built on first
// use. This is the API the trainer uses: logprobs(), sample(), trainStep().
import { type EngineSession, type ExecutionProvider, type GraphOptimization, type Graph, type HostTensor, SESSION_DEFAULTS, type SessionOptions } from '../engine';
import { type PolicyConfig, type PolicyConfigInput, numPatches, patchDim, resolvePolicyConfig } from './config';
import { type SequenceBatch, checkBatch, microBatches, packPerToken, packTokens, textLengthFor, unpackPerToken } from './batch';
import {
  DIMS,
  HEAD_CHUNK_BYTES,
  OPTIMIZER_DEFAULTS,
  type Objective,
  type OptimizerConfig,
  buildDecodeGraph,
  buildLogitsGraph,
  buildLogprobsGraph,
  buildPrefillGraph,
  buildTrainGraph,
  headChunks,
  kvLayout,
} from './graphs';
import { FEED } from './feed-names';
import { type Advance, DECODE_WIDE_ROWS, type KvDecoder, type SampleResult, decodeWithCache, sampleSequences } from './kv-sampler';
import { patchifyBatch, sameImage } from './image';
import { KvStorage } from './kv-cache';
import type { PolicyRuntime } from './family';
import { OwnedArrays, type OptimizerState, SessionCache, applyHostAdamW } from './host-state';
import type { GrpoLossConfig } from './loss';
import { type ParamValues, countParams, initParams, paramSpecs } from './params';
import type { SamplingOptions } from './sampler';
import { usesMemorySaving } from './staged-step';
import { WeightsVersions } from './weights-versions';
import { LOSS_METRICS, checkedLoss, microBatchGradients } from './micro-batch-gradients';
import { policyStages } from './policy-stages';

export interface RuntimeOptions extends Pick<SessionOptions, 'deviceId' | 'providerOptions' | 'logSeverity' | 'memArena'> {
  executionProvider: ExecutionProvider;
  /** Intra-op threads; 0 lets ORT decide. */
  threads: number;
  graphOptimization: GraphOptimization;
  /**
   * Intra-op threads of the per-token KV decode session while it decodes at most
   * DECODE_WIDE_ROWS sequences (default 1): its ops then take microseconds, so handing them to a
   * thread pool costs more than it saves on a few cores. Wider batches use `threads` (docs/engine.md).
   */
  decodeThreads?: number;
  /** Logit bytes one chunk of the language-model head may hold in log-prob and train runs (default HEAD_CHUNK_BYTES). */
  headChunkBytes?: number;
  /**
   * Most sequences one log-prob or train graph run takes (default MICRO_BATCH_DEFAULT). A larger
   * batch is cut into micro-batches of similar length, each padded only to its own longest
   * sequence, and their gradients are summed before one optimizer step. This bounds memory: a
   * session's arena grows to its largest batch shape. Results equal the whole-batch step up to the
   * order of float summation.
   */
  microBatch?: number;
  /** Gradients in stages (staged-step.ts) and the host AdamW, after one micro-batch too (default: the size rule there, `usesMemorySaving`). */
  memorySaving?: boolean;
}

/**
 * Sequences per graph run. A gradient run's activations grow with it; at the demo's 16 × 8 batch, 16
 * peaked at 966 MiB against 1,455 with 32, and updated no slower (docs/engine.md).
 */
export const MICRO_BATCH_DEFAULT = 16;

export interface PolicyOptions {
  /** Seed for parameter initialisation (ignored when `params` are given). */
  seed?: number;
  params?: ParamValues;
  optimizer?: OptimizerConfig;
  /** β, clip range and aggregation of GRPO steps (the trainer's rl config); required for a GRPO step. */
  grpo?: GrpoLossConfig;
  runtime?: Partial<RuntimeOptions>;
  /** Token ids the sampler needs. */
  tokens: { pad: number; eos: number };
}

export type { OptimizerState } from './host-state';

export interface LogprobsResult {
  /** logp[b][j] = log π(tokens[b][j+1] | image, tokens[b][..j]). */
  logp: number[][];
  entropy: number[][];
}

export interface SampleRequest extends Partial<SamplingOptions> {
  images: readonly Float32Array[];
  /** Prompt ids per sequence (BOS first). */
  prompts: readonly (readonly number[])[];
  /** One seed per sequence: the same seed and logits give the same tokens. */
  seeds: readonly number[];
  /** false = recompute the whole sequence each step (reference / benchmark path). */
  useCache?: boolean;
}

/** Options of a log-prob pass: the temperature of the distribution the tokens were sampled from. */
export interface LogprobsOptions {
  temperature?: number;
}

export type TrainObjectiveInput =
  | { kind: 'sft' }
  | {
      kind: 'grpo';
      /** Log-probs of the policy that sampled the batch; absent = on-policy (sampled by the current parameters). */
      oldLogp?: readonly (readonly number[])[];
      refLogp: readonly (readonly number[])[];
      /** One per sequence, or per predicted token (step-level credit). */
      advantages: readonly number[] | readonly (readonly number[])[];
    };

export interface TrainBatch extends SequenceBatch {
  /** 1 for predicted tokens that count (aligned like logp), 0 elsewhere. */
  lossMask: readonly (readonly number[])[];
  objective: TrainObjectiveInput;
  lr: number;
  /** Sampling temperature of the batch (GRPO); log-probs, ratio and KL use softmax(logits / T). Default 1. */
  temperature?: number;
  /** Adam's ε for this step (default: the policy's optimizer setting). */
  adamEps?: number;
}

export interface TrainStepResult {
  loss: number;
  gradNorm: number;
  /** kl, clip_ratio, ratio_mean and entropy (masked mean, at the batch's temperature) for GRPO. */
  metrics: Record<string, number>;
}

const f32 = (shape: readonly number[], data: Float32Array): HostTensor => ({ dtype: 'float32', shape, data });
const i64 = (shape: readonly number[], data: BigInt64Array): HostTensor => ({ dtype: 'int64', shape, data });
const scalar = (v: number): HostTensor => f32([], Float32Array.of(v));

/** Scalar metrics of a GRPO loss graph (masked means over counted tokens, at the batch's temperature). */
function pick(batch: SequenceBatch, idx: readonly number[]): SequenceBatch {
  return { images: idx.map((b) => batch.images[b]!), tokens: idx.map((b) => batch.tokens[b]!) };
}

type Advantages = Extract<TrainObjectiveInput, { kind: 'grpo' }>['advantages'];

function pickTrain(batch: TrainBatch, idx: readonly number[]): TrainBatch {
  const rows = <T>(xs: readonly T[]): T[] => idx.map((b) => xs[b]!);
  const o = batch.objective;
  const objective: TrainObjectiveInput =
    o.kind === 'sft'
      ? o
      : { kind: 'grpo', refLogp: rows(o.refLogp), advantages: rows<number | readonly number[]>(o.advantages) as Advantages, ...(o.oldLogp ? { oldLogp: rows(o.oldLogp) } : {}) };
  return { ...batch, ...pick(batch, idx), lossMask: rows(batch.lossMask), objective };
}

export class PolicySessions implements PolicyRuntime {
  readonly family = 'tiny' as const;
  private readonly sessions: SessionCache;
  private readonly kvStorage = new KvStorage();
  private readonly weightsVersions = new WeightsVersions();
  /** The keys of the decode sessions built with the current weights baked in. */
  private readonly bakedKeys = new Set<string>();
  private readonly owned = new OwnedArrays();
  readonly runtime: RuntimeOptions;
  readonly optimizer: OptimizerConfig;
  readonly grpo: GrpoLossConfig | undefined;
  /** Current parameters. Train steps may update these arrays in place: copy them to keep a snapshot. */
  params: ParamValues;
  optimizerState: OptimizerState;

  constructor(
    readonly config: PolicyConfig,
    private readonly options: PolicyOptions,
  ) {
    this.runtime = { ...SESSION_DEFAULTS, ...options.runtime };
    this.sessions = new SessionCache(this.runtime, 'policy');
    this.optimizer = options.optimizer ?? OPTIMIZER_DEFAULTS;
    this.grpo = options.grpo;
    this.params = options.params ?? new Map([...initParams(config, options.seed ?? 0)].map(([name, values]) => [name, this.owned.own(values)]));
    this.checkParams(this.params);
    this.optimizerState = this.freshOptimizerState();
  }

  private checkParams(values: ParamValues): void {
    for (const s of paramSpecs(this.config)) {
      const v = values.get(s.name);
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (!v) throw new Error(`policy: parameter '${s.name}' is missing`);
      if (v.length !== n) throw new Error(`policy: parameter '${s.name}' has ${v.length} values, config wants [${s.shape}]`);
    }
  }

  get maxTextLen(): number {
    return this.config.maxTextLen;
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  freshOptimizerState(): OptimizerState {
    const specs = paramSpecs(this.config);
    return { step: 0, m: this.owned.zeros(specs), v: this.owned.zeros(specs) };
  }

  /** A text-only example feeds a blank (all-zero) image. */
  imageFor(image: Float32Array | null): Float32Array {
    const { channels, size } = this.config.image;
    return image ?? new Float32Array(channels * size * size);
  }

  setParams(values: ParamValues): void {
    this.checkParams(values);
    this.params = values;
  }

  setOptimizerState(state: OptimizerState): void {
    this.checkParams(state.m);
    this.checkParams(state.v);
    this.optimizerState = state;
  }

  /** Builds a phase's session on first use; later calls, whatever their batch shape, reuse it. */
  session(key: string, build: () => Graph, threads = this.runtime.threads): Promise<EngineSession> {
    return this.sessions.get(key, build, threads);
  }

  private paramFeeds(feeds: Record<string, HostTensor>): void {
    for (const s of paramSpecs(this.config)) feeds[s.name] = f32(s.shape, this.params.get(s.name)!);
  }

  /** Feeds shared by log-prob and train graphs, with the batch packed to its bucketed text length Tt. */
  private batchFeeds(batch: SequenceBatch, what: string, temperature: number): { feeds: Record<string, HostTensor>; Tt: number } {
    checkBatch(this.config, batch, what);
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`${what}: temperature must be a finite number > 0, got ${temperature}`);
    const c = this.config;
    const B = batch.tokens.length;
    const Tt = textLengthFor(c, batch.tokens);
    const { ids, targets } = packTokens(c, batch.tokens, this.options.tokens.pad, Tt);
    const feeds: Record<string, HostTensor> = {
      ids: i64([B, Tt], ids),
      targets: i64([B, Tt, 1], targets),
      patches: f32([B, numPatches(c), patchDim(c)], patchifyBatch(c, batch.images)),
      temperature: scalar(temperature),
    };
    this.paramFeeds(feeds);
    return { feeds, Tt };
  }

  /**
   * Above the size rule (staged-step.ts) one micro-batch too takes the staged gradients and the
   * in-place host AdamW: the fused step returns fresh parameters and moments, which ORT holds and
   * onnxruntime-node copies again (6× the parameters' bytes beside the host's state).
   */
  private get memorySaving(): boolean {
    return usesMemorySaving(this.runtime, countParams(this.config));
  }

  private get microBatch(): number {
    return this.runtime.microBatch ?? MICRO_BATCH_DEFAULT;
  }

  /** Head chunks of the log-prob and train graphs: enough that a micro-batch's logits stay within the budget. */
  private get headChunks(): number {
    return headChunks(this.config, this.microBatch * this.config.maxTextLen, this.runtime.headChunkBytes ?? HEAD_CHUNK_BYTES);
  }

  async logprobs(batch: SequenceBatch, options: LogprobsOptions = {}): Promise<LogprobsResult> {
    const result: LogprobsResult = { logp: [], entropy: [] };
    for (const idx of microBatches(
      batch.tokens.map((t) => t.length),
      this.microBatch,
    )) {
      const part = await this.logprobsOnce(pick(batch, idx), options);
      idx.forEach((b, k) => {
        result.logp[b] = part.logp[k]!;
        result.entropy[b] = part.entropy[k]!;
      });
    }
    return result;
  }

  private async logprobsOnce(batch: SequenceBatch, options: LogprobsOptions): Promise<LogprobsResult> {
    const { feeds, Tt } = this.batchFeeds(batch, 'logprobs', options.temperature ?? 1);
    const s = await this.session('logprobs', () => buildLogprobsGraph(this.config, DIMS.batch, DIMS.text, 'float32', this.headChunks));
    const out = await s.run(feeds);
    const lengths = batch.tokens.map((t) => t.length);
    return { logp: unpackPerToken(this.config, out.logp!.data as Float32Array, lengths, Tt), entropy: unpackPerToken(this.config, out.entropy!.data as Float32Array, lengths, Tt) };
  }

  /**
   * One optimizer step on the batch. A batch within `microBatch` runs the fused graph (loss,
   * backward, clipping and AdamW in one run); a larger one runs the gradient graph per micro-batch,
   * sums the gradients weighted by each part's share of the loss, and updates the parameters and
   * moments in place on the host (an apply graph would return the whole state as fresh copies).
   */
  async trainStep(batch: TrainBatch): Promise<TrainStepResult> {
    // A policy that saves memory does not keep the sampler's cache buffers beside the step's peak;
    // a small one keeps them, since writing fresh pages again is what they save (docs/engine.md).
    if (this.memorySaving) this.kvStorage.clear();
    if (!(batch.lr >= 0) || !Number.isFinite(batch.lr)) throw new Error(`trainStep: lr must be a finite number ≥ 0, got ${batch.lr}`);
    const adamEps = batch.adamEps ?? this.optimizer.adamw.eps;
    if (!(adamEps > 0) || !Number.isFinite(adamEps)) throw new Error(`trainStep: adamEps must be a finite number > 0, got ${adamEps}`);
    const parts = microBatches(
      batch.tokens.map((t) => t.length),
      this.microBatch,
    );
    if (parts.length === 1 && !this.memorySaving) {
      const { feeds, key, build } = this.lossFeeds(batch, 'adamw');
      this.optimizerFeeds(feeds, batch.lr, adamEps);
      const out = await (await this.session(key, build)).run(feeds);
      const loss = checkedLoss((out.loss!.data as Float32Array)[0]!);
      const metrics: Record<string, number> = {};
      for (const k of LOSS_METRICS) if (out[k]) metrics[k] = (out[k].data as Float32Array)[0]!;
      return { loss, gradNorm: this.adopt(out), metrics };
    }
    const perSequence = batch.objective.kind === 'grpo' && this.grpo?.aggregation === 'sequence';
    const { loss, metrics, grads } = await microBatchGradients(batch, parts, perSequence, {
      part: (idx) => this.lossFeeds(pickTrain(batch, idx), 'gradients'),
      trained: paramSpecs(this.config).map((s) => s.name),
      session: (k, b, arena) => this.sessions.get(k, b, this.runtime.threads, arena),
      staged: this.memorySaving
        ? { model: policyStages(this.config), options: { headChunks: this.headChunks, sliceBytes: this.runtime.headChunkBytes ?? HEAD_CHUNK_BYTES } }
        : undefined,
    });
    return { loss, gradNorm: this.applyOnHost(grads, batch.lr, adamEps), metrics };
  }

  /** Clips the summed gradients by their global norm and applies AdamW in place; returns the norm before clipping. */
  private applyOnHost(grads: ReadonlyMap<string, Float32Array>, lr: number, adamEps: number): number {
    const r = applyHostAdamW(this.owned, this.params, this.optimizerState, grads, paramSpecs(this.config), { lr, adamEps }, this.optimizer);
    this.optimizerState = r.state;
    return r.norm;
  }

  /** Batch, mask and objective feeds of a train or gradient graph, and the session that runs it. */
  private lossFeeds(batch: TrainBatch, emit: 'adamw' | 'gradients'): { feeds: Record<string, HostTensor>; key: string; build: () => Graph; objective: Objective } {
    const c = this.config;
    const B = batch.tokens.length;
    const { feeds, Tt } = this.batchFeeds(batch, 'trainStep', batch.temperature ?? 1);
    const lengths = batch.tokens.map((t) => t.length);
    const pack = (rows: readonly (readonly number[])[], what: string): Float32Array => packPerToken(c, rows, lengths, what, Tt);
    feeds.mask = f32([B, Tt], pack(batch.lossMask, 'trainStep.lossMask'));
    let objective: Objective = { kind: 'sft' };
    if (batch.objective.kind === 'grpo') {
      const o = batch.objective;
      if (!this.grpo) throw new Error('trainStep: a GRPO step needs the loss settings (PolicyOptions.grpo: beta, epsLow, epsHigh, aggregation)');
      if (o.oldLogp) feeds.old_logp = f32([B, Tt], pack(o.oldLogp, 'trainStep.oldLogp'));
      feeds.ref_logp = f32([B, Tt], pack(o.refLogp, 'trainStep.refLogp'));
      const perToken = o.advantages.length > 0 && Array.isArray(o.advantages[0]);
      if (o.advantages.length !== B) throw new Error(`trainStep.advantages: ${o.advantages.length} entries for ${B} sequences`);
      feeds.advantages = perToken ? f32([B, Tt], pack(o.advantages as number[][], 'trainStep.advantages')) : f32([B, 1], Float32Array.from(o.advantages as number[]));
      objective = { kind: 'grpo', loss: this.grpo, advantage: perToken ? 'token' : 'sequence', onPolicy: !o.oldLogp };
    }
    const kind = objective.kind === 'sft' ? 'sft' : `grpo-${objective.advantage}${objective.onPolicy ? '-onpolicy' : ''}`;
    const key = `${emit === 'adamw' ? 'train' : 'grads'}-${kind}`;
    return {
      feeds,
      key,
      objective,
      build: () => buildTrainGraph(c, DIMS.batch, objective, this.optimizer, { textLen: DIMS.text, emit, headChunks: this.headChunks }),
    };
  }

  /** Learning rate, Adam bias corrections and ε for the next step, and the current moments. */
  private optimizerFeeds(feeds: Record<string, HostTensor>, lr: number, adamEps: number): void {
    const t = this.optimizerState.step + 1;
    const { beta1, beta2 } = this.optimizer.adamw;
    feeds.lr = scalar(lr);
    feeds.bias_correction1 = scalar(1 / (1 - beta1 ** t));
    feeds.bias_correction2 = scalar(1 / (1 - beta2 ** t));
    feeds.adam_eps = scalar(adamEps);
    for (const s of paramSpecs(this.config)) {
      feeds[FEED.adamM(s.name)] = f32(s.shape, this.optimizerState.m.get(s.name)!);
      feeds[FEED.adamV(s.name)] = f32(s.shape, this.optimizerState.v.get(s.name)!);
    }
  }

  /** Takes the new parameters and moments of an optimizer step; returns the gradient norm before clipping. */
  private adopt(out: Record<string, HostTensor>): number {
    const params: ParamValues = new Map();
    const m: ParamValues = new Map();
    const v: ParamValues = new Map();
    for (const p of paramSpecs(this.config)) {
      params.set(p.name, this.owned.own(out[FEED.newParam(p.name)]!.data as Float32Array));
      m.set(p.name, this.owned.own(out[FEED.newAdamM(p.name)]!.data as Float32Array));
      v.set(p.name, this.owned.own(out[FEED.newAdamV(p.name)]!.data as Float32Array));
    }
    this.params = params;
    this.optimizerState = { step: this.optimizerState.step + 1, m, v };
    return (out.grad_norm!.data as Float32Array)[0]!;
  }

  async sample(req: SampleRequest): Promise<SampleResult> {
    const c = this.config;
    checkBatch(c, { images: req.images, tokens: req.prompts }, 'sample');
    const patches = patchifyBatch(c, req.images);
    const Np = numPatches(c);
    const N = req.prompts.length;
    const decode = this.decodeSessions();
    const decoder: KvDecoder = {
      layout: kvLayout(c),
      vocabSize: c.vocabSize,
      maxTextLen: c.maxTextLen,
      offset: Np,
      eos: [this.options.tokens.eos],
      pad: this.options.tokens.pad,
      prefill: async (L, tokens, rows) => {
        // Image patches and the known text, in one forward.
        const prefill = await this.session(L > 0 ? 'prefill' : 'prefill-image', () => buildPrefillGraph(c, DIMS.batch, L > 0 ? DIMS.prefix : 0));
        const size = Np * patchDim(c);
        const picked = new Float32Array(rows.length * size);
        rows.forEach((i, r) => picked.set(patches.subarray(i * size, (i + 1) * size), r * size));
        const pf: Record<string, HostTensor> = { patches: f32([rows.length, Np, patchDim(c)], picked) };
        if (L > 0) pf.ids = i64([rows.length, L], BigInt64Array.from(rows.flatMap((i) => tokens(i).map(BigInt))));
        this.paramFeeds(pf);
        return prefill.run(pf);
      },
      sameOffset: (a, b) => sameImage(req.images[a]!, req.images[b]!),
      storage: this.kvStorage,
      decoder: decode,
      constantFeeds: (feeds) => this.paramFeeds(feeds),
    };
    return sampleSequences(decoder, req, (st, advance) => (req.useCache === false ? this.sampleRecompute(N, patches, st, advance) : decodeWithCache(decoder, st, advance)));
  }

  /**
   * The decode session for a batch of `rows`, per sampling. Below the memory-saving size rule both
   * decode sessions (narrow: at most DECODE_WIDE_ROWS sequences, on `decodeThreads`; wide) hold the
   * weights baked in: ORT then packs their matrices once instead of on every run (1.1–1.3× a wide
   * decode step, 1.2–1.6× one sequence's, docs/engine.md), and both run the same packed kernels, so
   * a sequence samples the same tokens alone as in a batch. They are built again (≈ 40 ms each) when
   * the weights have changed since. Above the size rule: one copy of the weights, fed as inputs.
   */
  private decodeSessions(): (rows: number) => Promise<EngineSession> {
    const c = this.config;
    const narrowThreads = this.runtime.decodeThreads ?? 1;
    if (this.memorySaving) {
      return (rows) => (rows <= DECODE_WIDE_ROWS ? this.session('decode', () => buildDecodeGraph(c), narrowThreads) : this.session('decode-wide', () => buildDecodeGraph(c)));
    }
    let version: number | undefined;
    return (rows) => {
      version ??= this.bakedVersion();
      return rows <= DECODE_WIDE_ROWS ? this.bakedDecode(`decode v${version}`, narrowThreads) : this.bakedDecode(`decode-wide v${version}`, this.runtime.threads);
    };
  }

  /** The current weights' version; drops the baked sessions of an earlier one. */
  private bakedVersion(): number {
    const version = this.weightsVersions.of(this.params);
    const stale = [...this.bakedKeys].filter((k) => !k.endsWith(` v${version}`));
    for (const k of stale) {
      this.bakedKeys.delete(k);
      void this.sessions.drop(k);
    }
    return version;
  }

  private bakedDecode(key: string, threads: number): Promise<EngineSession> {
    const c = this.config;
    this.bakedKeys.add(key);
    const bake = new Map(paramSpecs(c).map((s) => [s.name, { dtype: 'float32' as const, shape: s.shape, data: this.params.get(s.name)! }]));
    return this.sessions.get(key, () => buildDecodeGraph(c), threads, true, bake);
  }

  private async sampleRecompute(N: number, patches: Float32Array, st: { seqs: number[][]; done: boolean[] }, advance: Advance): Promise<void> {
    const c = this.config;
    const Tt = c.maxTextLen;
    const V = c.vocabSize;
    const s = await this.session('logits', () => buildLogitsGraph(c));
    const feeds: Record<string, HostTensor> = { patches: f32([N, numPatches(c), patchDim(c)], patches) };
    this.paramFeeds(feeds);
    for (let j = Math.min(...st.seqs.map((q) => q.length)) - 1; j < Tt && !st.done.every(Boolean); j++) {
      if (!st.seqs.some((q, i) => !st.done[i] && q.length - 1 === j)) continue;
      feeds.ids = i64([N, Tt], packTokens(c, st.seqs, this.options.tokens.pad).ids);
      const logits = (await s.run(feeds)).logits!.data as Float32Array;
      for (let i = 0; i < N; i++) if (!st.done[i] && j === st.seqs[i]!.length - 1) advance(i, logits, (i * Tt + j) * V);
    }
  }

  release(): Promise<void> {
    this.kvStorage.clear();
    this.weightsVersions.clear();
    this.bakedKeys.clear();
    return this.sessions.release();
  }
}

/** Creates the policy runtime (sessions are built lazily, once per phase, then reused). */
export async function createPolicySessions(config: PolicyConfigInput, options: PolicyOptions): Promise<PolicySessions> {
  return new PolicySessions(resolvePolicyConfig(config), options);
}
