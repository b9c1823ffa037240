// Does the RL update optimise its objective? Checked on policies small enough to reason about, through
// the trainer's own path: the real sampler, core's groupAdvantages and grpoUpdate (the fused train
// graph the StepGRPO step uses). A flipped advantage sign or a shifted mask makes these fail.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupAdvantages } from '../../src/core/grpo';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../src/engine';
import {
  type PolicyConfig,
  type PolicySessions,
  buildLogprobsGraph,
  buildTrainGraph,
  createPolicySessions,
  numPatches,
  packPerToken,
  packTokens,
  paramSpecs,
  patchDim,
  patchifyBatch,
  resolvePolicyConfig,
} from '../../src/model';
import { Rng } from '../../src/model/rng';
import { grpoUpdate } from '../../src/trainer/grpo-update';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../src/trainer/config';
import { completionMask } from '../../src/trainer/sequences';

type ParamMap = Map<string, Float64Array>;
const TOKENS = { pad: 0, eos: 1 };
/** The trainer's GRPO loss settings (β, clip range, aggregation). */
const LOSS = grpoLossConfig(TRAIN_DEFAULTS.rl);
const BOS = 2;
const config = (over: Partial<PolicyConfig> = {}): PolicyConfig =>
  resolvePolicyConfig({ vocabSize: 6, dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, maxTextLen: 8, image: { channels: 1, size: 4, patchSize: 4 }, ...over });
const image = (c: PolicyConfig, seed: number): Float32Array => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: c.image.channels * c.image.size ** 2 }, () => rng.next());
};
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

interface LoopOptions {
  prompt: number[];
  groupSize: number;
  steps: number;
  temperature: number;
  lr: number;
  maxNewTokens: number;
  reward: (completion: readonly number[]) => number;
}

/** GRPO on one prompt exactly as the trainer does it; returns the mean sampled reward per step. */
async function grpoLoop(policy: PolicySessions, o: LoopOptions): Promise<number[]> {
  const refParams = policy.params;
  const img = image(policy.config, 7);
  const trace: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const prompts = Array.from({ length: o.groupSize }, () => o.prompt);
    const images = prompts.map(() => img);
    const sampled = await policy.sample({ images, prompts, seeds: prompts.map((_, i) => 1000 * step + i), temperature: o.temperature, maxNewTokens: o.maxNewTokens });
    const rewards = sampled.completions.map(o.reward);
    trace.push(mean(rewards));
    const advantages = groupAdvantages(rewards, o.groupSize);
    await grpoUpdate(policy, refParams, { images, prompts, completions: sampled.completions, advantages }, { temperature: o.temperature, lr: o.lr, updatesPerBatch: 1 });
  }
  return trace;
}

const head = (xs: number[], n = 5): number => mean(xs.slice(0, n));
const tail = (xs: number[], n = 5): number => mean(xs.slice(-n));

