// A Hugging Face decoder at run time: the frozen base weights (read once, fed to every session as
// they are: nothing is copied per session or per run), the trainable tensors (LoRA adapters, or
// every base weight for full fine-tuning) with their AdamW state, and one session per phase. The
// same API as the tiny policy's runtime (family.ts), so the trainer drives either.
import { type EngineSession, type Graph, type HostTensor, SESSION_DEFAULTS } from '../../engine';
import { OwnedArrays, SessionCache, applyHostAdamW } from '../host-state';
import { type SequenceBatch, checkTokens, microBatches, packPerToken, packTokens, textLengthFor, unpackPerToken } from '../batch';
import { HEAD_CHUNK_BYTES, OPTIMIZER_DEFAULTS, type Objective, type OptimizerConfig } from '../graphs';
import { DECODE_WIDE_ROWS, type KvDecoder, type SampleResult, type SampleSettings, decodeWithCache, sampleSequences } from '../kv-sampler';
import type { GrpoLossConfig } from '../loss';
import type { ParamValues } from '../params';
import { MICRO_BATCH_DEFAULT, type LogprobsOptions, type LogprobsResult, type OptimizerState, type RuntimeOptions, type TrainBatch, type TrainStepResult } from '../policy';
import { KvStorage } from '../kv-cache';
import { Rng } from '../rng';
import type { PolicyRuntime } from '../family';
import { type StagedModel, usesMemorySaving } from '../staged-step';
import { microBatchGradients } from '../micro-batch-gradients';
import { type HfDecoderConfig, hfParamSpecs } from './config';
import { hfStages } from './hf-stages';
import { type LoraConfig, loraParamSpecs } from './decoder';
import { type HfGraphMode, buildHfDecodeGraph, buildHfGradGraph, buildHfLogprobsGraph, buildHfPrefillGraph, trainableSpecs } from './graphs';

export interface HfPolicyOptions {
  /** Every base weight under its HF name, float32 (hfParamSpecs order is not required). */
  base: ParamValues;
  /**
   * The base's arrays are the policy's from now on (the trainer reads them for it alone): full
   * fine-tuning updates them in place. Otherwise it updates copies made at its first step and leaves
   * the caller's as they were handed in, a second model-sized set of arrays while the caller keeps them.
   */
  handOverBase?: boolean;
  /** 'lora': train adapters over the frozen base; 'full': train every base weight. */
  training: 'lora' | 'full';
  lora?: LoraConfig;
  /** Adapter values to start from (a checkpoint); absent = PEFT's initialisation from `seed`. */
  adapter?: ParamValues;
  seed?: number;
  /** Longest sequence (prompt + completion) a run handles, at most the model's max_position_embeddings. */
  maxTextLen: number;
  tokens: { pad: number; eos: readonly number[] };
  optimizer?: OptimizerConfig;
  grpo?: GrpoLossConfig;
  runtime?: Partial<RuntimeOptions>;
}

const f32 = (shape: readonly number[], data: Float32Array): HostTensor => ({ dtype: 'float32', shape, data });
const i64 = (shape: readonly number[], data: BigInt64Array): HostTensor => ({ dtype: 'int64', shape, data });
const scalar = (v: number): HostTensor => f32([], Float32Array.of(v));
const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Positions one log-prob or gradient run of an HF model holds (micro-batches are cut to fit). */
export const HF_MICRO_BATCH_TOKENS = 512;

const NO_IMAGE = new Float32Array(0);

/** PEFT's LoRA start: A ~ U(±1/√in) (kaiming_uniform with a = √5), B = 0, so the adapted model equals the base. */
export function initLora(c: HfDecoderConfig, lora: LoraConfig, seed: number): ParamValues {
  const rng = new Rng(seed);
  return new Map(
    loraParamSpecs(c, lora).map((s) => {
      const data = new Float32Array(numel(s.shape));
      if (s.init === 'kaiming') {
        const bound = 1 / Math.sqrt(s.shape[1]);
        for (let i = 0; i < data.length; i++) data[i] = (2 * rng.next() - 1) * bound;
      }
      return [s.name, data];
    }),
  );
}

export class HfPolicy implements PolicyRuntime {
  readonly family = 'hf' as const;
  private readonly sessions: SessionCache;
  private readonly kvStorage = new KvStorage();
  private readonly owned = new OwnedArrays();
  readonly runtime: RuntimeOptions;
  readonly optimizer: OptimizerConfig;
  readonly mode: HfGraphMode;
  readonly maxTextLen: number;
  readonly vocabSize: number;
  private base: ParamValues;
  /** The tensors train steps update (adapters, or every base weight); updated in place. */
  params: ParamValues;
  optimizerState: OptimizerState;
  private readonly stages: StagedModel;

