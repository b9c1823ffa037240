// AdamW on the host, in place: the twin of adamwStep (optim.ts) for the step after micro-batches,
// whose gradients are summed on the host anyway (an apply graph would take the parameters and moments
// in and return them as fresh arrays: onnxruntime-node copies every output). Every operation is
// rounded to float32 in the order the graph computes it, so both paths give the same numbers up to
// the global norm's summation order.
import type { AdamWHyper } from './optim';

const f = Math.fround;

/** Global L2 norm of the gradients (accumulated in float64). */
export function hostGlobalNorm(grads: Iterable<Float32Array>): number {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  return Math.sqrt(sq);
}

export interface HostAdamWStep {
  lr: number;
  /** 1 / (1 − β1^t) and 1 / (1 − β2^t). */
  biasCorrection1: number;
  biasCorrection2: number;
  eps: number;
  /** The gradient's clip factor (1 when clipping is off or the norm is within bounds). */
  gradScale: number;
}

/** The global-norm clip factor, as globalNormScale: min(1, maxNorm / (‖g‖ + 1e-6)); 1 when clipping is off. */
export const hostClipScale = (norm: number, maxNorm: number): number => (!Number.isFinite(maxNorm) || maxNorm <= 0 ? 1 : Math.min(f(f(maxNorm) / f(f(norm) + f(1e-6))), 1));

/** Updates param, m and v in place from grad; `decay` false skips weight decay. */
export function hostAdamW(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, s: HostAdamWStep, h: AdamWHyper, decay: boolean): void {
  const b1 = f(h.beta1);
  const b2 = f(h.beta2);
  const in1 = f(f(s.gradScale) * f(1 - h.beta1));
  const in2 = f(f(f(s.gradScale) * f(s.gradScale)) * f(1 - h.beta2));
  const stepSize = f(f(s.lr) * f(s.biasCorrection1));
  const bc2 = f(s.biasCorrection2);
  const eps = f(s.eps);
  const keep = decay && h.weightDecay !== 0 ? f(1 - f(f(s.lr) * f(h.weightDecay))) : 1;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    const m2 = f(f(m[i]! * b1) + f(g * in1));
    const v2 = f(f(v[i]! * b2) + f(f(g * g) * in2));
    const update = f(f(m2 * stepSize) / f(f(Math.sqrt(f(v2 * bc2))) + eps));
    param[i] = f((keep === 1 ? param[i]! : f(param[i]! * keep)) - update);
    m[i] = m2;
    v[i] = v2;
  }
}
