// Training objectives as engine graphs: SFT cross-entropy and the GRPO loss of DESIGN §6, the
// graph twin of grpoLoss in src/core/grpo.ts (tested against it; not imported here).
import { type Tensor, clip, div, exp, maximum, minimum, mul, neg, reduceMean, reduceSum, sub, sumAll } from '../engine';

export type LossAggregation = 'sequence' | 'token';

export interface GrpoLossConfig {
  beta: number;
  epsLow: number;
  epsHigh: number;
  aggregation: LossAggregation;
}

export interface LossTensors {
  loss: Tensor;
  /** Extra scalar metrics, e.g. kl and clip_ratio. */
  metrics: Record<string, Tensor>;
}

/** Mean of per-token values under a 0/1 mask [B,T]: per sequence then over the batch, or over all tokens. */
function aggregate(perToken: Tensor, mask: Tensor, how: LossAggregation): Tensor {
  const masked = mul(perToken, mask);
  if (how === 'token') return div(sumAll(masked), maximum(sumAll(mask), 1));
  // A sequence without counted tokens contributes 0, as in the reference.
  return reduceMean(div(reduceSum(masked, [1]), maximum(reduceSum(mask, [1]), 1)), [0]);
}

export const maskedMean = (x: Tensor, mask: Tensor): Tensor => div(sumAll(mul(x, mask)), maximum(sumAll(mask), 1));

/** Cross-entropy of the target tokens, averaged over masked tokens. */
export function sftLoss(logp: Tensor, mask: Tensor): LossTensors {
  return { loss: aggregate(neg(logp), mask, 'token'), metrics: {} };
}

/**
 * −[min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A) − β·k3KL] per token, ρ = exp(logp − oldLogp). `adv` is
 * [B,1] (one advantage per sequence) or [B,T] (per token).
 */
export function grpoLoss(logp: Tensor, oldLogp: Tensor, refLogp: Tensor, mask: Tensor, adv: Tensor, cfg: GrpoLossConfig): LossTensors {
  const ratio = exp(sub(logp, oldLogp));
  const unclipped = mul(ratio, adv);
  const clipped = mul(clip(ratio, 1 - cfg.epsLow, 1 + cfg.epsHigh), adv);
  const d = sub(refLogp, logp);
  const kl = sub(sub(exp(d), d), 1);
  const perToken = neg(sub(minimum(unclipped, clipped), mul(kl, cfg.beta)));
  const g = logp.graph;
  const clippedTaken = g.node('Cast', [g.node('Less', [clipped, unclipped], clipped.shape, 'bool')], clipped.shape, logp.dtype, {
    to: { kind: 'int', value: logp.dtype === 'float64' ? 11 : 1 },
  });
  return {
    loss: aggregate(perToken, mask, cfg.aggregation),
    metrics: { kl: maskedMean(kl, mask), clip_ratio: maskedMean(clippedTaken, mask), ratio_mean: maskedMean(ratio, mask) },
  };
}