  /** The options less the base: the policy holds the base only through `base`, so weights replaced there can go. */
  private readonly options: Omit<HfPolicyOptions, 'base'>;

  constructor(
    readonly config: HfDecoderConfig,
    options: HfPolicyOptions,
  ) {
    const { base, ...rest } = options;
    this.options = rest;
    if (options.training === 'lora' && !options.lora) throw new Error('hf policy: LoRA training needs model.lora (rank, alpha, targetModules)');
    if (!(Number.isInteger(options.maxTextLen) && options.maxTextLen >= 2 && options.maxTextLen <= config.maxPositions)) {
      throw new Error(`hf policy: maxTextLen ${options.maxTextLen} must be in [2, max_position_embeddings ${config.maxPositions}]`);
    }
    this.runtime = { ...SESSION_DEFAULTS, ...options.runtime };
    this.sessions = new SessionCache(this.runtime, 'hf');
    this.optimizer = options.optimizer ?? OPTIMIZER_DEFAULTS;
    this.mode = { train: options.training, lora: options.training === 'lora' ? options.lora : undefined };
    this.maxTextLen = options.maxTextLen;
    this.vocabSize = config.vocabSize;
    for (const s of hfParamSpecs(config)) checkTensor(base, s.name, s.shape, 'model weights');
    // Full fine-tuning updates a map of its own: the caller's map stays as it was handed in, and so
    // do its arrays unless they were handed over.
    if (options.handOverBase) for (const arr of base.values()) this.owned.own(arr);
    this.base = options.training === 'full' ? new Map(base) : base;
    this.params = options.training === 'full' ? this.base : (options.adapter ?? initLora(config, options.lora!, options.seed ?? 0));
    this.checkParams(this.params);
    this.optimizerState = this.freshOptimizerState();
    this.stages = hfStages(config, this.mode);
  }

  /** Text only: images are not fed. */
  imageFor(): Float32Array {
    return NO_IMAGE;
  }

  private checkParams(values: ParamValues): void {
    for (const s of trainableSpecs(this.config, this.mode)) checkTensor(values, s.name, s.shape, this.options.training === 'lora' ? 'LoRA adapter' : 'model weights');
  }

  freshOptimizerState(): OptimizerState {
    const specs = trainableSpecs(this.config, this.mode);
    return { step: 0, m: this.owned.zeros(specs), v: this.owned.zeros(specs) };
  }

  setParams(values: ParamValues): void {
    this.checkParams(values);
    this.params = values;
    if (this.options.training === 'full') this.base = values;
  }

  setOptimizerState(state: OptimizerState): void {
    this.checkParams(state.m);
    this.checkParams(state.v);
    this.optimizerState = state;
  }

  /** The frozen base weights (with full fine-tuning, the current ones). */
  get baseWeights(): ParamValues {
    return this.base;
  }

  session(key: string, build: () => Graph, threads = this.runtime.threads): Promise<EngineSession> {
    return this.sessions.get(key, build, threads);
  }

  private weightFeeds(feeds: Record<string, HostTensor>): void {
    for (const s of hfParamSpecs(this.config)) feeds[s.name] = f32(s.shape, this.base.get(s.name)!);
    if (this.mode.lora) for (const s of loraParamSpecs(this.config, this.mode.lora)) feeds[s.name] = f32(s.shape, this.params.get(s.name)!);
  }

  /**
   * Sequences per log-prob or gradient run: the runtime's micro-batch, at most as many as fill
   * HF_MICRO_BATCH_TOKENS positions. A real model's activations per position are hundreds of times
   * the tiny policy's: a SmolLM2-135M step of 16 × 321 positions peaked at 13.3 GB in one run,
   * 7.5 GB in runs of 4 sequences, 4.5 GB of 2 and 3.0 GB of 1, the update taking 114, 61, 55 and 67 s.
   */
  private get microBatch(): number {
    return Math.max(1, Math.min(this.runtime.microBatch ?? MICRO_BATCH_DEFAULT, Math.floor(HF_MICRO_BATCH_TOKENS / this.maxTextLen)));
  }

  private get headChunks(): number {
    const bytes = this.microBatch * this.maxTextLen * this.vocabSize * 4;
    return Math.max(1, Math.ceil(bytes / (this.runtime.headChunkBytes ?? HEAD_CHUNK_BYTES)));
  }

