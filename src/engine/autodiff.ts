// Reverse mode over the tape a Graph recorded: walks ops backwards from a scalar loss, emitting each
// op's gradient rule as ordinary graph nodes and summing gradients that meet at one value.
import type { TapeEntry } from './graph';
import { add, zerosLike } from './ops';
import { type Tensor, formatShape, isFloat, sameShape } from './tensor';

/**
 * Walks `tape` backwards from `seeds` (value name → its gradient) and returns every gradient it
 * reached, by value name. The caller turns recording off.
 */
export function backpropagate(tape: readonly TapeEntry[], seeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const grads = new Map(seeds);
  for (let i = tape.length - 1; i >= 0; i--) {
    const entry = tape[i]!;
    const gs = entry.outputs.map((o) => grads.get(o.name));
    if (gs.every((g) => !g)) continue;
    const inputGrads = entry.backward(gs);
    entry.inputs.forEach((input, k) => {
      const rule = inputGrads[k];
      if (!rule || !input.requiresGrad) return;
      const prev = grads.get(input.name);
      const gi = typeof rule === 'function' ? rule(prev) : rule;
      if (!sameShape(gi.shape, input.shape)) {
        throw new Error(`gradients: rule produced ${formatShape(gi.shape)} for '${input.name}' of shape ${formatShape(input.shape)}`);
      }
      grads.set(input.name, typeof rule === 'function' || !prev ? gi : add(prev, gi));
    });
  }
  return grads;
}

/** Gradients of scalar `loss` with respect to each of `wrt` (zeros where no path exists). */
export function gradients(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  const graph = loss.graph;
  if (loss.shape.length !== 0) throw new Error(`gradients: loss must be a scalar, got shape ${formatShape(loss.shape)}`);
  if (!isFloat(loss.dtype)) throw new Error(`gradients: loss must be float, got ${loss.dtype}`);
  for (const w of wrt) {
    if (!w.requiresGrad) throw new Error(`gradients: '${w.name}' was not declared as a parameter (requiresGrad)`);
  }
  graph.recording = false;
  try {
    const grads = backpropagate(graph.tape, new Map([[loss.name, graph.scalar(1, loss.dtype)]]));
    return wrt.map((w) => grads.get(w.name) ?? zerosLike(graph, w.shape, w.dtype));
  } finally {
    graph.recording = true;
  }
}
