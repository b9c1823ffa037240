// Finite-difference gradient checking for engine graphs, in float64 with fresh random inputs.
import { EngineSession, Graph, type HostTensor, type Tensor, gradients, mul, numel, staticShape, sumAll } from '../../../src/engine';
import type { Rng } from '../../../src/model/rng';

export interface GradCheckResult {
  maxAbsErr: number;
  maxRelErr: number;
  checked: number;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Draws one value (default uniform in [-1, 1]). */
  sample?: () => number;
}

/**
 * Builds `loss = Σ f(params) · w` (w a random weight fixed per check, so every output element
 * matters), then compares the reverse-mode gradient with central differences for every element.
 */
export async function gradCheck(
  rng: Rng,
  specs: readonly ParamSpec[],
  f: (g: Graph, params: Tensor[]) => Tensor,
  extraFeeds: (g: Graph) => Record<string, HostTensor> = () => ({}),
  h = 1e-6,
): Promise<GradCheckResult> {
  const g = new Graph('float64', 'gradcheck');
  const params = specs.map((s) => g.param(s.name, s.shape));
  const feeds = extraFeeds(g);
  const out = f(g, params);
  const outShape = staticShape(out.shape, 'gradcheck output');
  const uniform = (): number => rng.next() * 2 - 1;
  const w = g.constant(Float64Array.from({ length: numel(outShape) }, uniform), outShape, 'float64');
  const loss = sumAll(mul(out, w));
  const grads = gradients(loss, params);
  g.output('loss', loss);
  grads.forEach((gr, i) => g.output(`grad_${i}`, gr));
  const { toOnnxBytes } = await import('../../../src/engine');
  const session = await EngineSession.create(toOnnxBytes(g), { threads: 1, label: 'gradcheck' });
  const values = specs.map((s) => Float64Array.from({ length: numel(s.shape) }, s.sample ?? uniform));
  const run = async (override?: { i: number; data: Float64Array }): Promise<Record<string, HostTensor>> => {
    const all: Record<string, HostTensor> = { ...feeds };
    specs.forEach((s, i) => (all[s.name] = { dtype: 'float64', shape: s.shape, data: override?.i === i ? override.data : values[i]! }));
    return session.run(all);
  };
  const base = await run();
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let checked = 0;
  for (let i = 0; i < specs.length; i++) {
    const analytic = base[`grad_${i}`]!.data as Float64Array;
    for (let j = 0; j < values[i]!.length; j++) {
      const plus = values[i]!.slice();
      const minus = values[i]!.slice();
      plus[j]! += h;
      minus[j]! -= h;
      const lp = (await run({ i, data: plus })).loss!.data[0] as number;
      const lm = (await run({ i, data: minus })).loss!.data[0] as number;
      const fd = (lp - lm) / (2 * h);
      const err = Math.abs(fd - analytic[j]!);
      maxAbsErr = Math.max(maxAbsErr, err);
      maxRelErr = Math.max(maxRelErr, err / Math.max(1, Math.abs(fd)));
      checked++;
    }
  }
  await session.release();
  return { maxAbsErr, maxRelErr, checked };
}