  private batchFeeds(tokens: readonly (readonly number[])[], what: string, temperature: number): { feeds: Record<string, HostTensor>; Tt: number } {
    checkTokens(this, tokens, what);
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`${what}: temperature must be a finite number > 0, got ${temperature}`);
    const Tt = textLengthFor(this, tokens);
    const { ids, targets } = packTokens(this, tokens, this.options.tokens.pad, Tt);
    const feeds: Record<string, HostTensor> = { ids: i64([tokens.length, Tt], ids), targets: i64([tokens.length, Tt, 1], targets), temperature: scalar(temperature) };
    this.weightFeeds(feeds);
    return { feeds, Tt };
  }

  async logprobs(batch: Pick<SequenceBatch, 'tokens'>, options: LogprobsOptions = {}): Promise<LogprobsResult> {
    const result: LogprobsResult = { logp: [], entropy: [] };
    const lengths = batch.tokens.map((t) => t.length);
    const s = await this.session('logprobs', () => buildHfLogprobsGraph(this.config, this.mode, this.headChunks));
    for (const idx of microBatches(lengths, this.microBatch)) {
      const tokens = idx.map((b) => batch.tokens[b]!);
      const { feeds, Tt } = this.batchFeeds(tokens, 'logprobs', options.temperature ?? 1);
      const out = await s.run(feeds);
      const part = idx.map((b) => lengths[b]!);
      const logp = unpackPerToken(this, out.logp!.data as Float32Array, part, Tt);
      const entropy = unpackPerToken(this, out.entropy!.data as Float32Array, part, Tt);
      idx.forEach((b, k) => {
        result.logp[b] = logp[k]!;
        result.entropy[b] = entropy[k]!;
      });
    }
    return result;
  }

  /**
   * The staged gradients (staged-step.ts) when the trained weights are above the size rule: what they
   * save is the trained weights' gradient arrays (the head's vocabulary × width one above all) held in
   * ORT and copied out. LoRA's adapters stay below it, and its staged step was measured slower and
   * larger than the one graph (docs/engine.md).
   */
  private get memorySaving(): boolean {
    return usesMemorySaving(
      this.runtime,
      trainableSpecs(this.config, this.mode).reduce((n, s) => n + numel(s.shape), 0),
    );
  }

  /**
   * One optimizer step: the gradients per micro-batch (one graph, or the staged sessions above the
   * size rule), summed by each part's share of the loss, then global-norm clipping and AdamW in
   * place on the host.
   */
  async trainStep(batch: Omit<TrainBatch, 'images'>): Promise<TrainStepResult> {
    // The sampler's cache buffers would sit beside the step's peak (docs/engine.md, third pass).
    this.kvStorage.clear();
    if (!(batch.lr >= 0) || !Number.isFinite(batch.lr)) throw new Error(`trainStep: lr must be a finite number ≥ 0, got ${batch.lr}`);
    const adamEps = batch.adamEps ?? this.optimizer.adamw.eps;
    if (!(adamEps > 0) || !Number.isFinite(adamEps)) throw new Error(`trainStep: adamEps must be a finite number > 0, got ${adamEps}`);
    const parts = microBatches(
      batch.tokens.map((t) => t.length),
      this.microBatch,
    );
    const perSequence = batch.objective.kind === 'grpo' && this.options.grpo?.aggregation === 'sequence';
    const { loss, metrics, grads } = await microBatchGradients(batch, parts, perSequence, {
      part: (idx) => this.lossFeeds(batch, idx),
      trained: trainableSpecs(this.config, this.mode).map((s) => s.name),
      session: (k, b, arena) => this.sessions.get(k, b, this.runtime.threads, arena),
      staged: this.memorySaving ? { model: this.stages, options: { headChunks: this.headChunks, sliceBytes: this.runtime.headChunkBytes ?? HEAD_CHUNK_BYTES } } : undefined,
    });
    return { loss, gradNorm: this.applyOnHost(grads, batch.lr, adamEps), metrics };
  }

  private lossFeeds(batch: Omit<TrainBatch, 'images'>, idx: readonly number[]): { feeds: Record<string, HostTensor>; key: string; build: () => Graph; objective: Objective } {
    const rows = <T>(xs: readonly T[]): T[] => idx.map((b) => xs[b]!);
    const tokens = rows(batch.tokens);
    const B = tokens.length;
    const { feeds, Tt } = this.batchFeeds(tokens, 'trainStep', batch.temperature ?? 1);
    const lengths = tokens.map((t) => t.length);
    const pack = (r: readonly (readonly number[])[], what: string): Float32Array => packPerToken(this, r, lengths, what, Tt);
    feeds.mask = f32([B, Tt], pack(rows(batch.lossMask), 'trainStep.lossMask'));
    let objective: Objective = { kind: 'sft' };
    const o = batch.objective;
    if (o.kind === 'grpo') {
      const grpo = this.options.grpo;
      if (!grpo) throw new Error('trainStep: a GRPO step needs the loss settings (HfPolicyOptions.grpo: beta, epsLow, epsHigh, aggregation)');
      if (o.advantages.length !== batch.tokens.length) throw new Error(`trainStep.advantages: ${o.advantages.length} entries for ${batch.tokens.length} sequences`);
      if (o.oldLogp) feeds.old_logp = f32([B, Tt], pack(rows(o.oldLogp), 'trainStep.oldLogp'));
      feeds.ref_logp = f32([B, Tt], pack(rows(o.refLogp), 'trainStep.refLogp'));
      const perToken = o.advantages.length > 0 && Array.isArray(o.advantages[0]);
      feeds.advantages = perToken
        ? f32([B, Tt], pack(rows(o.advantages as readonly (readonly number[])[]), 'trainStep.advantages'))
        : f32([B, 1], Float32Array.from(rows(o.advantages as readonly number[])));
      objective = { kind: 'grpo', loss: grpo, advantage: perToken ? 'token' : 'sequence', onPolicy: !o.oldLogp };
    }
    const kind = objective.kind === 'sft' ? 'sft' : `grpo-${objective.advantage}${objective.onPolicy ? '-onpolicy' : ''}`;
    return { feeds, key: `grads-${kind}`, objective, build: () => buildHfGradGraph(this.config, this.mode, objective, this.headChunks) };
  }

  private decaySpecs(): { name: string; decay: boolean }[] {
    return trainableSpecs(this.config, this.mode).map((s) => ({ name: s.name, decay: decays(s.name, s.shape) }));
  }

  private applyOnHost(grads: ReadonlyMap<string, Float32Array>, lr: number, adamEps: number): number {
    const r = applyHostAdamW(this.owned, this.params, this.optimizerState, grads, this.decaySpecs(), { lr, adamEps }, this.optimizer);
    this.optimizerState = r.state;
    return r.norm;
  }

  async sample(req: SampleSettings & { useCache?: boolean }): Promise<SampleResult> {
    const c = this.config;
    checkTokens(this, req.prompts, 'sample');
    const decoder: KvDecoder = {
      layout: { layers: c.numLayers, heads: c.numKvHeads, headDim: c.headDim, limit: this.maxTextLen },
      vocabSize: c.vocabSize,
      maxTextLen: this.maxTextLen,
      offset: 0,
      eos: this.options.tokens.eos,
      pad: this.options.tokens.pad,
      prefill: async (L, tokens, rows) => {
        const s = await this.session('prefill', () => buildHfPrefillGraph(c, this.mode));
        const feeds: Record<string, HostTensor> = { ids: i64([rows.length, L], BigInt64Array.from(rows.flatMap((i) => tokens(i).map(BigInt)))) };
        this.weightFeeds(feeds);
        return s.run(feeds);
      },
      storage: this.kvStorage,
      decoder: (rows) =>
        rows > DECODE_WIDE_ROWS
          ? this.session('decode-wide', () => buildHfDecodeGraph(c, this.mode))
          : this.session('decode', () => buildHfDecodeGraph(c, this.mode), this.runtime.decodeThreads ?? this.runtime.threads),
      constantFeeds: (feeds) => this.weightFeeds(feeds),
    };
    return sampleSequences(decoder, req, (st, advance) => decodeWithCache(decoder, st, advance));
  }

  release(): Promise<void> {
    this.kvStorage.clear();
    return this.sessions.release();
  }
}

/** AdamW decays weight matrices (adapters included), never norms, biases or embeddings. */
const decays = (name: string, shape: readonly number[]): boolean => shape.length === 2 && !name.includes('embed_tokens');

function checkTensor(values: ParamValues, name: string, shape: readonly number[], what: string): void {
  const v = values.get(name);
  if (!v) throw new Error(`${what}: tensor '${name}' is missing`);
  if (v.length !== numel(shape)) throw new Error(`${what}: tensor '${name}' has ${v.length} values, the config wants [${shape.join(', ')}]`);
}
