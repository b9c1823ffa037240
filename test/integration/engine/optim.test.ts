// Global-norm clipping and AdamW emitted into a graph, against a plain-array reference of the torch
// semantics (clip_grad_norm_, then AdamW with decoupled weight decay and bias correction).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ADAMW_DEFAULTS,
  type AdamWHyper,
  EngineSession,
  Graph,
  type HostTensor,
  adamwFactors,
  adamwStep,
  globalNormScale,
  hostAdamW,
  hostClipScale,
  hostGlobalNorm,
  toOnnxBytes,
} from '../../../src/engine';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(808);

interface Case {
  sizes: number[];
  maxNorm: number;
  decay: boolean[];
  step: number;
  lr: number;
  hyper: AdamWHyper;
  /** Feed ε as a graph input (the trainer's per-step ε) instead of the hyper-parameter constant. */
  epsInput?: boolean;
}

const rand = (n: number, scale: number): Float64Array => Float64Array.from({ length: n }, () => (testRng.next() * 2 - 1) * scale);

function reference(c: Case, p: Float64Array[], g: Float64Array[], m: Float64Array[], v: Float64Array[]): { norm: number; p: number[][]; m: number[][]; v: number[][] } {
  const norm = Math.sqrt(g.reduce((s, x) => s + x.reduce((a, b) => a + b * b, 0), 0));
  const scale = Number.isFinite(c.maxNorm) && c.maxNorm > 0 ? Math.min(1, c.maxNorm / (norm + 1e-6)) : 1;
  const { beta1, beta2, eps, weightDecay } = c.hyper;
  const bc1 = 1 - beta1 ** c.step;
  const bc2 = 1 - beta2 ** c.step;
  const out = { norm, p: [] as number[][], m: [] as number[][], v: [] as number[][] };
  p.forEach((pi, k) => {
    const mk: number[] = [];
    const vk: number[] = [];
    const pk: number[] = [];
    pi.forEach((x, j) => {
      const gj = g[k]![j]! * scale;
      const mj = beta1 * m[k]![j]! + (1 - beta1) * gj;
      const vj = beta2 * v[k]![j]! + (1 - beta2) * gj * gj;
      const decayed = c.decay[k] ? x * (1 - c.lr * weightDecay) : x;
      mk.push(mj);
      vk.push(vj);
      pk.push(decayed - (c.lr * (mj / bc1)) / (Math.sqrt(vj / bc2) + eps));
    });
    out.p.push(pk);
    out.m.push(mk);
    out.v.push(vk);
  });
  return out;
}

async function runGraph(c: Case): Promise<number> {
  const g = new Graph('float64', 'adamw-check');
  const feeds: Record<string, HostTensor> = {};
  const input = (name: string, data: Float64Array, shape: number[]): ReturnType<Graph['input']> => {
    feeds[name] = { dtype: 'float64', shape, data };
    return g.input(name, shape);
  };
  const vals = { p: c.sizes.map((n) => rand(n, 1)), g: c.sizes.map((n) => rand(n, 2)), m: c.sizes.map((n) => rand(n, 0.1)), v: c.sizes.map((n) => rand(n, 0.1).map(Math.abs)) };
  const grads = c.sizes.map((n, k) => input(`g${k}`, vals.g[k]!, [n]));
  const clip = globalNormScale(grads, c.maxNorm);
  g.output('norm', clip.norm);
  const s = {
    lr: input('lr', Float64Array.of(c.lr), []),
    biasCorrection1: input('bc1', Float64Array.of(1 / (1 - c.hyper.beta1 ** c.step)), []),
    biasCorrection2: input('bc2', Float64Array.of(1 / (1 - c.hyper.beta2 ** c.step)), []),
    gradScale: clip.scale,
    ...(c.epsInput ? { eps: input('eps', Float64Array.of(c.hyper.eps), []) } : {}),
  };
  // With ε fed as an input, the constant must not be used: poison it.
  const factors = adamwFactors(s, c.epsInput ? { ...c.hyper, eps: Number.NaN } : c.hyper);
  c.sizes.forEach((n, k) => {
    const u = adamwStep(input(`p${k}`, vals.p[k]!, [n]), grads[k]!, input(`m${k}`, vals.m[k]!, [n]), input(`v${k}`, vals.v[k]!, [n]), factors, c.decay[k]!);
    g.output(`new_p${k}`, u.param);
    g.output(`new_m${k}`, u.m);
    g.output(`new_v${k}`, u.v);
  });
  const session = await EngineSession.create(toOnnxBytes(g), { threads: 1, label: 'adamw-check' });
  const out = await session.run(feeds);
  await session.release();
  const ref = reference(c, vals.p, vals.g, vals.m, vals.v);
  let maxErr = Math.abs((out.norm!.data[0] as number) - ref.norm);
  c.sizes.forEach((_, k) => {
    for (const [key, want] of [
      ['new_p', ref.p[k]!],
      ['new_m', ref.m[k]!],
      ['new_v', ref.v[k]!],
    ] as const) {
      const got = out[`${key}${k}`]!.data as Float64Array;
      want.forEach((w, j) => (maxErr = Math.max(maxErr, Math.abs(got[j]! - w))));
    }
  });
  return maxErr;
}

