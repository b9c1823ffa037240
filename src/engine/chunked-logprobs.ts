// Token log-probabilities through a language-model head in chunks of rows: logits for all positions
// at once are rows × vocabulary floats (8 × 384 positions at a 150 k vocabulary is 1.8 GB, and the
// backward pass holds several such arrays), so each chunk's logits are made, used and dropped before
// the next. The backward pass recomputes a chunk's logits instead of keeping them (from rows sliced
// after the upstream gradient, so ORT's common-subexpression pass cannot merge the two and keep the
// forward ones alive), and accumulates the head's gradient chunk by chunk through Gemm's C input.
// No transposed copy of the head is made: Gemm reads it as it is (transB).
import { zeroAfter } from './after';
import { attr } from './graph';
import { type Dim, SymDim, type Tensor, dimDiv, formatShape, sizeOf } from './tensor';

export interface ChunkedLogprobs {
  /** log softmax(h·Wᵀ / temperature)[target] per position, shaped like h without its last axis. */
  logp: Tensor;
  /** Entropy of the same distribution per position (no gradient: a metric). */
  entropy: Tensor;
  /** log Σ exp(logits / temperature) per position, shaped like logp (no gradient), when asked for. */
  logSumExp?: Tensor;
}

/**
 * `h` [..., D] final hidden states, `weight` [V, D] the head (logits = h·Wᵀ), `targets` int64
 * [..., 1], `temperature` a scalar; rows (all positions) are cut into `chunks` consecutive parts of
 * ⌈rows / chunks⌉ (the last ones may be short or empty).
 */
export function chunkedTokenLogprobs(h: Tensor, weight: Tensor, targets: Tensor, temperature: Tensor, chunks: number, options: { logSumExp?: boolean } = {}): ChunkedLogprobs {
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
  // bounds[k] + 0, where the 0 waits for `prev`: ORT then finishes the previous chunk (and frees
  // its [rows, V] arrays) before chunk k starts. Its own order would make every chunk's arrays before
  // the first is consumed: the whole array the chunks exist to avoid (1.6 GB more at a 150 k
  // vocabulary and 8 × 384 positions).
  const startAfter = (k: number, prev: Tensor | undefined): Tensor => (prev ? g.node('Add', [bounds[k]!, zeroAfter(prev)], [1], 'int64') : bounds[k]!);
  // One reciprocal, then multiplications: ORT's Div by a broadcast scalar runs ~10× slower than Mul.
  const invT = g.node('Reciprocal', [temperature], temperature.shape, dtype);
  const logps: Tensor[] = [];
  const entropies: Tensor[] = [];
  const logSumExps: Tensor[] = [];
  // What the next chunk waits for: every value of this chunk read from its [rows, V] arrays.
  const chunkDone: Tensor[] = [];
  for (let k = 0; k < chunks; k++) {
    const start = startAfter(k, chunkDone[k - 1]);
    const hk = rowsOf(h2, k, D, start);
    const tk = rowsOf(t2, k, 1, start);
    const ck = hk.shape[0]!;
    const scaled = g.node('Mul', [g.node('Gemm', [hk, weight], [ck, V], dtype, { transB: attr.int(1) }), invT], [ck, V], dtype);
    const lsm = g.node('LogSoftmax', [scaled], [ck, V], dtype, { axis: attr.int(1) });
    logps.push(g.node('GatherElements', [lsm, tk], [ck, 1], dtype, { axis: attr.int(1) }));
    const plogp = g.untaped(() => g.node('Mul', [g.node('Exp', [lsm], [ck, V], dtype), lsm], [ck, V], dtype));
    entropies.push(g.untaped(() => g.node('Neg', [g.node('ReduceSum', [plogp, g.int64s([1])], [ck, 1], dtype, { keepdims: attr.int(1) })], [ck, 1], dtype)));
    // The target's scaled logit minus its log-prob: no second pass over the row.
    if (!options.logSumExp) chunkDone.push(entropies[k]!);
    else {
      const lse = g.untaped(() => g.node('Sub', [g.node('GatherElements', [scaled, tk], [ck, 1], dtype, { axis: attr.int(1) }), logps[k]!], [ck, 1], dtype));
      logSumExps.push(lse);
      chunkDone.push(g.untaped(() => g.node('Add', [lse, entropies[k]!], [ck, 1], dtype)));
    }
  }
  const joined = (parts: Tensor[]): Tensor => (parts.length === 1 ? parts[0]! : g.node('Concat', parts, [rows, 1], dtype, { axis: attr.int(0) }));
  const logp = g.node('Reshape', [joined(logps), g.shapeTensor(lead)], lead, dtype);
  const perPosition = (parts: Tensor[]): Tensor => g.untaped(() => g.node('Reshape', [joined(parts), g.shapeTensor(lead)], lead, dtype));
  const entropy = perPosition(entropies);
  g.record([h, weight], logp, (grad) => {
    const g2 = g.node('Reshape', [grad, g.int64s([-1, 1])], [rows, 1], dtype);
    const dhs: Tensor[] = [];
    let dW: Tensor | undefined;
    for (let k = 0; k < chunks; k++) {
      const start = startAfter(k, dW ?? dhs[k - 1] ?? g2);
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
  return { logp, entropy, ...(options.logSumExp ? { logSumExp: perPosition(logSumExps) } : {}) };
}
