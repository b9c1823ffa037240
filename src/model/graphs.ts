// Graph factories for the policy's sessions: token log-probs, full logits (export and the
// no-cache sampler), the KV-cache decode step, and the fused train step (forward, loss, backward,
// global-norm clipping, AdamW) with parameters and optimiser state in as inputs and out as outputs.
import {
  ADAMW_DEFAULTS,
  type AdamWHyper,
  type Dim,
  SymDim,
  type FloatDType,
  Graph,
  type Tensor,
  adamwFactors,
  adamwStep,
  chunkedTokenLogprobs,
  globalNormScale,
  div,
  exp,
  gatherElements,
  gradients,
  isStatic,
  logSoftmax,
  mul,
  neg,
  reduceSum,
  reshape,
  softmax,
  stopGradient,
} from '../engine';
import { type PolicyConfig, contextLength, numPatches, patchDim } from './config';
import { type GrpoLossConfig, type LossTensors, grpoLoss, maskedMean, sftLoss } from './loss';
import { FEED } from './feed-names';
import type { KvLayout } from './kv-cache';
import { paramSpecs } from './params';
import { declareParams, policyDecodeStep, policyHidden, policyLogits, policyPrefill } from './transformer';

/**
 * `onPolicy`: the batch was sampled from the current parameters and gets one update, so the "old"
 * log-probs are the graph's own, held constant (ratio 1, gradient A·∇logp) and no separate pass is
 * needed; otherwise they come in as `old_logp`.
 */
export type Objective = { kind: 'sft' } | { kind: 'grpo'; loss: GrpoLossConfig; advantage: 'sequence' | 'token'; onPolicy: boolean };

export interface OptimizerConfig {
  adamw: AdamWHyper;
  /** Global L2 norm the gradients are clipped to (≤ 0 or Infinity disables clipping). */
  maxGradNorm: number;
}

export const OPTIMIZER_DEFAULTS: OptimizerConfig = { adamw: ADAMW_DEFAULTS, maxGradNorm: 1.0 };

/**
 * The symbolic sizes of the runtime's graphs: sequences in a batch, text positions, the text prefix
 * a prefill covers, and the positions a decode step's KV cache holds. One session per graph then serves every batch (docs/engine.md).
 */
export const DIMS = { batch: SymDim.named('B'), text: SymDim.named('T'), prefix: SymDim.named('L'), cache: SymDim.named('S') } as const;

export interface BatchInputs {
  ids: Tensor;
  targets: Tensor;
  patches: Tensor;
  /** Scalar: log-probs are those of softmax(logits / temperature), the distribution sampled from. */
  temperature: Tensor;
}

/** Text length Tt ≤ maxTextLen: batches are cut to their longest sequence (rounded up) instead of padded to the maximum. */
export function batchInputs(g: Graph, c: PolicyConfig, B: Dim, Tt: Dim): BatchInputs {
  if (isStatic(Tt) && !(Number.isInteger(Tt) && Tt >= 1 && Tt <= c.maxTextLen)) throw new Error(`policy graph: text length ${Tt} must be in [1, ${c.maxTextLen}]`);
  return {
    ids: g.input('ids', [B, Tt], 'int64'),
    targets: g.input('targets', [B, Tt, 1], 'int64'),
    patches: g.input('patches', [B, numPatches(c), patchDim(c)]),
    temperature: g.input('temperature', []),
  };
}

/** Logit bytes one chunk of the language-model head may hold (rows × vocabulary × 4). */
export const HEAD_CHUNK_BYTES = 64 * 2 ** 20;

/** Chunks the head needs so that no chunk of a run of `maxRows` positions exceeds `budget` bytes of logits. */
export const headChunks = (c: PolicyConfig, maxRows: number, budget = HEAD_CHUNK_BYTES): number => Math.max(1, Math.ceil((maxRows * c.vocabSize * 4) / budget));

/**
 * log π_T(target_t | prefix) [B,Tt] and the entropy of that distribution. One chunk takes the
 * whole-array path (log-softmax over [B,Tt,V]); more go through chunkedTokenLogprobs, which never
 * holds the whole array.
 */
