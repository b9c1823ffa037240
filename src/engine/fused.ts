// ORT's fused CPU kernels (operator set com.microsoft) for inference graphs: one node, one pass over
// the data, where the composed ai.onnx form takes several. A decode step is ~100 small nodes, each
// costing a few microseconds beyond its arithmetic, so fewer nodes is faster sampling
// (docs/engine.md). No gradient rules: training graphs keep the composed ops of ops.ts.
import { attr } from './graph';
import { type Tensor, formatShape, sameShape } from './tensor';

const MS = 'com.microsoft';

/** GELU, tanh approximation: the function of ops.ts' gelu, in one kernel. */
export function fastGelu(x: Tensor): Tensor {
  return x.graph.nodeFrom(MS, 'FastGelu', [x], [{ shape: x.shape, dtype: x.dtype }])[0]!;
}

/**
 * LayerNorm of x + skip over the last axis, and the sum itself (the residual stream): one pass for
 * what ops.ts spells as add then layerNorm.
 */
export function skipLayerNorm(x: Tensor, skip: Tensor, gamma: Tensor, beta: Tensor, eps: number): { normed: Tensor; sum: Tensor } {
  if (!sameShape(x.shape, skip.shape)) throw new Error(`SkipLayerNormalization: ${formatShape(x.shape)} and ${formatShape(skip.shape)} differ`);
  const stat = [...x.shape.slice(0, -1), 1];
  const [normed, , , sum] = x.graph.nodeFrom(
    MS,
    'SkipLayerNormalization',
    [x, skip, gamma, beta],
    [
      { shape: x.shape, dtype: x.dtype },
      { shape: stat, dtype: 'float32' },
      { shape: stat, dtype: 'float32' },
      { shape: x.shape, dtype: x.dtype },
    ],
    { epsilon: attr.float(eps) },
  );
  return { normed: normed!, sum: sum! };
}