describe('RL update sanity: the update climbs its objective', () => {
  it('(a) one prompt, G = 8: the mean reward reaches its maximum', async () => {
    const policy = await createPolicySessions(config(), { seed: 1, tokens: TOKENS, grpo: LOSS, runtime: { threads: 1 } });
    try {
      // Reward: share of the 4 generated tokens that are token 3 (1 only for [3, 3, 3, 3]).
      const trace = await grpoLoop(policy, {
        prompt: [BOS, 4],
        groupSize: 8,
        steps: 60,
        temperature: 1,
        lr: 1e-2,
        maxNewTokens: 4,
        reward: (c) => c.filter((t) => t === 3).length / 4,
      });
      console.log(`  mean reward, first 5 → last 5 steps: ${head(trace).toFixed(3)} → ${tail(trace).toFixed(3)}`);
      assert.ok(head(trace) < 0.5, `starts far from the maximum (${head(trace)})`);
      assert.ok(tail(trace) >= 0.95, `mean reward of the last 5 steps ${tail(trace)} < 0.95`);
    } finally {
      await policy.release();
    }
  });

  it('(b) a trivially satisfiable bandit reward ("at most 2 tokens before EOS") is learned from an SFT checkpoint', async () => {
    const c = config();
    const policy = await createPolicySessions(c, { seed: 2, tokens: TOKENS, grpo: LOSS, runtime: { threads: 1 } });
    try {
      // SFT: chains of 1..5 content tokens then EOS, uniformly, so short chains start as a minority.
      const rng = new Rng(5);
      const prompt = [BOS, 4];
      for (let step = 0; step < 150; step++) {
        const tokens = Array.from({ length: 16 }, () => [...prompt, ...Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => 3 + Math.floor(rng.next() * 3)), TOKENS.eos]);
        await policy.trainStep({
          images: tokens.map(() => image(c, 7)),
          tokens,
          lossMask: tokens.map((t) => completionMask(prompt.length, t.length)),
          objective: { kind: 'sft' },
          lr: 1e-2,
        });
      }
      const short = (comp: readonly number[]): number => (comp.at(-1) === TOKENS.eos && comp.length - 1 <= 2 ? 1 : 0);
      const trace = await grpoLoop(policy, { prompt, groupSize: 8, steps: 40, temperature: 1, lr: 3e-3, maxNewTokens: 6, reward: short });
      console.log(`  share of short chains, first 5 → last 5 RL steps: ${head(trace).toFixed(3)} → ${tail(trace).toFixed(3)}`);
      assert.ok(head(trace) < 0.65, `short chains start as a minority (${head(trace)})`);
      assert.ok(tail(trace) >= 0.9, `share of short chains after 40 steps ${tail(trace)} < 0.9`);
    } finally {
      await policy.release();
    }
  });

  it("(c) the log-probs the update uses are the sampler's, at every temperature (batches cut to a length bucket)", async () => {
    // maxTextLen 40 with sequences under 32 tokens: log-prob and train graphs run at Tt = 32.
    const c = config({ vocabSize: 12, maxTextLen: 40 });
    const policy = await createPolicySessions(c, { seed: 3, tokens: TOKENS, grpo: LOSS, runtime: { threads: 1 } });
    try {
      for (const temperature of [0.5, 1, 1.7]) {
        const prompts = [[BOS, 4], [BOS, 5, 6, 7], [BOS]];
        const images = prompts.map((_, i) => image(c, i));
        const s = await policy.sample({ images, prompts, seeds: [1, 2, 3], temperature, maxNewTokens: 5 });
        const lp = await policy.logprobs({ images, tokens: prompts.map((p, i) => [...p, ...s.completions[i]!]) }, { temperature });
        let worst = 0;
        s.completions.forEach((comp, i) => comp.forEach((_, k) => (worst = Math.max(worst, Math.abs(lp.logp[i]![prompts[i]!.length - 1 + k]! - s.logprobs[i]![k]!)))));
        assert.ok(worst < 1e-4, `T = ${temperature}: |sampler − update log-prob| up to ${worst}`);
        // On-policy, with the reference equal to the current policy: ratio 1 and KL 0 at this temperature.
        const u = await grpoUpdate(policy, policy.params, { images, prompts, completions: s.completions, advantages: [0, 0, 0] }, { temperature, lr: 0, updatesPerBatch: 1 });
        assert.ok(
          Math.abs(u.update.metrics.ratio_mean! - 1) < 1e-6 && Math.abs(u.update.metrics.kl!) < 1e-6,
          `T = ${temperature}: ratio ${u.update.metrics.ratio_mean}, kl ${u.update.metrics.kl}`,
        );
      }
    } finally {
      await policy.release();
    }
  });
});

// ---------------------------------------------------------------- float64 graph checks

