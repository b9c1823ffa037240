// The memory-saving train step's gradients, in stages that each run as their own session
// (docs/engine.md, "Large policies: memory saving"), for any model family that describes itself as a
// StagedModel (the tiny policy: policy-stages.ts; Hugging Face decoders: hf/hf-stages.ts). One
// gradient graph for the whole step made ORT hold several vocabulary × width arrays at once (the
// head's gradient accumulated chunk by chunk, the embedding's scatter onto it, the output) and
// onnxruntime-node copy the result again. Here:
//   1. forward: hidden states, token log-probs, entropies and each row's log-normaliser (and a
//      layered model's residual stream: each layer's input);
//   2. loss: the objective and its gradient with respect to the log-probs (small);
//   3. head: per slice of the vocabulary, that slice's rows of the head's gradient (written into one
//      host array, nothing summed) and its share of the hidden states' gradient;
//   4. body: the blocks' backward pass from the hidden states' gradient, taking the token
//      embeddings as an input (in one graph, or one layer per run from the residual stream); their
//      gradient is scatter-added into the table's on the host (the head's own array when tied).
import { EngineSession, type FloatDType, Graph, type HostTensor, SymDim, type Tensor, chunkedTokenLogprobs, gradients, headGradientSlice, mul, sumAll } from '../engine';
import { DIMS, type Objective, objectiveLoss } from './graphs';
import { FEED } from './feed-names';
import { addScaled } from './host-state';

type FloatArray = Float32Array | Float64Array;

const zeros = (dtype: FloatDType, n: number): FloatArray => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));

/**
 * Parameters above which a train step trades time for memory (docs/engine.md), in every model
 * family: its gradients come from the staged sessions (the head's gradient one vocabulary slice at a
 * time into one host array, the blocks' activations remade in the backward pass) and the in-place
 * host AdamW applies them. Below it the train graphs are those of before, so small policies (the
 * demo's) train to the same bits.
 */
export const MEMORY_SAVING_MIN_PARAMS = 20_000_000;

/** Whether a model of `params` weights trains in stages: the runtime's `memorySaving` where set, else the size rule. */
export const usesMemorySaving = (runtime: { memorySaving?: boolean | undefined }, params: number): boolean => runtime.memorySaving ?? params > MEMORY_SAVING_MIN_PARAMS;

/** What the stages need to know of a model family. */
interface StagedModelParts {
  /** Prefix of the stages' graph names. */
  name: string;
  vocabSize: number;
  dModel: number;
  /** Feed name of the head's weight [V, D] (logits = hidden · Wᵀ). */
  head: string;
  /** Feed name of the table [V, D] whose rows are the text's token embeddings: the head's name when tied. */
  table: string;
  /** Names of the weights a step trains: the gradients the stages return. */
  trained: ReadonlySet<string>;
  /** Feeds other than the token-level ones with one row per sequence, cut per body group (the tiny policy's patches). */
  perSequence: readonly string[];
  /** Attention scores (elements) of one sequence of Tt text positions: heads × positions². */
  scoresPerSequence(Tt: number): number;
  /**
   * Stage 1: declares the model's other inputs (nothing trained) and returns the final hidden states
   * [B, Tt, D] of ids [B, Tt], and the head's weight; a layered model shows `onResidual` its
   * residual stream (each layer's input, then the last layer's output).
   */
  hidden(g: Graph, ids: Tensor, onResidual?: (l: number, x: Tensor) => void): { hidden: Tensor; head: Tensor };
  /** Whether the forward and head stages' sessions keep ORT's arena (default: both do; measured per family, docs/engine.md). */
  arenas?: { forward: boolean; head: boolean };
}

/** A part of stage 4: the hidden states it makes of x [B, Tt, D] and the trained weights' tensors by name. */
type BodyPart = (g: Graph, x: Tensor) => { hidden: Tensor; trained: ReadonlyMap<string, Tensor> };

/**
 * A body of `count` layers of one shape (an HF decoder's): stage 4 runs one layer per session run,
 * backwards, from each layer's input that stage 1 returns, so ORT holds one layer's activations
 * and gradients at a time (docs/engine.md).
 */
export interface LayeredBody {
  count: number;
  /** One layer, reading the first layer's weights under their own names. */
  layer: BodyPart;
  /** The model's name of layer l's weight that the one-layer graph reads as `name`. */
  weightOf(l: number, name: string): string;
  /** What follows the last layer (the final norm): the final hidden states of its output. */
  top: BodyPart;
}

