// Every differentiable op's reverse rule against central finite differences (float64, fresh random
// inputs each run). Prints the max error per op.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as E from '../../../src/engine';
import type { Graph, HostTensor, Tensor } from '../../../src/engine';
import { type ParamSpec, gradCheck } from './gradcheck';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(1717);

const TOL = 1e-7;
const randInt = (n: number): number => Math.floor(testRng.next() * n);
const positive = (): number => 0.5 + testRng.next() * 1.5;
const awayFromZero = (): number => (testRng.next() < 0.5 ? -1 : 1) * (0.3 + testRng.next());

interface OpCase {
  name: string;
  params: ParamSpec[];
  f: (g: Graph, p: Tensor[]) => Tensor;
  feeds?: (g: Graph) => Record<string, HostTensor>;
}

function intInput(g: Graph, name: string, shape: number[], bound: number, feeds: Record<string, HostTensor>): Tensor {
  const data = BigInt64Array.from({ length: E.numel(shape) }, () => BigInt(randInt(bound)));
  feeds[name] = { dtype: 'int64', shape, data };
  return g.input(name, shape, 'int64');
}

let gatherIdx: Tensor;
let gatherElIdx: Tensor;
let condT: Tensor;

const cases: OpCase[] = [
  {
    name: 'Add (broadcast)',
    params: [
      { name: 'a', shape: [2, 3, 4] },
      { name: 'b', shape: [3, 1] },
    ],
    f: (_, [a, b]) => E.add(a!, b!),
  },
  {
    name: 'Sub (broadcast)',
    params: [
      { name: 'a', shape: [4] },
      { name: 'b', shape: [2, 3, 4] },
    ],
    f: (_, [a, b]) => E.sub(a!, b!),
  },
  {
    name: 'Mul (broadcast)',
    params: [
      { name: 'a', shape: [2, 1, 4] },
      { name: 'b', shape: [3, 1] },
    ],
    f: (_, [a, b]) => E.mul(a!, b!),
  },
  {
    name: 'Div (broadcast)',
    params: [
      { name: 'a', shape: [2, 3] },
      { name: 'b', shape: [3], sample: positive },
    ],
    f: (_, [a, b]) => E.div(a!, b!),
  },
  { name: 'Neg', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.neg(a!) },
  { name: 'Exp', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.exp(a!) },
  { name: 'Log', params: [{ name: 'a', shape: [3, 4], sample: positive }], f: (_, [a]) => E.log(a!) },
  { name: 'Sqrt', params: [{ name: 'a', shape: [3, 4], sample: positive }], f: (_, [a]) => E.sqrt(a!) },
  { name: 'Tanh', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.tanh(a!) },
  { name: 'Sigmoid', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.sigmoid(a!) },
  { name: 'GELU (tanh)', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.gelu(a!) },
  { name: 'SiLU', params: [{ name: 'a', shape: [3, 4] }], f: (_, [a]) => E.silu(a!) },
  {
    name: 'Min',
    params: [
      { name: 'a', shape: [3, 4] },
      { name: 'b', shape: [4] },
    ],
    f: (_, [a, b]) => E.minimum(a!, b!),
  },
  {
    name: 'Max',
    params: [
      { name: 'a', shape: [3, 4] },
      { name: 'b', shape: [3, 4] },
    ],
    f: (_, [a, b]) => E.maximum(a!, b!),
  },
  // Values kept away from the clip bounds so the finite difference never straddles a kink.
  { name: 'Clip', params: [{ name: 'a', shape: [3, 5], sample: () => (testRng.next() < 0.5 ? 0.3 : 1.7) * (testRng.next() < 0.5 ? -1 : 1) }], f: (_, [a]) => E.clip(a!, -1, 1) },
  {
    name: 'MatMul 2D',
    params: [
      { name: 'a', shape: [3, 4] },
      { name: 'b', shape: [4, 2] },
    ],
    f: (_, [a, b]) => E.matmul(a!, b!),
  },
  {
    name: 'MatMul batched × weight (Gemm grad)',
    params: [
      { name: 'a', shape: [2, 3, 4] },
      { name: 'b', shape: [4, 5] },
    ],
    f: (_, [a, b]) => E.matmul(a!, b!),
  },
  {
    name: 'MatMul batch broadcast',
    params: [
      { name: 'a', shape: [2, 2, 3, 4] },
      { name: 'b', shape: [2, 1, 4, 3] },
    ],
    f: (_, [a, b]) => E.matmul(a!, b!),
  },
  { name: 'Transpose', params: [{ name: 'a', shape: [2, 3, 4] }], f: (_, [a]) => E.transpose(a!, [2, 0, 1]) },
  {
    name: 'Transpose of a size-1 axis (as Reshape)',
    params: [{ name: 'a', shape: [2, 1, 3, 2] }],
    f: (_, [a]) => E.mul(E.transpose(a!, [1, 0, 2, 3]), E.reshape(a!, [1, 2, 3, 2])),
  },
  { name: 'Reshape', params: [{ name: 'a', shape: [2, 6] }], f: (_, [a]) => E.reshape(a!, [3, -1]) },
  { name: 'Slice', params: [{ name: 'a', shape: [3, 6] }], f: (_, [a]) => E.slice(a!, 1, 1, 4) },
  {
    name: 'Split (one piece unused)',
    params: [{ name: 'a', shape: [2, 7] }],
    f: (_, [a]) => {
      const [x, , z] = E.split(a!, 1, [3, 1, 3]);
      return E.mul(x!, z!);
    },
  },
  {
    name: 'Concat',
    params: [
      { name: 'a', shape: [2, 3] },
      { name: 'b', shape: [2, 2] },
    ],
    f: (_, [a, b]) => E.concat([a!, b!], 1),
  },
  { name: 'ReduceSum', params: [{ name: 'a', shape: [2, 3, 4] }], f: (_, [a]) => E.reduceSum(a!, [0, 2], false) },
  { name: 'ReduceMean (keepdims)', params: [{ name: 'a', shape: [2, 3, 4] }], f: (_, [a]) => E.reduceMean(a!, [-1], true) },
  { name: 'Softmax', params: [{ name: 'a', shape: [3, 5] }], f: (_, [a]) => E.softmax(a!) },
  { name: 'LogSoftmax', params: [{ name: 'a', shape: [3, 5] }], f: (_, [a]) => E.logSoftmax(a!) },
  {
    name: 'LayerNormalization',
    params: [
      { name: 'x', shape: [2, 3, 5] },
      { name: 'gamma', shape: [5], sample: positive },
      { name: 'beta', shape: [5] },
    ],
    f: (_, [x, gm, bt]) => E.layerNorm(x!, gm!, bt!),
  },
  {
    name: 'Gather (ScatterElements add)',
    params: [{ name: 'table', shape: [5, 3] }],
    feeds: (g) => {
      const f: Record<string, HostTensor> = {};
      gatherIdx = intInput(g, 'idx', [2, 4], 5, f); // 8 draws from 5 rows: repeats are likely
      return f;
    },
    f: (_, [t]) => E.gather(t!, gatherIdx),
  },
  {
    name: 'Gather of a rank-3 table',
    params: [{ name: 'table', shape: [4, 2, 3] }],
    feeds: (g) => {
      const f: Record<string, HostTensor> = {};
      gatherIdx = intInput(g, 'idx', [5], 4, f);
      return f;
    },
    f: (_, [t]) => E.gather(t!, gatherIdx),
  },
  {
    name: 'GatherElements (ScatterElements add)',
    params: [{ name: 'x', shape: [2, 3, 4] }],
    feeds: (g) => {
      const f: Record<string, HostTensor> = {};
      gatherElIdx = intInput(g, 'idx', [2, 3, 2], 4, f);
      return f;
    },
    f: (_, [x]) => E.gatherElements(x!, gatherElIdx, -1),
  },
  {
    name: 'Where (+ causal mask)',
    params: [
      { name: 'a', shape: [4, 4] },
      { name: 'b', shape: [4] },
    ],
    feeds: (g) => {
      condT = E.causalMask(g, 4);
      return {};
    },
    f: (_, [a, b]) => E.where(condT, a!, b!),
  },
  { name: 'Softmax over causal bias', params: [{ name: 'a', shape: [2, 4, 4] }], f: (g, [a]) => E.softmax(E.add(a!, E.causalBias(g, 4))) },
  {
    name: 'Where (runtime condition)',
    params: [{ name: 'a', shape: [3, 4] }],
    feeds: (g) => {
      const data = Uint8Array.from({ length: 12 }, () => randInt(2));
      condT = g.input('cond', [3, 4], 'bool');
      return { cond: { dtype: 'bool', shape: [3, 4], data } };
    },
    f: (_, [a]) => E.where(condT, a!, 0),
  },
  {
    name: 'Cast f64→f32→f64',
    params: [{ name: 'a', shape: [2, 3], sample: awayFromZero }],
    f: (_, [a]) => E.mul(E.cast(E.cast(a!, 'float32'), 'float64'), a!),
  },
  {
    name: 'affine (Gemm with bias over rows)',
    params: [
      { name: 'x', shape: [2, 3, 4] },
      { name: 'w', shape: [4, 5] },
      { name: 'b', shape: [5] },
    ],
    f: (_, [x, w, b]) => E.affine(x!, w!, b!),
  },
  { name: 'fan-out accumulation', params: [{ name: 'a', shape: [3, 3] }], f: (_, [a]) => E.mul(E.matmul(a!, a!), E.tanh(a!)) },
];

describe('engine gradient rules vs central finite differences (float64)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      // Cast through float32 loses precision, so its FD check uses a looser bound.
      const tol = c.name.startsWith('Cast') ? 1e-4 : TOL;
      const h = c.name.startsWith('Cast') ? 1e-2 : 1e-6;
      const r = await gradCheck(testRng, c.params, c.f, c.feeds, h);
      console.log(`  ${c.name.padEnd(38)} ${String(r.checked).padStart(3)} elems  max|analytic−FD| = ${r.maxAbsErr.toExponential(2)}`);
      assert.ok(r.checked > 0);
      assert.ok(r.maxAbsErr < tol, `${c.name}: max error ${r.maxAbsErr} ≥ ${tol}`);
    });
  }
});
