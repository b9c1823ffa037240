// Optimiser pieces emitted into a training graph: global-norm gradient clipping and AdamW. Parameters
// and moment estimates come in as graph inputs and leave as outputs (ORT cannot update initializers).
import { add, div, minimum, mul, reduceSum, sqrt, sub } from './ops';
import type { Tensor } from './tensor';

export interface ClipResult {
  grads: Tensor[];
  /** Global L2 norm of the gradients before clipping. */
  norm: Tensor;
}

/** Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), as torch.nn.utils.clip_grad_norm_. */
export function clipByGlobalNorm(grads: readonly Tensor[], maxNorm: number): ClipResult {
  const first = grads[0];
  if (!first) throw new Error('clipByGlobalNorm: no gradients');
  let sq: Tensor | undefined;
  for (const g of grads) {
    const s = reduceSum(mul(g, g), [...g.shape.keys()]);
    sq = sq ? add(sq, s) : s;
  }
  const norm = sqrt(sq!);
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) return { grads: [...grads], norm };
  const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => mul(g, scale)), norm };
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
}

export interface AdamWUpdate {
  param: Tensor;
  m: Tensor;
  v: Tensor;
}

/** One decoupled-weight-decay Adam update (Loshchilov & Hutter); `decay` false skips weight decay. */
export function adamwStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, s: AdamWScalars, h: AdamWHyper, decay: boolean): AdamWUpdate {
  const m2 = add(mul(m, h.beta1), mul(grad, 1 - h.beta1));
  const v2 = add(mul(v, h.beta2), mul(mul(grad, grad), 1 - h.beta2));
  let step = div(mul(m2, s.biasCorrection1), add(sqrt(mul(v2, s.biasCorrection2)), h.eps));
  if (decay && h.weightDecay !== 0) step = add(step, mul(param, h.weightDecay));
  return { param: sub(param, mul(s.lr, step)), m: m2, v: v2 };
}
