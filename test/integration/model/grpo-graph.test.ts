// The GRPO loss graph against the plain-array reference in src/core/grpo.ts, and the whole policy +
// GRPO loss gradient against finite differences in float64 on a tiny configuration.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceGrpoLoss } from '../../../src/core/grpo';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../../src/trainer/config';
import { EngineSession, Graph, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { type GrpoLossConfig, buildTrainGraph, grpoLoss, numPatches, packTokens, paramSpecs, patchDim, patchifyBatch } from '../../../src/model';
import { randomImage, randomTokens, tinyConfig } from './fixtures';
import { Rng } from '../../../src/model/rng';

/** Seeded so a failure replays: rerun this file. */
const testRng = new Rng(606);

const f64 = (shape: number[], data: ArrayLike<number>): HostTensor => ({ dtype: 'float64', shape, data: Float64Array.from(data) });
const randn = (): number => testRng.next() * 2 - 1;

function randomGrpoInputs(B: number, T: number, perToken: boolean) {
  const logp = Array.from({ length: B }, () => Array.from({ length: T }, () => -testRng.next() * 3));
  const oldLogp = logp.map((r) => r.map((x) => x + randn() * 0.5)); // wide enough that clipping is active
  const refLogp = logp.map((r) => r.map((x) => x + randn() * 0.3));
  const mask = logp.map((r, b) => r.map((_, t) => (b === 0 ? 0 : t >= 1 && testRng.next() < 0.8 ? 1 : 0))); // row 0 fully masked
  const advantages = perToken ? logp.map((r) => r.map(randn)) : logp.map(randn);
  return { logp, oldLogp, refLogp, mask, advantages };
}

describe('GRPO loss graph vs src/core/grpo.ts', () => {
  for (const aggregation of ['sequence', 'token'] as const) {
    for (const perToken of [false, true]) {
      it(`${aggregation} aggregation, ${perToken ? 'per-token' : 'per-sequence'} advantages`, async () => {
        const B = 4;
        const T = 7;
        const cfg: GrpoLossConfig = { ...grpoLossConfig(TRAIN_DEFAULTS.rl), aggregation, epsHigh: 0.28 };
        const x = randomGrpoInputs(B, T, perToken);
        const g = new Graph('float64', 'grpo-check');
        const t = (n: string, s: number[]) => g.input(n, s);
        const out = grpoLoss(t('logp', [B, T]), t('old', [B, T]), t('ref', [B, T]), t('mask', [B, T]), t('adv', perToken ? [B, T] : [B, 1]), cfg);
        g.output('loss', out.loss);
        g.output('kl', out.metrics.kl!);
        g.output('clip_ratio', out.metrics.clip_ratio!);
        const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
        const r = await s.run({
          logp: f64([B, T], x.logp.flat()),
          old: f64([B, T], x.oldLogp.flat()),
          ref: f64([B, T], x.refLogp.flat()),
          mask: f64([B, T], x.mask.flat()),
          adv: f64(perToken ? [B, T] : [B, 1], (x.advantages as (number | number[])[]).flat()),
        });
        const ref = referenceGrpoLoss(x, cfg);
        const got = { loss: r.loss!.data[0] as number, kl: r.kl!.data[0] as number, clip: r.clip_ratio!.data[0] as number };
        console.log(
          `  ${aggregation}/${perToken ? 'token-adv' : 'seq-adv'}: loss ${got.loss.toFixed(6)} vs ${ref.loss.toFixed(6)}, |Δ| = ${Math.abs(got.loss - ref.loss).toExponential(2)}`,
        );
        assert.ok(Math.abs(got.loss - ref.loss) < 1e-12, `loss ${got.loss} vs ${ref.loss}`);
        assert.ok(Math.abs(got.kl - ref.kl) < 1e-12, `kl ${got.kl} vs ${ref.kl}`);
        assert.ok(Math.abs(got.clip - ref.clipRatio) < 1e-12, `clip ratio ${got.clip} vs ${ref.clipRatio}`);
        await s.release();
      });
    }
  }
});

describe('whole policy + GRPO loss: gradients vs finite differences (float64, tiny config)', () => {
  it('every parameter element', async () => {
    const c = tinyConfig();
    const B = 3;
    const Tt = c.maxTextLen;
    const g = buildTrainGraph(c, B, { kind: 'grpo', loss: grpoLossConfig(TRAIN_DEFAULTS.rl), advantage: 'sequence', onPolicy: false }, undefined, {
      dtype: 'float64',
      emit: 'gradients',
    });
    const s = await EngineSession.create(toOnnxBytes(g), { threads: 1 });
    const tokens = [randomTokens(testRng, c, Tt, 0), randomTokens(testRng, c, 4, 0), randomTokens(testRng, c, 5, 0)].map((t) => t.map((v, j) => (j < 4 ? 3 + (v % 3) : v))); // repeated ids → ScatterND accumulation
    const packed = packTokens(c, tokens, 0);
    const specs = paramSpecs(c);
    const values = new Map(
      specs.map((p) => [p.name, Float64Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (p.name.endsWith('.g') ? 1 + 0.1 * randn() : 0.5 * randn()))]),
    );
    const base: Record<string, HostTensor> = {
      ids: { dtype: 'int64', shape: [B, Tt], data: packed.ids },
      targets: { dtype: 'int64', shape: [B, Tt, 1], data: packed.targets },
      patches: f64(
        [B, numPatches(c), patchDim(c)],
        patchifyBatch(
          c,
          tokens.map(() => randomImage(testRng, c)),
        ),
      ),
      mask: f64(
        [B, Tt],
        tokens.flatMap((t) => Array.from({ length: Tt }, (_, j) => (j >= 1 && j < t.length - 1 ? 1 : 0))),
      ),
      advantages: f64([B, 1], [randn(), randn(), randn()]),
      temperature: f64([], [1.3]),
    };
    const feeds = (over?: [string, Float64Array]): Record<string, HostTensor> => {
      const f = { ...base };
      for (const p of specs) f[p.name] = f64(p.shape, over?.[0] === p.name ? over[1] : values.get(p.name)!);
      return f;
    };
    // old/ref log-probs near the current ones, with noise wide enough that some ratios clip.
    base.old_logp = f64([B, Tt], new Float64Array(B * Tt));
    base.ref_logp = f64([B, Tt], new Float64Array(B * Tt));
    const first = await s.run(feeds());
    const lp = first.logp!.data as Float64Array;
    base.old_logp = f64(
      [B, Tt],
      Array.from(lp, (v) => v + randn() * 0.4),
    );
    base.ref_logp = f64(
      [B, Tt],
      Array.from(lp, (v) => v + randn() * 0.2),
    );
    const out = await s.run(feeds());
    const h = 1e-6;
    let maxErr = 0;
    let n = 0;
    for (const p of specs) {
      const analytic = out[`grad.${p.name}`]!.data as Float64Array;
      const v = values.get(p.name)!;
      for (let i = 0; i < v.length; i++) {
        const plus = v.slice();
        const minus = v.slice();
        plus[i]! += h;
        minus[i]! -= h;
        const lp2 = (await s.run(feeds([p.name, plus]))).loss!.data[0] as number;
        const lm2 = (await s.run(feeds([p.name, minus]))).loss!.data[0] as number;
        maxErr = Math.max(maxErr, Math.abs((lp2 - lm2) / (2 * h) - analytic[i]!));
        n++;
      }
    }
    console.log(`  ${n} parameters checked, max|analytic − FD| = ${maxErr.toExponential(2)}`);
    assert.ok(n > 1000);
    assert.ok(maxErr < 1e-6, `max error ${maxErr}`);
    await s.release();
  });
});
