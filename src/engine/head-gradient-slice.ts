// The language-model head's backward pass for one slice of the vocabulary. The head's weight
// gradient is vocabulary × width (345 MB at 150 k × 576): computed in row chunks, each chunk's
// contribution is that whole size and ORT holds several of them. Cut by vocabulary instead, each
// slice's gradient is its own rows of the whole and nothing is summed: a caller runs this graph once
// per slice and writes each result into one host array. Softmax needs the whole row's normaliser,
// so the forward pass hands it in (chunkedTokenLogprobs' logSumExp); the hidden states' gradient is
// this slice's share, summed over slices by the caller.
import { attr } from './graph';
import { type Tensor, formatShape } from './tensor';

export interface HeadSliceInputs {
  /** Final hidden states [R, D] (all rows of the batch). */
  h: Tensor;
  /** The head's rows for this slice of the vocabulary, [Vs, D] (logits = h·Wᵀ). */
  weight: Tensor;
  /** log Σ exp(logits / temperature) over the whole vocabulary, per row [R, 1]. */
  logSumExp: Tensor;
  /** The upstream gradient of each row's target log-prob, [R, 1]. */
  rowGrad: Tensor;
  /** int64 [R, 1]: the row's target index within the slice (any index in range when the target is elsewhere). */
  targetInSlice: Tensor;
  /** [R, 1]: rowGrad where the target is in this slice, 0 elsewhere. */
  targetGrad: Tensor;
  /** Scalar temperature. */
  temperature: Tensor;
}

/**
 * Gradients of Σ_r rowGrad_r · logp_r (logp = log softmax(h·Wᵀ / T)[target]) with respect to this
 * slice's head rows, [Vs, D] (only with `weightGrad`, default on: a frozen head needs none), and
 * this slice's share of the hidden states' gradient, [R, D].
 */
export function headGradientSlice(x: HeadSliceInputs, options: { weightGrad?: boolean } = {}): { weightGrad?: Tensor; hiddenGrad: Tensor } {
  const g = x.h.graph;
  const dtype = x.h.dtype;
  const [R, D] = x.h.shape;
  const [Vs, Dw] = x.weight.shape;
  if (x.h.shape.length !== 2 || x.weight.shape.length !== 2 || Dw !== D)
    throw new Error(`headGradientSlice: head slice ${formatShape(x.weight.shape)} does not fit hidden states ${formatShape(x.h.shape)}`);
  const wide = [R!, Vs!];
  const invT = g.node('Reciprocal', [x.temperature], x.temperature.shape, dtype);
  const scaled = g.node('Mul', [g.node('Gemm', [x.h, x.weight], wide, dtype, { transB: attr.int(1) }), invT], wide, dtype);
  const p = g.node('Exp', [g.node('Sub', [scaled, x.logSumExp], wide, dtype)], wide, dtype);
  // d logp / d scaled = onehot(target) − softmax, times the row's upstream gradient.
  const minusPg = g.node('Mul', [p, g.node('Neg', [x.rowGrad], x.rowGrad.shape, dtype)], wide, dtype);
  const dScaled = g.node('ScatterElements', [minusPg, x.targetInSlice, x.targetGrad], wide, dtype, { axis: attr.int(1), reduction: attr.string('add') });
  const dLogits = g.node('Mul', [dScaled, invT], wide, dtype);
  return {
    ...(options.weightGrad === false ? {} : { weightGrad: g.node('Gemm', [dLogits, x.h], [Vs!, D!], dtype, { transA: attr.int(1) }) }),
    hiddenGrad: g.node('MatMul', [dLogits, x.weight], [R!, D!], dtype),
  };
}