function tokenLogprobs(g: Graph, c: PolicyConfig, P: ReturnType<typeof declareParams>, x: BatchInputs, chunks: number): { logp: Tensor; entropy: Tensor } {
  if (chunks > 1) return chunkedTokenLogprobs(policyHidden(g, c, P, x.ids, x.patches), P.get('wte')!, x.targets, x.temperature, chunks);
  // × 1/T rather than ÷ T: ORT's Div by a broadcast scalar is ~10× slower than Mul (T = 1 gives the same values).
  const logsm = logSoftmax(mul(policyLogits(g, c, P, x.ids, x.patches), div(1, x.temperature)));
  return { logp: reshape(gatherElements(logsm, x.targets, -1), x.ids.shape), entropy: stopGradient(neg(reduceSum(mul(exp(logsm), logsm), [-1]))) };
}

export function buildLogprobsGraph(c: PolicyConfig, B: Dim = DIMS.batch, Tt: Dim = DIMS.text, dtype: FloatDType = 'float32', chunks = 1): Graph {
  const g = new Graph(dtype, 'policy-logprobs');
  const P = declareParams(g, c, false);
  const x = batchInputs(g, c, B, Tt);
  const { logp, entropy } = tokenLogprobs(g, c, P, x, chunks);
  g.output('logp', logp);
  g.output('entropy', entropy);
  return g;
}

/** ids [B,Tt] + patches → logits [B,Tt,V]; the graph behind the ONNX export and the no-cache sampler. */
export function buildLogitsGraph(c: PolicyConfig, B: Dim = DIMS.batch, Tt: Dim = DIMS.text): Graph {
  const g = new Graph('float32', 'policy-logits');
  const P = declareParams(g, c, false);
  const ids = g.input('ids', [B, Tt], 'int64');
  const patches = g.input('patches', [B, numPatches(c), patchDim(c)]);
  g.output('logits', policyLogits(g, c, P, ids, patches));
  return g;
}

/** The KV cache's layout for N sequences of S positions, keys (× 1/√dh) and values alike: [N,H,S,dh]. */
export const cacheShape = <D extends Dim>(c: PolicyConfig, N: D, S: D | number = contextLength(c)): (D | number)[] => [N, c.nHeads, S, c.dModel / c.nHeads];

/** The tiny policy's KV-cache layout: every head, image patches and text positions. */
export const kvLayout = (c: PolicyConfig): KvLayout => ({ layers: c.nLayers, heads: c.nHeads, headDim: c.dModel / c.nHeads, limit: contextLength(c) });

/**
 * Image patches + the first L text tokens of N sequences → every layer's keys and values. L = 0
 * (image only) is its own graph: it has no ids input.
 */
export function buildPrefillGraph(c: PolicyConfig, N: Dim = DIMS.batch, L: Dim = DIMS.prefix): Graph {
  if (isStatic(L) && !(Number.isInteger(L) && L >= 0 && L < c.maxTextLen)) throw new Error(`prefill: text length ${L} must be in [0, ${c.maxTextLen})`);
  const g = new Graph('float32', 'policy-prefill');
  const P = declareParams(g, c, false);
  const patches = g.input('patches', [N, numPatches(c), patchDim(c)]);
  const ids = L !== 0 ? g.input('ids', [N, L], 'int64') : undefined;
  const kv = policyPrefill(g, c, P, patches, ids);
  kv.k.forEach((t, l) => g.output(FEED.layerK(l), t));
  kv.v.forEach((t, l) => g.output(FEED.layerV(l), t));
  return g;
}

export function buildDecodeGraph(c: PolicyConfig, N: Dim = DIMS.batch): Graph {
  const g = new Graph('float32', 'policy-decode');
  const P = declareParams(g, c, false);
  const token = g.input('token', [N, 1], 'int64');
  const pos = g.input('pos', [N], 'int64');
  const shape = cacheShape(c, N, DIMS.cache);
  const ks = Array.from({ length: c.nLayers }, (_, l) => g.input(FEED.cacheK(l), shape));
  const vs = Array.from({ length: c.nLayers }, (_, l) => g.input(FEED.cacheV(l), shape));
  declareDecodeOutputs(g, policyDecodeStep(g, c, P, token, pos, ks, vs));
  return g;
}

/**
 * A decode graph's outputs: logits [N, V], their softmax at the input `temperature` ([1]; the
 * sampler's plain draws read these, so no exp per vocabulary entry runs in JS), and per layer the
 * new position's key and value. A run fetches the one of logits and probs it needs.
 */
