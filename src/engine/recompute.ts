// Activation recomputation: a sub-computation whose intermediate values are not kept for the
// backward pass but made again when the backward pass reaches it. For a transformer block this keeps
// one [B, T, D] input per layer instead of every attention matrix and MLP activation.
import { zeroAfter } from './after';
import { backpropagate } from './autodiff';
import { attr } from './graph';
import { ONNX_DTYPE, type Tensor } from './tensor';

/**
 * y = fn(xs), with fn's intermediate values dropped after the forward pass. `xs` must list every
 * tensor fn reads that needs a gradient (activations and parameters), and fn must read them through
 * its argument only. y's gradient rule rebuilds fn on copies of the activations in `xs` made + 0
 * after y's gradient (zeroAfter): ORT then runs the rebuild only when the backward pass reaches it,
 * and cannot merge it with the forward (common-subexpression elimination would keep the forward's
 * values alive again). It then backpropagates through the rebuilt nodes alone.
 */
export function recomputed(xs: readonly Tensor[], fn: (xs: readonly Tensor[]) => Tensor): Tensor {
  const g = xs[0]!.graph;
  if (!g.recording || !xs.some((x) => x.requiresGrad)) return fn(xs);
  const y: Tensor = { ...g.untaped(() => fn(xs)), requiresGrad: true };
  const graphInputs = new Set(g.inputs.map((t) => t.name));
  return g.record(xs, y, (gy) => {
    const zero = g.node('Cast', [zeroAfter(gy)], [], gy.dtype, { to: attr.int(ONNX_DTYPE[gy.dtype]) });
    // Parameters are graph inputs, read as they are: only values computed from the batch are copied.
    const copies = xs.map((x): Tensor => (x.requiresGrad && !graphInputs.has(x.name) ? { ...g.node('Add', [x, zero], x.shape, x.dtype), requiresGrad: true } : x));
    const start = g.tape.length;
    g.recording = true;
    let rebuilt: Tensor;
    try {
      rebuilt = fn(copies);
    } finally {
      g.recording = false;
    }
    const grads = backpropagate(g.tape.splice(start), new Map([[rebuilt.name, gy]]));
    return copies.map((c) => grads.get(c.name));
  });
}
