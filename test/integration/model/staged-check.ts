// The staged step's check against the one gradient graph it replaces, shared by the tiny policy's
// and the HF decoders' float64 tests: loss, metrics and every trained weight's gradient within 1e-12,
// for each way of cutting the work (vocabulary slices, body groups, micro-batch shares).
import assert from 'node:assert/strict';
import { EngineSession, type Graph, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { FEED } from '../../../src/model/feed-names';
import type { Objective } from '../../../src/model/graphs';
import { type StageSessions, type StagedModel, stagedGradients } from '../../../src/model/staged-step';
import type { Rng } from '../../../src/model/rng';

/** How one staged run cuts the work: rows per vocabulary slice, equal micro-batch shares, body bytes per run. */
export interface StagedCut {
  sliceRows: number;
  shares: number;
  bodyBytes: number;
}

export const f64 = (shape: number[], data: Float64Array): HostTensor => ({ dtype: 'float64', shape, data });
export const uniform = (rng: Rng, n: number, scale = 1): Float64Array => Float64Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
export const ints = (rng: Rng, shape: number[], below: number): HostTensor => ({
  dtype: 'int64',
  shape,
  data: BigInt64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => BigInt(Math.floor(rng.next() * below))),
});

/** A random batch's token-level feeds in float64 (B × Tt): ids, targets, temperature, mask, old and reference log-probs, and the objective's advantages. */
export function batchFeeds(rng: Rng, B: number, Tt: number, V: number, objective: Objective): Record<string, HostTensor> {
  const logps = (): HostTensor =>
    f64(
      [B, Tt],
      uniform(rng, B * Tt, 0.5).map((x) => x - 2.6),
    );
  const perToken = objective.kind === 'grpo' && objective.advantage === 'token';
  return {
    ids: ints(rng, [B, Tt], V),
    targets: ints(rng, [B, Tt, 1], V),
    temperature: f64([], Float64Array.of(1.3)),
    mask: f64(
      [B, Tt],
      Float64Array.from({ length: B * Tt }, () => (rng.next() < 0.7 ? 1 : 0)),
    ),
    old_logp: logps(),
    ref_logp: logps(),
    advantages: perToken ? f64([B, Tt], uniform(rng, B * Tt)) : f64([B, 1], uniform(rng, B)),
  };
}

export const objectiveName = (o: Objective): string => (o.kind === 'sft' ? 'SFT' : `GRPO, ${o.advantage} advantages${o.onPolicy ? ', on-policy' : ''}`);

/**
 * One session per stage, as a policy keeps them. Basic graph optimisation only: ORT's extended
 * fusions have float32 kernels only (SiLU's x·sigmoid(x) becomes QuickGelu in a forward-only graph).
 */
function stageSessions(): { session: StageSessions; release: () => Promise<void> } {
  const made = new Map<string, Promise<EngineSession>>();
  const session: StageSessions = (key, build, arena) =>
    made.get(key) ?? made.set(key, EngineSession.create(toOnnxBytes(build()), { threads: 1, memArena: arena, graphOptimization: 'basic' })).get(key)!;
  return { session, release: async () => void (await Promise.all([...made.values()].map(async (s) => (await s).release()))) };
}

export async function runGraph(graph: Graph, feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
  const s = await EngineSession.create(toOnnxBytes(graph), { threads: 1, graphOptimization: 'basic' });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** The staged gradients of `feeds` cut as `cut`: the summed shares' loss, metrics and gradients. */
export async function stagedRun(
  m: StagedModel,
  objective: Objective,
  feeds: Readonly<Record<string, HostTensor>>,
  cut: StagedCut,
): Promise<{ loss: number; metrics: Record<string, number>; grads: Map<string, Float64Array> }> {
  const { session, release } = stageSessions();
  const grads = new Map<string, Float64Array>();
  let loss = 0;
  let metrics: Record<string, number> = {};
  const R = feeds.ids!.data.length;
  try {
    for (let k = 0; k < cut.shares; k++) {
      const r = await stagedGradients(
        m,
        session,
        objective,
        feeds,
        { headChunks: 3, sliceBytes: cut.sliceRows * R * 8, bodyBytes: cut.bodyBytes },
        grads as Map<string, Float32Array | Float64Array>,
        1 / cut.shares,
      );
      loss += r.loss / cut.shares;
      metrics = r.metrics;
    }
  } finally {
    await release();
  }
  return { loss, metrics, grads };
}

export const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)), `${what}: ${a} vs ${b}`);

/** Asserts the staged step, cut each way, equals the one graph's outputs (`reference`) for every trained weight of `m`. */
export async function assertStagedEqualsReference(
  m: StagedModel,
  objective: Objective,
  feeds: Readonly<Record<string, HostTensor>>,
  reference: Readonly<Record<string, HostTensor>>,
  cuts: readonly StagedCut[],
): Promise<void> {
  for (const cut of cuts) {
    const r = await stagedRun(m, objective, feeds, cut);
    const what = `${cut.sliceRows}-row slices, ${cut.shares} share(s), body bytes ${cut.bodyBytes}`;
    close(reference.loss!.data[0] as number, r.loss, `${what}: loss`);
    assert.deepEqual(
      Object.keys(r.metrics).sort(),
      Object.keys(reference)
        .filter((k) => ['kl', 'clip_ratio', 'ratio_mean', 'entropy'].includes(k))
        .sort(),
    );
    for (const [k, v] of Object.entries(r.metrics)) close(reference[k]!.data[0] as number, v, `${what}: ${k}`);
    assert.deepEqual([...r.grads.keys()].sort(), [...m.trained].sort(), `${what}: the trained weights`);
    for (const name of m.trained) {
      const want = reference[FEED.grad(name)]!.data as Float64Array;
      const got = r.grads.get(name)!;
      assert.equal(got.length, want.length);
      want.forEach((x, i) => close(x, got[i]!, `${what}: grad of ${name}[${i}]`));
    }
  }
}
