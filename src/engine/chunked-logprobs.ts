// Token log-probabilities through a language-model head in chunks of rows: logits for all positions
// at once are rows × vocabulary floats (8 × 384 positions at a 150 k vocabulary is 1.8 GB, and the
// backward pass holds several such arrays), so each chunk's logits are made, used and dropped before
// the next. The backward pass recomputes a chunk's logits instead of keeping them (a Gemm, where the
// forward uses a MatMul, so ORT's common-subexpression pass cannot merge the two and keep the forward
// ones alive), and accumulates the head's gradient chunk by chunk through Gemm's C input.
import { attr } from './graph';
import { type Dim, SymDim, type Tensor, dimDiv, formatShape, sizeOf } from './tensor';

export interface ChunkedLogprobs {
  /** log softmax(h·Wᵀ / temperature)[target] per position, shaped like h without its last axis. */
  logp: Tensor;
  /** Entropy of the same distribution per position (no gradient: a metric). */
  entropy: Tensor;
}

/**
 * `h` [..., D] final hidden states, `weight` [V, D] the head (logits = h·Wᵀ), `targets` int64
 * [..., 1], `temperature` a scalar; rows (all positions) are cut into `chunks` consecutive parts of
 * ⌈rows / chunks⌉ (the last ones may be short or empty).
 */