/**
 * Stage 4 as one graph (`body`: every weight but the head and the table declared, the trained ones as
 * parameters; the final hidden states of the token embeddings; the tiny policy remakes each block in
 * the backward pass, recomputed), or layer by layer (`layers`).
 */
export type StagedModel = StagedModelParts & ({ body: BodyPart; layers?: undefined } | { layers: LayeredBody; body?: undefined });

/** Stage 1's output with the residual stream's l-th tensor (a layered model's). */
const residual = (l: number): string => `residual.${l}`;

/** Stage 1: ids, targets, temperature and the model's inputs → hidden [B,Tt,D], logp, entropy, log_sum_exp [B,Tt] (and a layered model's residual stream). */
export function buildStagedForwardGraph(m: StagedModel, headChunks: number, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, `${m.name}-staged-forward`);
  const ids = g.input('ids', [DIMS.batch, DIMS.text], 'int64');
  const { hidden, head } = m.hidden(g, ids, m.layers && ((l, x) => g.output(residual(l), x)));
  const targets = g.input('targets', [DIMS.batch, DIMS.text, 1], 'int64');
  const r = chunkedTokenLogprobs(hidden, head, targets, g.input('temperature', []), headChunks, { logSumExp: true });
  g.output('hidden', hidden);
  g.output('logp', r.logp);
  g.output('entropy', r.entropy);
  g.output('log_sum_exp', r.logSumExp!);
  return g;
}

/** Stage 2: logp [B,Tt], mask, the objective's inputs (and token_entropy for GRPO) → loss, metrics and logp_grad. */
export function buildStagedLossGraph(objective: Objective, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, `staged-loss-${objective.kind}`);
  const shape = [DIMS.batch, DIMS.text];
  const logp = g.param('logp', shape);
  const mask = g.input('mask', shape);
  const lt = objectiveLoss(g, objective, logp, () => g.input('token_entropy', shape), mask);
  g.output('logp_grad', gradients(lt.loss, [logp])[0]!);
  return g;
}

/** Stage 3: one vocabulary slice of the head's backward pass (headGradientSlice), rows R = B·Tt; the slice's weight gradient only when the head is trained. */
export function buildStagedHeadGraph(m: StagedModel, dtype: FloatDType = 'float32'): Graph {
  const g = new Graph(dtype, `${m.name}-staged-head`);
  const [R, Vs, D] = [SymDim.named('R'), SymDim.named('Vs'), m.dModel];
  const r = headGradientSlice(
    {
      h: g.input('hidden', [R, D]),
      weight: g.input('head_slice', [Vs, D]),
      logSumExp: g.input('log_sum_exp', [R, 1]),
      rowGrad: g.input('row_grad', [R, 1]),
      targetInSlice: g.input('target_in_slice', [R, 1], 'int64'),
      targetGrad: g.input('target_grad', [R, 1]),
      temperature: g.input('temperature', []),
    },
    { weightGrad: m.trained.has(m.head) },
  );
  if (r.weightGrad) g.output('head_slice_grad', r.weightGrad);
  g.output('hidden_grad', r.hiddenGrad);
  return g;
}

/**
 * A backward pass of `part` from its input ([B,Tt,D], named `io.input`) and its output's gradient
 * (`io.upstream`): the trained weights' gradients and, when `io.inputGrad`, the input's (`<input>_grad`).
 */
function backwardGraph(name: string, dtype: FloatDType, D: number, io: { input: string; upstream: string; inputGrad: boolean }, part: BodyPart): Graph {
  const g = new Graph(dtype, name);
  const rows = [DIMS.batch, DIMS.text, D];
  const x = io.inputGrad ? g.param(io.input, rows) : g.input(io.input, rows);
  const { hidden, trained } = part(g, x);
  // Σ hidden · upstream: its gradient with respect to anything is the backward pass from `upstream`.
  const grads = gradients(sumAll(mul(hidden, g.input(io.upstream, rows))), [...trained.values(), ...(io.inputGrad ? [x] : [])]);
  [...trained.keys()].forEach((n, i) => g.output(FEED.grad(n), grads[i]!));
  if (io.inputGrad) g.output(`${io.input}_grad`, grads[trained.size]!);
  return g;
}

/** Stage 4 in one graph: the body's weights, token_embeddings [B,Tt,D], per-sequence feeds and hidden_grad → the trained weights' gradients and (table trained) token_embeddings_grad. */
export function buildStagedBodyGraph(m: StagedModel & { body: BodyPart }, dtype: FloatDType = 'float32'): Graph {
  return backwardGraph(`${m.name}-staged-body`, dtype, m.dModel, { input: 'token_embeddings', upstream: 'hidden_grad', inputGrad: m.trained.has(m.table) }, m.body);
}