/** A tiny float64 world: log-prob and on-policy GRPO-gradient sessions over fixed-length batches. */
async function float64World(c: PolicyConfig, B: number, Tt: number) {
  const specs = paramSpecs(c);
  const rng = new Rng(11);
  const params: ParamMap = new Map(
    specs.map((p) => [p.name, Float64Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (p.name.endsWith('.g') ? 1 : 0) + 0.4 * rng.normal())]),
  );
  const logprobs = await EngineSession.create(toOnnxBytes(buildLogprobsGraph(c, B, Tt, 'float64')), { threads: 1 });
  const train = await EngineSession.create(
    toOnnxBytes(buildTrainGraph(c, B, { kind: 'grpo', loss: LOSS, advantage: 'sequence', onPolicy: true }, undefined, { dtype: 'float64', emit: 'gradients', textLen: Tt })),
    { threads: 1 },
  );
  const f64 = (shape: number[], data: ArrayLike<number>): HostTensor => ({ dtype: 'float64', shape, data: Float64Array.from(data) });
  const img = image(c, 3);
  const feeds = (tokens: number[][], temperature: number, values: ParamMap, pad = TOKENS.pad): Record<string, HostTensor> => {
    const packed = packTokens(c, tokens, pad, Tt);
    const f: Record<string, HostTensor> = {
      ids: { dtype: 'int64', shape: [B, Tt], data: packed.ids },
      targets: { dtype: 'int64', shape: [B, Tt, 1], data: packed.targets },
      patches: f64(
        [B, numPatches(c), patchDim(c)],
        patchifyBatch(
          c,
          tokens.map(() => Float32Array.from(img)),
        ),
      ),
      temperature: f64([], [temperature]),
    };
    for (const p of specs) f[p.name] = f64(p.shape, values.get(p.name)!);
    return f;
  };
  return {
    specs,
    params,
    async logp(tokens: number[][], temperature: number, values = params): Promise<number[][]> {
      const out = (await logprobs.run(feeds(tokens, temperature, values))).logp!.data as Float64Array;
      return tokens.map((t, b) => Array.from({ length: t.length - 1 }, (_, j) => out[b * Tt + j]!));
    },
    /** Gradient of the trainer's on-policy GRPO loss (reference = current, so KL adds nothing). */
    async grad(tokens: number[][], promptLen: number, advantages: number[], temperature: number, pad = TOKENS.pad): Promise<ParamMap> {
      const f = feeds(tokens, temperature, params, pad);
      const lengths = tokens.map((t) => t.length);
      const lp = await this.logp(tokens, temperature);
      f.ref_logp = f64([B, Tt], packPerToken(c, lp, lengths, 'ref', Tt));
      f.mask = f64(
        [B, Tt],
        packPerToken(
          c,
          tokens.map((t) => completionMask(promptLen, t.length)),
          lengths,
          'mask',
          Tt,
        ),
      );
      f.advantages = f64([B, 1], advantages);
      const out = await train.run(f);
      return new Map(specs.map((p) => [p.name, out[`grad.${p.name}`]!.data as Float64Array]));
    },
    async release(): Promise<void> {
      await logprobs.release();
      await train.release();
    },
  };
}

const dot = (a: ParamMap, b: ParamMap): number => {
  let s = 0;
  for (const [k, v] of a) v.forEach((x, i) => (s += x * b.get(k)![i]!));
  return s;
};
const randomDirection = (specs: ReturnType<typeof paramSpecs>, rng: Rng): ParamMap =>
  new Map(specs.map((p) => [p.name, Float64Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => rng.normal())]));
const shifted = (base: ParamMap, d: ParamMap, h: number): ParamMap => new Map([...base].map(([k, v]) => [k, v.map((x, i) => x + h * d.get(k)![i]!)]));