export function declareDecodeOutputs(g: Graph, out: { logits: Tensor; k: readonly Tensor[]; v: readonly Tensor[] }): void {
  g.output('logits', out.logits);
  g.output('probs', softmax(div(out.logits, g.input('temperature', [1])), -1));
  out.k.forEach((t, l) => g.output(FEED.layerK(l), t));
  out.v.forEach((t, l) => g.output(FEED.layerV(l), t));
}

export interface TrainGraphOptions {
  dtype?: FloatDType;
  /** 'adamw' (default): the fused update; 'gradients': emit the loss's raw gradients (micro-batches, checks). */
  emit?: 'adamw' | 'gradients';
  /** Text positions of the batch (default maxTextLen; DIMS.text for any). */
  textLen?: Dim;
  /** Chunks of the language-model head (default 1: the whole-array path). */
  headChunks?: number;
}

export function buildTrainGraph(c: PolicyConfig, B: Dim, objective: Objective, optim: OptimizerConfig = OPTIMIZER_DEFAULTS, options: TrainGraphOptions = {}): Graph {
  const dtype = options.dtype ?? 'float32';
  const g = new Graph(dtype, `policy-train-${objective.kind}`);
  const P = declareParams(g, c, true);
  const Tt = options.textLen ?? c.maxTextLen;
  const x = batchInputs(g, c, B, Tt);
  const mask = g.input('mask', [B, Tt]);
  const { logp, entropy } = tokenLogprobs(g, c, P, x, options.headChunks ?? 1);
  const lt = objectiveLoss(g, objective, logp, () => entropy, mask);
  const specs = paramSpecs(c);
  const params = specs.map((s) => P.get(s.name)!);
  const grads = gradients(lt.loss, params);
  if (options.emit === 'gradients') {
    g.output('logp', logp);
    specs.forEach((s, i) => g.output(FEED.grad(s.name), grads[i]!));
    return g;
  }
  appendAdamW(g, c, params, grads, optim);
  return g;
}

/**
 * The objective's loss from the token log-probs and the loss mask [B, Tt], with its inputs (old_logp,
 * ref_logp, advantages), declared in this order; outputs `loss` and the metrics.
 */
export function objectiveLoss(g: Graph, objective: Objective, logp: Tensor, entropy: () => Tensor, mask: Tensor): LossTensors {
  const [B, Tt] = mask.shape as [Dim, Dim];
  let lt: LossTensors;
  if (objective.kind === 'sft') lt = sftLoss(logp, mask);
  else {
    const old = objective.onPolicy ? stopGradient(logp) : g.input('old_logp', [B, Tt]);
    const ref = g.input('ref_logp', [B, Tt]);
    const adv = g.input('advantages', objective.advantage === 'token' ? [B, Tt] : [B, 1]);
    lt = grpoLoss(logp, old, ref, mask, adv, objective.loss);
    lt.metrics.entropy = maskedMean(entropy(), mask);
  }
  g.output('loss', lt.loss);
  for (const [k, t] of Object.entries(lt.metrics)) g.output(k, t);
  return lt;
}

/** Global-norm clipping and AdamW over every parameter: outputs grad_norm and the new parameters and moments. */
function appendAdamW(g: Graph, c: PolicyConfig, params: readonly Tensor[], grads: readonly Tensor[], optim: OptimizerConfig): void {
  const clip = globalNormScale(grads, optim.maxGradNorm);
  g.output('grad_norm', clip.norm);
  const scalars = {
    lr: g.input('lr', []),
    biasCorrection1: g.input('bias_correction1', []),
    biasCorrection2: g.input('bias_correction2', []),
    eps: g.input('adam_eps', []),
    gradScale: clip.scale,
  };
  const factors = adamwFactors(scalars, optim.adamw);
  paramSpecs(c).forEach((s, i) => {
    const m = g.input(FEED.adamM(s.name), s.shape);
    const v = g.input(FEED.adamV(s.name), s.shape);
    const u = adamwStep(params[i]!, grads[i]!, m, v, factors, s.decay);
    g.output(FEED.newParam(s.name), u.param);
    g.output(FEED.newAdamM(s.name), u.m);
    g.output(FEED.newAdamV(s.name), u.v);
  });
}