/** Stage 4 of a layered model, one run per layer: the first layer's weights, x and out_grad [B,Tt,D] → its trained weights' gradients and x_grad. */
export function buildStagedLayerGraph(m: StagedModel & { layers: LayeredBody }, dtype: FloatDType = 'float32'): Graph {
  return backwardGraph(`${m.name}-staged-layer`, dtype, m.dModel, { input: 'x', upstream: 'out_grad', inputGrad: true }, m.layers.layer);
}

/** Stage 4 of a layered model, first: what follows the last layer, from its output x and hidden_grad → the trained weights' gradients and x_grad. */
export function buildStagedTopGraph(m: StagedModel & { layers: LayeredBody }, dtype: FloatDType = 'float32'): Graph {
  return backwardGraph(`${m.name}-staged-top`, dtype, m.dModel, { input: 'x', upstream: 'out_grad', inputGrad: true }, m.layers.top);
}

/** Where the stages' sessions come from (one per stage, built on first use); `arena` false: without ORT's memory arena. */
export type StageSessions = (key: string, build: () => Graph, arena: boolean) => Promise<EngineSession>;

/**
 * The whole-body stage runs without ORT's arena: an arena keeps its largest run's blocks for the
 * session's life, and this stage's (the blocks remade one at a time) are freed as used. Measured on
 * the 150 k-vocabulary step (docs/engine.md): peak 2.56 GB without, 2.92 GB with, at no loss of
 * time; its forward and head stages without one were 2× and 1.4× slower. A layered body's sessions
 * keep theirs: one layer's blocks, reused by every layer's run. `StagedModel.arenas` overrides the
 * forward's and the head's.
 */
const ARENA = { forward: true, loss: true, head: true, body: false, layers: true } as const;

export interface StagedOptions {
  /** Row chunks of the forward pass's head (chunkedTokenLogprobs). */
  headChunks: number;
  /** Logit bytes one vocabulary slice of the head's backward pass may hold (rows × slice × element size). */
  sliceBytes: number;
  /** Attention-score bytes of one body run (heads × positions² × element size per sequence; default BODY_BYTES). */
  bodyBytes?: number;
}

/** Attention-score bytes of one body run: 2 sequences of 386 positions at 9 heads (the 150 k-vocabulary bench) per run. */
export const BODY_BYTES = 16 * 2 ** 20;

/**
 * The gradients of one micro-batch, added into `sums` times `weight` (sums[name] += weight · grad,
 * arrays created at zero, one per trained weight). `feeds` are those of the model's one-graph
 * gradient step: every weight, ids, targets, temperature, mask, the objective's inputs and the
 * model's per-sequence feeds, all in one float type. Returns the loss and the objective's metrics.
 */
export async function stagedGradients(
  m: StagedModel,
  session: StageSessions,
  objective: Objective,
  feeds: Readonly<Record<string, HostTensor>>,
  options: StagedOptions,
  sums: Map<string, FloatArray>,
  weight: number,
): Promise<{ loss: number; metrics: Record<string, number> }> {
  const dtype = feeds.temperature!.dtype as FloatDType;
  const forward = await (await session('staged-forward', () => buildStagedForwardGraph(m, options.headChunks, dtype), m.arenas?.forward ?? ARENA.forward)).run(feeds);
  const lossKey = `staged-loss-${objective.kind === 'sft' ? 'sft' : `grpo-${objective.advantage}${objective.onPolicy ? '-onpolicy' : ''}`}`;
  const lossOut = await (await session(lossKey, () => buildStagedLossGraph(objective, dtype), ARENA.loss)).run({ ...feeds, logp: forward.logp!, token_entropy: forward.entropy! });
  const metrics: Record<string, number> = {};
  for (const [k, t] of Object.entries(lossOut)) if (k !== 'loss' && k !== 'logp_grad') metrics[k] = t.data[0] as number;
  // A layered model's residual stream; nothing else of the forward's outputs stays alive through the body.
  const stream = m.layers ? Array.from({ length: m.layers.count + 1 }, (_, l) => forward[residual(l)]!) : [];
  const sumOf = (name: string): FloatArray | undefined => (m.trained.has(name) ? (sums.get(name) ?? sums.set(name, zeros(dtype, feeds[name]!.data.length)).get(name)!) : undefined);
  const hiddenGrad = await headGradients(
    m,
    session,
    feeds,
    { hidden: forward.hidden!, logSumExp: forward.log_sum_exp!, rowGrad: lossOut.logp_grad! },
    options.sliceBytes,
    sumOf(m.head),
    weight,
  );
  await bodyGradients(m, session, feeds, stream, hiddenGrad, options.bodyBytes ?? BODY_BYTES, { sums, table: sumOf(m.table) }, weight);
  return { loss: lossOut.loss!.data[0] as number, metrics };
}