describe('RL update sanity: the gradient is the policy gradient (float64 graphs)', () => {
  const c = config({ vocabSize: 5 });
  const prompt = [BOS, 3];
  // Every completion of 2 tokens over the 5-token vocabulary: the expectation is an exact sum.
  const completions = Array.from({ length: 25 }, (_, k) => [Math.floor(k / 5), k % 5]);
  const all = completions.map((comp) => [...prompt, ...comp]);
  const rewardTable = completions.map((_, k) => new Rng(100 + k).next());
  const T = 1.3;

  it('(d) masks: the loss sees exactly the completion predictions, EOS included; prompt and padding do not count', async () => {
    const B = 3;
    const Tt = 8;
    const w = await float64World(c, B, Tt);
    try {
      const tokens = [
        [BOS, 3, 4, TOKENS.eos],
        [BOS, 3, 1],
        [BOS, 3, 2, 4, 3, TOKENS.eos],
      ];
      const adv = [0.7, -1.1, 0.4];
      // Reference objective with explicit indices: Σ_b A_b / |C_b| · Σ_k log π_T(completion_b[k]) / B.
      const objective = async (values: ParamMap): Promise<number> => {
        const lp = await w.logp(tokens, T, values);
        return (
          tokens.reduce((s, t, b) => {
            const completion = t.length - prompt.length;
            let sum = 0;
            for (let k = 0; k < completion; k++) sum += lp[b]![prompt.length - 1 + k]!; // predicts t[prompt.length + k], the last one EOS
            return s + (adv[b]! * sum) / completion;
          }, 0) / B
        );
      };
      const g = await w.grad(tokens, prompt.length, adv, T);
      const gOtherPad = await w.grad(tokens, prompt.length, adv, T, 4);
      assert.ok(dot(g, g) > 0, 'the gradient is not zero');
      assert.equal(dot(shifted(g, gOtherPad, -1), shifted(g, gOtherPad, -1)), 0, 'padding tokens change the gradient');
      const rng = new Rng(9);
      for (let k = 0; k < 5; k++) {
        const d = randomDirection(w.specs, rng);
        const h = 1e-5;
        const fd = ((await objective(shifted(w.params, d, h))) - (await objective(shifted(w.params, d, -h)))) / (2 * h);
        const analytic = -dot(g, d); // the loss is minimised: −∇loss is the ascent direction of the objective
        assert.ok(Math.abs(fd - analytic) < 1e-6 * Math.max(1, Math.abs(fd)), `direction ${k}: finite difference ${fd} vs −∇loss·d ${analytic}`);
      }
    } finally {
      await w.release();
    }
  });

  it('(e) −∇loss is ∇E[reward] (exact enumeration vs finite differences), and sampled GRPO batches point the same way', async () => {
    const B = all.length;
    const w = await float64World(c, B, 8);
    try {
      const expected = async (values: ParamMap): Promise<{ J: number; p: number[] }> => {
        const lp = await w.logp(all, T, values);
        const p = lp.map((row) => Math.exp(row[prompt.length - 1]! + row[prompt.length]!));
        return { J: p.reduce((s, pk, k) => s + pk * rewardTable[k]!, 0), p };
      };
      const { J, p } = await expected(w.params);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'the enumeration covers the whole distribution');
      // With A_s = B·L·π(s)·(r(s) − J), the per-sequence-mean loss is −E[r] up to a constant, so −∇loss = ∇J.
      const L = 2;
      const exact = await w.grad(
        all,
        prompt.length,
        p.map((pk, k) => B * L * pk * (rewardTable[k]! - J)),
        T,
      );
      const rng = new Rng(21);
      for (let k = 0; k < 5; k++) {
        const d = randomDirection(w.specs, rng);
        const h = 1e-5;
        const fd = ((await expected(shifted(w.params, d, h))).J - (await expected(shifted(w.params, d, -h))).J) / (2 * h);
        assert.ok(Math.abs(fd + dot(exact, d)) < 1e-7 * Math.max(1, Math.abs(fd)), `direction ${k}: dJ/dd ${fd} vs −∇loss·d ${-dot(exact, d)}`);
      }

      // Sampled: G = 8 groups from the real sampler at T, advantages from core; summed per distinct completion.
      const policy = await createPolicySessions(c, {
        params: new Map([...w.params].map(([k, v]) => [k, Float32Array.from(v)])),
        tokens: TOKENS,
        grpo: LOSS,
        runtime: { threads: 1 },
      });
      const weight = new Array<number>(B).fill(0);
      try {
        const G = 8;
        const groups = 400;
        const img = image(c, 3);
        const s = await policy.sample({
          images: Array.from({ length: G * groups }, () => img),
          prompts: Array.from({ length: G * groups }, () => prompt),
          seeds: Array.from({ length: G * groups }, (_, i) => i),
          temperature: T,
          maxNewTokens: 2,
          stopAtEos: false,
        });
        const rewards = s.completions.map((comp) => rewardTable[comp[0]! * 5 + comp[1]!]!);
        groupAdvantages(rewards, G).forEach((a, i) => (weight[s.completions[i]![0]! * 5 + s.completions[i]![1]!]! += a));
      } finally {
        await policy.release();
      }
      const sampled = await w.grad(all, prompt.length, weight, T);
      const cosine = dot(sampled, exact) / Math.sqrt(dot(sampled, sampled) * dot(exact, exact));
      console.log(`  cosine(sampled GRPO direction, exact ∇E[r]) = ${cosine.toFixed(3)}`);
      assert.ok(cosine > 0.8, `sampled GRPO gradient points away from ∇E[r]: cosine ${cosine}`);
    } finally {
      await w.release();
    }
  });
});