describe('clipping + AdamW graph vs plain-array reference (float64)', () => {
  const hyper = { ...ADAMW_DEFAULTS, weightDecay: 0.1 };
  const cases: [string, Case][] = [
    ['clipping active, mixed decay', { sizes: [5, 3, 4], maxNorm: 0.5, decay: [true, false, true], step: 3, lr: 0.01, hyper }],
    ['norm under the limit (scale 1)', { sizes: [4, 2], maxNorm: 1e6, decay: [true, true], step: 1, lr: 0.003, hyper }],
    ['clipping off', { sizes: [6], maxNorm: 0, decay: [false], step: 10, lr: 0.1, hyper }],
    // A large ε (the RL setting) damps parameters whose gradients are tiny: the graph must use the fed value.
    ['ε fed per step', { sizes: [5, 3], maxNorm: 1, decay: [true, false], step: 2, lr: 0.01, hyper: { ...hyper, eps: 0.05 }, epsInput: true }],
  ];
  for (const [name, c] of cases) {
    it(name, async () => {
      const err = await runGraph(c);
      assert.ok(err < 1e-12, `${name}: max |graph − reference| = ${err}`);
    });
  }
});

describe('host AdamW', () => {
  it('updates in place exactly as the float32 graph does, given the same clip factor', async () => {
    const n = 4096;
    const hyper = { ...ADAMW_DEFAULTS, weightDecay: 0.1 };
    for (const decay of [true, false]) {
      const g = new Graph('float32', 'adamw-f32');
      const inputs = ['p', 'g', 'm', 'v'].map((name) => g.input(name, [n]));
      const scalar = (name: string) => g.input(name, []);
      const scale = scalar('scale');
      const factors = adamwFactors({ lr: scalar('lr'), biasCorrection1: scalar('bc1'), biasCorrection2: scalar('bc2'), gradScale: scale, eps: scalar('eps') }, hyper);
      const u = adamwStep(inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, factors, decay);
      g.output('p2', u.param);
      g.output('m2', u.m);
      g.output('v2', u.v);
      const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
      const [p, grad, m, v] = [1, 0.3, 0.05, 0.01].map((k, i) => Float32Array.from({ length: n }, () => (i === 3 ? testRng.next() * k : (testRng.next() * 2 - 1) * k))) as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const step = { lr: 3e-4, biasCorrection1: 1 / (1 - 0.9 ** 7), biasCorrection2: 1 / (1 - 0.999 ** 7), eps: 1e-8, gradScale: 0.37 };
      const f32s = (x: number): HostTensor => ({ dtype: 'float32', shape: [], data: Float32Array.of(x) });
      const vec = (x: Float32Array): HostTensor => ({ dtype: 'float32', shape: [n], data: x });
      const out = await s.run({
        p: vec(p),
        g: vec(grad),
        m: vec(m),
        v: vec(v),
        lr: f32s(step.lr),
        bc1: f32s(step.biasCorrection1),
        bc2: f32s(step.biasCorrection2),
        eps: f32s(step.eps),
        scale: f32s(step.gradScale),
      });
      await s.release();
      const [hp, hm, hv] = [p.slice(), m.slice(), v.slice()];
      hostAdamW(hp, grad, hm, hv, step, hyper, decay);
      assert.deepEqual(hp, out.p2!.data, `parameters (decay ${decay})`);
      assert.deepEqual(hm, out.m2!.data, 'first moments');
      assert.deepEqual(hv, out.v2!.data, 'second moments');
    }
  });

  it('clips like globalNormScale', () => {
    assert.equal(hostGlobalNorm([Float32Array.of(3), Float32Array.of(4)]), 5);
    assert.equal(hostClipScale(5, 1), Math.fround(1 / Math.fround(5 + Math.fround(1e-6))));
    assert.equal(hostClipScale(0.5, 1), 1);
    assert.equal(hostClipScale(5, Infinity), 1);
  });
});