export function chunkedTokenLogprobs(h: Tensor, weight: Tensor, targets: Tensor, temperature: Tensor, chunks: number): ChunkedLogprobs {
  const g = h.graph;
  const dtype = h.dtype;
  const D = h.shape[h.shape.length - 1]!;
  const [V, Dw] = weight.shape as [Dim, Dim];
  if (typeof D !== 'number' || weight.shape.length !== 2 || Dw !== D)
    throw new Error(`chunkedTokenLogprobs: head ${formatShape(weight.shape)} does not fit hidden states ${formatShape(h.shape)}`);
  if (!Number.isInteger(chunks) || chunks < 1) throw new Error(`chunkedTokenLogprobs: chunks must be a positive integer, got ${chunks}`);
  const lead = h.shape.slice(0, -1);
  const rows = dimDiv(sizeOf(h.shape), D);
  const h2 = g.node('Reshape', [h, g.int64s([-1, D])], [rows, D], dtype);
  const t2 = g.node('Reshape', [targets, g.int64s([-1, 1])], [rows, 1], 'int64');
  // Chunk k covers rows [k·c, (k+1)·c), c = ⌈rows / chunks⌉, computed at run time.
  const rowCount = g.dimTensor(rows);
  const per = g.node('Div', [g.node('Add', [rowCount, g.int64s([chunks - 1])], [1], 'int64'), g.int64s([chunks])], [1], 'int64');
  const bounds = Array.from({ length: chunks + 1 }, (_, k) => (k === 0 ? g.int64s([0]) : g.node('Mul', [per, g.int64s([k])], [1], 'int64')));
  // A chunk's row count is its own run-time size; it only labels shapes here.
  const chunkRows = Array.from({ length: chunks }, (_, k) => SymDim.named(`chunk_${k}`));
  const rowsOf = (x: Tensor, k: number, width: Dim, start = bounds[k]!): Tensor => g.node('Slice', [x, start, bounds[k + 1]!, g.int64s([0])], [chunkRows[k]!, width], x.dtype);
  // bounds[k] + 0, where the 0 is computed from `prev`: an exact no-op that makes ORT finish `prev`
  // (and free its chunk's [rows, V] arrays) before chunk k starts. ORT's topological order would
  // otherwise make every chunk's arrays before the first one is consumed, which is the whole array
  // the chunks exist to avoid (4.7 GB at a 150 k vocabulary, 8 × 384 positions).
  const startAfter = (k: number, prev: Tensor | undefined): Tensor => {
    if (!prev) return bounds[k]!;
    const first = g.node('Slice', [prev, g.int64s([0, 0]), g.int64s([1, 1])], [1, 1], prev.dtype);
    const flags = g.node('Cast', [g.node('IsNaN', [first], [1, 1], 'bool')], [1, 1], 'int64', { to: attr.int(7) });
    const zero = g.node('Mul', [g.node('ReduceSum', [flags], [], 'int64', { keepdims: attr.int(0) }), g.int64s([0], [])], [], 'int64');
    return g.node('Add', [bounds[k]!, zero], [1], 'int64');
  };
  const Wt = g.node('Transpose', [weight], [D, V], dtype, { perm: attr.ints([1, 0]) });
  // One reciprocal, then multiplications: ORT's Div by a broadcast scalar runs ~10× slower than Mul.
  const invT = g.node('Reciprocal', [temperature], temperature.shape, dtype);
  const logps: Tensor[] = [];
  const entropies: Tensor[] = [];
  for (let k = 0; k < chunks; k++) {
    const start = startAfter(k, entropies[k - 1]);
    const hk = rowsOf(h2, k, D, start);
    const tk = rowsOf(t2, k, 1, start);
    const ck = hk.shape[0]!;
    const scaled = g.node('Mul', [g.node('MatMul', [hk, Wt], [ck, V], dtype), invT], [ck, V], dtype);
    const lsm = g.node('LogSoftmax', [scaled], [ck, V], dtype, { axis: attr.int(1) });
    logps.push(g.node('GatherElements', [lsm, tk], [ck, 1], dtype, { axis: attr.int(1) }));
    const plogp = g.untaped(() => g.node('Mul', [g.node('Exp', [lsm], [ck, V], dtype), lsm], [ck, V], dtype));
    entropies.push(g.untaped(() => g.node('Neg', [g.node('ReduceSum', [plogp, g.int64s([1])], [ck, 1], dtype, { keepdims: attr.int(1) })], [ck, 1], dtype)));
  }
  const joined = (parts: Tensor[]): Tensor => (parts.length === 1 ? parts[0]! : g.node('Concat', parts, [rows, 1], dtype, { axis: attr.int(0) }));
  const logp = g.node('Reshape', [joined(logps), g.shapeTensor(lead)], lead, dtype);
  const entropy = g.untaped(() => g.node('Reshape', [joined(entropies), g.shapeTensor(lead)], lead, dtype));
  g.record([h, weight], logp, (grad) => {
    const g2 = g.node('Reshape', [grad, g.int64s([-1, 1])], [rows, 1], dtype);
    const dhs: Tensor[] = [];
    let dW: Tensor | undefined;
    for (let k = 0; k < chunks; k++) {
      const start = startAfter(k, dW ?? dhs[k - 1]);
      const hk = rowsOf(h2, k, D, start);
      const tk = rowsOf(t2, k, 1, start);
      const gk = rowsOf(g2, k, 1, start);
      const ck = hk.shape[0]!;
      const logits = g.node('Gemm', [hk, weight], [ck, V], dtype, { transB: attr.int(1) });
      const p = g.node('Exp', [g.node('LogSoftmax', [g.node('Mul', [logits, invT], [ck, V], dtype)], [ck, V], dtype, { axis: attr.int(1) })], [ck, V], dtype);
      // d logp / d scaled = onehot(target) − softmax, times the upstream gradient of the row.
      const minusPg = g.node('Mul', [p, g.node('Neg', [gk], [ck, 1], dtype)], [ck, V], dtype);
      const dScaled = g.node('ScatterElements', [minusPg, tk, gk], [ck, V], dtype, { axis: attr.int(1), reduction: attr.string('add') });
      const dLogits = g.node('Mul', [dScaled, invT], [ck, V], dtype);
      if (h.requiresGrad) dhs.push(g.node('MatMul', [dLogits, weight], [ck, D], dtype));
      if (weight.requiresGrad) dW = g.node('Gemm', dW ? [dLogits, hk, dW] : [dLogits, hk], [V, D], dtype, { transA: attr.int(1), ...(dW ? { beta: attr.float(1) } : {}) });
    }
    const dh = h.requiresGrad
      ? g.node('Reshape', [dhs.length === 1 ? dhs[0]! : g.node('Concat', dhs, [rows, D], dtype, { axis: attr.int(0) }), g.shapeTensor(h.shape)], h.shape, dtype)
      : undefined;
    return [dh, dW];
  });
  return { logp, entropy };
}