/**
 * Stage 4 over groups of sequences, each group's attention scores within `bodyBytes` (the body's
 * gradient is a sum over sequences): adds weight × the body's gradients into `into.sums`, and the
 * token embeddings' gradient into the table's rows (`into.table`, when trained) in position order,
 * after the head's when tied (as the single graph's scatter onto the head's gradient did).
 */
async function bodyGradients(
  m: StagedModel,
  session: StageSessions,
  feeds: Readonly<Record<string, HostTensor>>,
  stream: readonly HostTensor[],
  hiddenGrad: FloatArray,
  bodyBytes: number,
  into: { sums: Map<string, FloatArray>; table: FloatArray | undefined },
  weight: number,
): Promise<void> {
  const dtype = feeds.temperature!.dtype as FloatDType;
  const [B, Tt] = feeds.ids!.shape as [number, number];
  const D = m.dModel;
  const table = feeds[m.table]!.data as FloatArray;
  const ids = feeds.ids!.data as BigInt64Array;
  const group = Math.max(1, Math.floor(bodyBytes / (m.scoresPerSequence(Tt) * table.BYTES_PER_ELEMENT)));
  for (let b0 = 0; b0 < B; b0 += group) {
    const n = Math.min(group, B - b0);
    const rows = (t: HostTensor): HostTensor => {
      const width = t.data.length / B;
      return { dtype: t.dtype, shape: [n, ...t.shape.slice(1)], data: t.data.subarray(b0 * width, (b0 + n) * width) };
    };
    const ctx = { session, feeds, sums: into.sums, weight, dtype, rows };
    const upstream: HostTensor = { dtype, shape: [n, Tt, D], data: hiddenGrad.subarray(b0 * Tt * D, (b0 + n) * Tt * D) };
    const tokenGrad = m.layers
      ? await layersBackward(m, ctx, (l) => rows(stream[l]!), upstream)
      : await wholeBackward(m, ctx, ids.subarray(b0 * Tt, (b0 + n) * Tt), table, upstream);
    if (!into.table) continue;
    const tableGrad = into.table;
    ids.subarray(b0 * Tt, (b0 + n) * Tt).forEach((id, r) => {
      for (let j = 0, at = Number(id) * D; j < D; j++) tableGrad[at + j]! += weight * tokenGrad![r * D + j]!;
    });
  }
}

/** What a body group's backward pass reads and where it adds its gradients (`rows` cuts a per-sequence feed to the group). */
interface BodyContext {
  session: StageSessions;
  feeds: Readonly<Record<string, HostTensor>>;
  sums: Map<string, FloatArray>;
  weight: number;
  dtype: FloatDType;
  rows: (t: HostTensor) => HostTensor;
}

/** The body in one run for the group's token ids: adds its trained weights' gradients; returns the token embeddings' (when the table is trained). */
async function wholeBackward(m: StagedModel & { body: BodyPart }, ctx: BodyContext, ids: BigInt64Array, table: FloatArray, upstream: HostTensor): Promise<FloatArray | undefined> {
  const { dtype, feeds } = ctx;
  const D = m.dModel;
  const body = await ctx.session('staged-body', () => buildStagedBodyGraph(m, dtype), ARENA.body);
  const tokens = zeros(dtype, ids.length * D);
  ids.forEach((id, r) => tokens.set(table.subarray(Number(id) * D, (Number(id) + 1) * D), r * D));
  const out = await body.run({
    ...feeds,
    ...Object.fromEntries(m.perSequence.map((name) => [name, ctx.rows(feeds[name]!)])),
    token_embeddings: { dtype, shape: upstream.shape, data: tokens },
    hidden_grad: upstream,
  });
  for (const name of m.trained) if (name !== m.head && name !== m.table) addScaled(ctx.sums, name, out[FEED.grad(name)]!.data as FloatArray, ctx.weight);
  return out.token_embeddings_grad?.data as FloatArray | undefined;
}

