// Exact no-op dependencies that order ORT's execution. ORT runs nodes in a topological order of its
// own choosing, and merges nodes with equal inputs (common-subexpression elimination); a value made
// with `zeroAfter(dep)` can only be computed once `dep` is, and is a new input to whatever uses it.
import { attr } from './graph';
import { ONNX_DTYPE, type Tensor } from './tensor';

/**
 * An int64 scalar 0 computed from one element of `dep` (any float tensor of rank ≥ 1, possibly
 * empty): 0 × [that element is NaN]. Integer arithmetic, so it is exactly 0 whatever `dep` holds.
 */
export function zeroAfter(dep: Tensor): Tensor {
  const g = dep.graph;
  const rank = dep.shape.length;
  if (rank === 0) throw new Error(`zeroAfter: '${dep.name}' must have rank ≥ 1`);
  const first = g.node('Slice', [dep, g.int64s(Array(rank).fill(0)), g.int64s(Array(rank).fill(1))], Array(rank).fill(1), dep.dtype);
  const flag = g.node('Cast', [g.node('IsNaN', [first], first.shape, 'bool')], first.shape, 'int64', { to: attr.int(ONNX_DTYPE.int64) });
  return g.node('Mul', [g.node('ReduceSum', [flag], [], 'int64', { keepdims: attr.int(0) }), g.int64s([0], [])], [], 'int64');
}
