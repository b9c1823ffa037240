// Optimiser pieces emitted into a training graph: global-norm gradient clipping and AdamW. Parameters
// and moment estimates come in as graph inputs and leave as outputs (ORT cannot update initializers).
// Per-element work is kept to few ops: the clip factor and the learning rate are folded into scalars
// instead of rescaling every gradient and step tensor.
import { attr } from './graph';
import { add, div, minimum, mul, sqrt, sub } from './ops';
import type { Tensor } from './tensor';

export interface ClipResult {
  grads: Tensor[];
  /** Global L2 norm of the gradients before clipping. */
  norm: Tensor;
}

export interface ClipScale {
  /** Global L2 norm of the gradients before clipping. */
  norm: Tensor;
  /** min(1, maxNorm / (‖g‖ + 1e-6)); undefined when clipping is off. */
  scale: Tensor | undefined;
}

/** The global-norm clip factor, as torch.nn.utils.clip_grad_norm_ (one ReduceSumSquare per gradient). */
export function globalNormScale(grads: readonly Tensor[], maxNorm: number): ClipScale {
  const first = grads[0];
  if (!first) throw new Error('clipByGlobalNorm: no gradients');
  const graph = first.graph;
  let sq: Tensor | undefined;
  for (const g of grads) {
    const s = graph.node('ReduceSumSquare', [g], [], g.dtype, { keepdims: attr.int(0) });
    sq = sq ? add(sq, s) : s;
  }
  const norm = sqrt(sq!);
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) return { norm, scale: undefined };
  return { norm, scale: minimum(div(maxNorm, add(norm, 1e-6)), 1) };
}

/** Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), as torch.nn.utils.clip_grad_norm_. */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number): ClipResult {
  const { norm, scale } = globalNormScale(grads, maxNorm);
  return { grads: scale ? grads.map((g) => mul(g, scale)) : [...grads], norm };
}

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWHyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface AdamWScalars {
  /** Learning rate for this step (graph input so schedules need no rebuild). */
  lr: Tensor;
  /** 1 / (1 − β1^t) and 1 / (1 − β2^t), computed by the caller from the step number. */
  biasCorrection1: Tensor;
  biasCorrection2: Tensor;
  /** Factor the raw gradient is multiplied by first (the global-norm clip), if any. */
  gradScale?: Tensor;
  /** ε as a graph input (a per-step value, e.g. SFT's and RL's differ); the hyper-parameter's constant otherwise. */
  eps?: Tensor;
}

export interface AdamWUpdate {
  param: Tensor;
  m: Tensor;
  v: Tensor;
}

/** Per-step scalar factors of the AdamW update, computed once and shared by every parameter. */
export interface AdamWFactors {
  beta1: number;
  beta2: number;
  eps: Tensor | number;
  /** (1−β1)·scale and (1−β2)·scale², scale being the gradient's clip factor. */
  gradIn1: Tensor | number;
  gradIn2: Tensor | number;
  /** lr·bc1, bc2 and 1 − lr·λ. */
  stepSize: Tensor;
  biasCorrection2: Tensor;
  keep: Tensor | undefined;
}

export function adamwFactors(s: AdamWScalars, h: AdamWHyper): AdamWFactors {
  return {
    beta1: h.beta1,
    beta2: h.beta2,
    eps: s.eps ?? h.eps,
    gradIn1: s.gradScale ? mul(s.gradScale, 1 - h.beta1) : 1 - h.beta1,
    gradIn2: s.gradScale ? mul(mul(s.gradScale, s.gradScale), 1 - h.beta2) : 1 - h.beta2,
    stepSize: mul(s.lr, s.biasCorrection1),
    biasCorrection2: s.biasCorrection2,
    keep: h.weightDecay !== 0 ? sub(1, mul(s.lr, h.weightDecay)) : undefined,
  };
}

/**
 * One decoupled-weight-decay Adam update (Loshchilov & Hutter) on g = gradScale·grad; `decay` false
 * skips weight decay:
 *   m' = β1·m + (1−β1)·g,  v' = β2·v + (1−β2)·g²,
 *   p' = p·(1 − lr·λ) − (lr·bc1)·m' / (√(bc2·v') + ε).
 */
export function adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, f: AdamWFactors, decay: boolean): AdamWUpdate {
  const m2 = add(mul(m, f.beta1), mul(grad, f.gradIn1));
  const v2 = add(mul(v, f.beta2), mul(mul(grad, grad), f.gradIn2));
  const update = div(mul(m2, f.stepSize), add(sqrt(mul(v2, f.biasCorrection2)), f.eps));
  return { param: sub(decay && f.keep ? mul(param, f.keep) : param, update), m: m2, v: v2 };
}
