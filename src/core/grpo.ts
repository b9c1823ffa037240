// Plain-array GRPO math (DESIGN §6): the reference that the trainer's ONNX loss graphs are tested
// against. Arrays are row-major [batch][tokens]; masks are 0/1.

export interface AdvantageOptions {
  /** Added to the group std (R1-VL / TRL: 1e-4). */
  eps?: number;
  /** false = Dr.GRPO: subtract the group mean only. */
  scaleStd?: boolean;
}

/** Sample standard deviation (n − 1, as torch.std and TRL's nanstd); 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Group-relative advantages: rewards are laid out group after group (G consecutive samples per
 * prompt). The std is the unbiased one (n − 1), as torch.std in the released code.
 */
export function groupAdvantages(rewards: readonly number[], groupSize: number, opts: AdvantageOptions = {}): number[] {
  const eps = opts.eps ?? 1e-4;
  const scaleStd = opts.scaleStd ?? true;
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new RangeError(`groupSize must be a positive integer, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) {
    throw new RangeError(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  const out = new Array<number>(rewards.length);
  for (let g = 0; g < rewards.length; g += groupSize) {
    const group = rewards.slice(g, g + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const std = sampleStd(group);
    for (let i = 0; i < groupSize; i++) {
      const centred = group[i]! - mean;
      out[g + i] = scaleStd ? centred / (std + eps) : centred;
    }
  }
  return out;
}

/** k3 estimator of KL(π‖π_ref) per token: exp(ref − logp) − (ref − logp) − 1 (always ≥ 0). */
export function k3KL(logp: number, refLogp: number): number {
  const d = refLogp - logp;
  return Math.exp(d) - d - 1;
}

export type LossAggregation = 'sequence' | 'token';

export interface GrpoLossInputs {
  /** log π_θ(o_t) per token. */
  logp: readonly (readonly number[])[];
  /** log π_old(o_t) per token (the sampling policy). */
  oldLogp: readonly (readonly number[])[];
  /** log π_ref(o_t) per token (the frozen SFT policy). */
  refLogp: readonly (readonly number[])[];
  /** 1 for completion tokens that count, 0 for prompt and padding. */
  mask: readonly (readonly number[])[];
  /** One advantage per sequence, or one per token (step-level credit). */
  advantages: readonly number[] | readonly (readonly number[])[];
}

export interface GrpoLossOptions {
  beta: number;
  epsLow: number;
  epsHigh: number;
  aggregation: LossAggregation;
}

export interface GrpoLossResult {
  loss: number;
  /** Masked mean of k3 KL over all counted tokens. */
  kl: number;
  /** Fraction of counted tokens where the clipped term was the one taken by min(). */
  clipRatio: number;
  /** Per-token loss (0 where masked). */
  perToken: number[][];
}

/** Per-token loss −[min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A) − β·KL], aggregated per sequence or per token. */
export function referenceGrpoLoss(inputs: GrpoLossInputs, o: GrpoLossOptions): GrpoLossResult {
  const { logp, oldLogp, refLogp, mask, advantages } = inputs;
  const perToken: number[][] = [];
  let seqSum = 0;
  let tokenSum = 0;
  let tokenCount = 0;
  let klSum = 0;
  let clipped = 0;
  for (let b = 0; b < logp.length; b++) {
    const row: number[] = [];
    let rowSum = 0;
    let rowCount = 0;
    for (let t = 0; t < logp[b]!.length; t++) {
      const m = mask[b]![t]!;
      const adv = Array.isArray(advantages[b]) ? (advantages[b] as readonly number[])[t]! : (advantages[b] as number);
      const ratio = Math.exp(logp[b]![t]! - oldLogp[b]![t]!);
      const unclipped = ratio * adv;
      const clippedTerm = Math.min(Math.max(ratio, 1 - o.epsLow), 1 + o.epsHigh) * adv;
      const kl = k3KL(logp[b]![t]!, refLogp[b]![t]!);
      const l = -(Math.min(unclipped, clippedTerm) - o.beta * kl) * m;
      row.push(l);
      if (m) {
        rowSum += l;
        rowCount += m;
        klSum += kl * m;
        if (clippedTerm < unclipped) clipped += m;
      }
    }
    perToken.push(row);
    // A sequence with no counted token contributes 0 (TRL would produce NaN here).
    if (rowCount > 0) seqSum += rowSum / rowCount;
    tokenSum += rowSum;
    tokenCount += rowCount;
  }
  const loss = o.aggregation === 'sequence' ? (logp.length ? seqSum / logp.length : 0) : tokenCount ? tokenSum / tokenCount : 0;
  return { loss, kl: tokenCount ? klSum / tokenCount : 0, clipRatio: tokenCount ? clipped / tokenCount : 0, perToken };
}