/**
 * The body one layer per run, last first, from the residual stream stage 1 returned (`residual(l)`:
 * layer l's input, the last layer's output at l = count): adds each run's trained weights'
 * gradients under the model's names; returns the first layer's input's gradient (the token embeddings').
 */
async function layersBackward(m: StagedModel & { layers: LayeredBody }, ctx: BodyContext, residualAt: (l: number) => HostTensor, upstream: HostTensor): Promise<FloatArray> {
  const L = m.layers;
  const top = await ctx.session('staged-top', () => buildStagedTopGraph(m, ctx.dtype), ARENA.layers);
  const layer = await ctx.session('staged-layer', () => buildStagedLayerGraph(m, ctx.dtype), ARENA.layers);
  const backward = async (s: EngineSession, l: number, outGrad: HostTensor, nameOf: (name: string) => string): Promise<HostTensor> => {
    const weights = s.inputNames.filter((name) => name !== 'x' && name !== 'out_grad');
    const out = await s.run({ ...Object.fromEntries(weights.map((name) => [name, ctx.feeds[nameOf(name)]!])), x: residualAt(l), out_grad: outGrad });
    for (const name of weights) {
      const grad = out[FEED.grad(name)];
      if (grad) addScaled(ctx.sums, nameOf(name), grad.data as FloatArray, ctx.weight);
    }
    return out.x_grad!;
  };
  let grad = await backward(top, L.count, upstream, (name) => name);
  for (let l = L.count - 1; l >= 0; l--) grad = await backward(layer, l, grad, (name) => L.weightOf(l, name));
  return grad.data as FloatArray;
}

/**
 * Stage 3 over every slice of the vocabulary: adds weight × each slice's head gradient into its rows
 * of `headGrad` (when the head is trained) and returns the hidden states' gradient [R·D] (the
 * slices' shares summed in order).
 */
async function headGradients(
  m: StagedModel,
  session: StageSessions,
  feeds: Readonly<Record<string, HostTensor>>,
  forward: { hidden: HostTensor; logSumExp: HostTensor; rowGrad: HostTensor },
  sliceBytes: number,
  headGrad: FloatArray | undefined,
  weight: number,
): Promise<FloatArray> {
  const [V, D] = [m.vocabSize, m.dModel];
  const rowGrad = forward.rowGrad.data as FloatArray;
  const R = rowGrad.length;
  const dtype = forward.hidden.dtype as FloatDType;
  const perRow = (data: FloatArray | BigInt64Array): HostTensor => ({ dtype: data instanceof BigInt64Array ? 'int64' : dtype, shape: [R, 1], data });
  const head = await session('staged-head', () => buildStagedHeadGraph(m, dtype), m.arenas?.head ?? ARENA.head);
  const weights = feeds[m.head]!.data as FloatArray;
  const targets = feeds.targets!.data as BigInt64Array;
  const hiddenGrad = zeros(dtype, R * D);
  const sliceRows = Math.max(1, Math.floor(sliceBytes / (R * weights.BYTES_PER_ELEMENT)));
  const fixed = {
    hidden: { dtype, shape: [R, D], data: forward.hidden.data },
    log_sum_exp: perRow(forward.logSumExp.data as FloatArray),
    row_grad: perRow(rowGrad),
    temperature: feeds.temperature!,
  };
  for (let v0 = 0; v0 < V; v0 += sliceRows) {
    const v1 = Math.min(V, v0 + sliceRows);
    // A target outside the slice scatters 0 onto index 0: x + 0 is x.
    const inSlice = new BigInt64Array(R);
    const targetGrad = zeros(dtype, R);
    targets.forEach((t, r) => {
      const local = Number(t) - v0;
      if (local >= 0 && local < v1 - v0) {
        inSlice[r] = BigInt(local);
        targetGrad[r] = rowGrad[r]!;
      }
    });
    const out = await head.run({
      ...fixed,
      head_slice: { dtype, shape: [v1 - v0, D], data: weights.subarray(v0 * D, v1 * D) },
      target_in_slice: perRow(inSlice),
      target_grad: perRow(targetGrad),
    });
    if (headGrad) {
      const sliceGrad = out.head_slice_grad!.data as FloatArray;
      for (let i = 0, at = v0 * D; i < sliceGrad.length; i++) headGrad[at + i]! += weight * sliceGrad[i]!;
    }
    const share = out.hidden_grad!.data as FloatArray;
    for (let i = 0; i < share.length; i++) hiddenGrad[i]! += share[i]!;
  }
  return hiddenGrad;
}
