// Does the RL update optimise its objective on a Hugging Face decoder? The checks of
// test/integration/rl-update-sanity.test.ts, on tiny HF-shaped models (vocabulary 12, one or two
// layers, grouped-query attention) through the trainer's own path: HfPolicy.sample, core's
// groupAdvantages and grpoUpdate, with LoRA (adapters over a frozen base) and with full fine-tuning.
// The float64 checks build the HF gradient graph (buildHfGradGraph) and compare it with finite
// differences of an explicit objective and of an exactly enumerated expected reward.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupAdvantages } from '../../../src/core/grpo';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { packPerToken, packTokens } from '../../../src/model/batch';
import { type HfArchitecture, type HfDecoderConfig, hfParamSpecs } from '../../../src/model/hf/config';
import { type LoraConfig, loraParamSpecs } from '../../../src/model/hf/decoder';
import { type HfGraphMode, buildHfGradGraph, buildHfLogprobsGraph, trainableSpecs } from '../../../src/model/hf/graphs';
import { HfPolicy } from '../../../src/model/hf/hf-policy';
import type { PolicyRuntime } from '../../../src/model/family';
import type { ParamValues } from '../../../src/model/params';
import { Rng } from '../../../src/model/rng';
import { TRAIN_DEFAULTS, grpoLossConfig } from '../../../src/trainer/config';
import { grpoUpdate } from '../../../src/trainer/grpo-update';
import { completionMask } from '../../../src/trainer/sequences';
import { randomHfWeights, tinyHfConfig } from '../model/hf/fixtures';

const TOKENS = { pad: 0, eos: [1] };
const EOS = 1;
const BOS = 2;
/** The trainer's GRPO loss settings (β, clip range, aggregation). */
const LOSS = grpoLossConfig(TRAIN_DEFAULTS.rl);
/** Every linear module adapted, rank 4. */
const LORA: LoraConfig = { rank: 4, alpha: 8, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] };

/** Vocabulary 12, hidden 16, 4 query heads over 2 KV heads of width 4. */
const tiny = (arch: HfArchitecture, over: Record<string, unknown> = {}): HfDecoderConfig =>
  tinyHfConfig(arch, {
    vocab_size: 12,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 4,
    max_position_embeddings: 64,
    ...over,
  });

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const head = (xs: number[], n = 5): number => mean(xs.slice(0, n));
const tail = (xs: number[], n = 5): number => mean(xs.slice(-n));
const snapshot = (values: ParamValues): ParamValues => new Map([...values].map(([k, v]) => [k, v.slice()]));

interface PolicyOptions {
  training: 'lora' | 'full';
  seed: number;
  maxTextLen: number;
  adapter?: ParamValues;
  base?: ParamValues;
  microBatch?: number;
}

const hfPolicy = (c: HfDecoderConfig, o: PolicyOptions): HfPolicy =>
  new HfPolicy(c, {
    base: o.base ?? randomHfWeights(c, o.seed),
    training: o.training,
    lora: o.training === 'lora' ? LORA : undefined,
    adapter: o.adapter,
    seed: o.seed,
    maxTextLen: o.maxTextLen,
    tokens: TOKENS,
    grpo: LOSS,
    runtime: { threads: 1, ...(o.microBatch ? { microBatch: o.microBatch } : {}) },
  });

interface LoopOptions {
  prompt: number[];
  groupSize: number;
  steps: number;
  temperature: number;
  lr: number;
  maxNewTokens: number;
  reward: (completion: readonly number[]) => number;
}

/** GRPO on one prompt as the trainer does it (reference = a snapshot at the start); mean sampled reward per step. */
async function grpoLoop(policy: PolicyRuntime, o: LoopOptions): Promise<number[]> {
  const refParams = snapshot(policy.params);
  const trace: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const prompts = Array.from({ length: o.groupSize }, () => o.prompt);
    const images = prompts.map(() => policy.imageFor(null));
    const sampled = await policy.sample({ images, prompts, seeds: prompts.map((_, i) => 1000 * step + i), temperature: o.temperature, maxNewTokens: o.maxNewTokens });
    const rewards = sampled.completions.map(o.reward);
    trace.push(mean(rewards));
    const advantages = groupAdvantages(rewards, o.groupSize);
    await grpoUpdate(policy, refParams, { images, prompts, completions: sampled.completions, advantages }, { temperature: o.temperature, lr: o.lr, updatesPerBatch: 1 });
  }
  return trace;
}

describe('HF RL update sanity: the update climbs its objective', () => {
  it('(a) one prompt, G = 8, full fine-tuning (qwen2, 2 layers): the mean reward reaches its maximum', async () => {
    const policy = hfPolicy(tiny('qwen2', { num_hidden_layers: 2 }), { training: 'full', seed: 1, maxTextLen: 8 });
    try {
      const before = snapshot(policy.params);
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
      console.log(`  (a) full FT: mean reward, first 5 → last 5 steps: ${head(trace).toFixed(3)} → ${tail(trace).toFixed(3)}`);
      assert.ok(head(trace) < 0.5, `starts far from the maximum (${head(trace)})`);
      assert.ok(tail(trace) >= 0.95, `mean reward of the last 5 steps ${tail(trace)} < 0.95`);
      assert.ok(
        [...before].every(([k, v]) => policy.params.get(k)!.some((x, i) => x !== v[i])),
        'full fine-tuning changes every base weight',
      );
    } finally {
      await policy.release();
    }
  });

  it('(b) LoRA (qwen3): a trivially satisfiable bandit reward ("at most 2 tokens before EOS") is learned from an SFT checkpoint', async () => {
    const c = tiny('qwen3');
    // A base whose head can express sharp distributions, as a pretrained one does. With LoRA the
    // final norm and the (tied) embeddings are frozen, so every logit is (unit-RMS hidden ⊙ norm
    // weight) · embedding row: at the fixture's scale (norm ≈ 1, embeddings N(0, 0.15²), D = 16)
    // no adapter can push p(EOS) much past ~0.5, SFT leaves a quarter of chains without EOS and RL
    // stalls near 0.85 at any lr or β (measured). Full fine-tuning grows those weights itself.
    const base = randomHfWeights(c, 2);
    base.get('model.norm.weight')!.forEach((x, i, a) => (a[i] = 3 * x));
    const hf = hfPolicy(c, { training: 'lora', seed: 2, maxTextLen: 8, base });
    const policy: PolicyRuntime = hf;
    const frozen = snapshot(hf.baseWeights);
    try {
      // SFT (LoRA): chains of 1..5 content tokens then EOS, uniformly, so short chains start as a minority.
      const rng = new Rng(5);
      const prompt = [BOS, 4];
      for (let step = 0; step < 150; step++) {
        const tokens = Array.from({ length: 16 }, () => [...prompt, ...Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => 3 + Math.floor(rng.next() * 3)), EOS]);
        await policy.trainStep({
          images: tokens.map(() => policy.imageFor(null)),
          tokens,
          lossMask: tokens.map((t) => completionMask(prompt.length, t.length)),
          objective: { kind: 'sft' },
          lr: 1e-2,
        });
      }
      const short = (comp: readonly number[]): number => (comp.at(-1) === EOS && comp.length - 1 <= 2 ? 1 : 0);
      const trace = await grpoLoop(policy, { prompt, groupSize: 8, steps: 40, temperature: 1, lr: 3e-3, maxNewTokens: 6, reward: short });
      console.log(`  (b) LoRA: share of short chains, first 5 → last 5 RL steps: ${head(trace).toFixed(3)} → ${tail(trace).toFixed(3)}`);
      assert.ok(head(trace) < 0.65, `short chains start as a minority (${head(trace)})`);
      assert.ok(tail(trace) >= 0.9, `share of short chains after 40 steps ${tail(trace)} < 0.9`);
      for (const [k, v] of frozen) assert.deepEqual(hf.baseWeights.get(k), v, `LoRA training left base weight ${k} unchanged`);
    } finally {
      await policy.release();
    }
  });

  for (const [arch, training] of [
    ['llama', 'full'],
    ['qwen3', 'lora'],
  ] as const) {
    it(`(c) ${arch} ${training}: the log-probs the update uses are the sampler's, at every temperature (length bucket, micro-batches)`, async () => {
      // maxTextLen 40 with sequences under 32 tokens: log-prob and gradient graphs run at Tt = 32.
      const c = tiny(arch, { num_hidden_layers: 2 });
      let adapter: ParamValues | undefined;
      if (training === 'lora') {
        // Nonzero B, so the adapters shape every distribution the check compares.
        const rng = new Rng(13);
        adapter = new Map(loraParamSpecs(c, LORA).map((s) => [s.name, Float32Array.from({ length: numel(s.shape) }, () => 0.1 * rng.normal())]));
      }
      // Micro-batches of 2 (LoRA): 3 sequences run as two graph runs, ordered by length.
      const policy: PolicyRuntime = hfPolicy(c, { training, seed: 3, maxTextLen: 40, adapter, microBatch: training === 'lora' ? 2 : undefined });
      try {
        const prompts = [[BOS, 4], [BOS, 5, 6, 7], [BOS]];
        const images = prompts.map(() => policy.imageFor(null));
        for (const temperature of [0.5, 1, 1.7]) {
          const s = await policy.sample({ images, prompts, seeds: [1, 2, 3], temperature, maxNewTokens: 5 });
          const tokens = prompts.map((p, i) => [...p, ...s.completions[i]!]);
          const lp = await policy.logprobs({ images, tokens }, { temperature });
          let worst = 0;
          s.completions.forEach((comp, i) => comp.forEach((_, k) => (worst = Math.max(worst, Math.abs(lp.logp[i]![prompts[i]!.length - 1 + k]! - s.logprobs[i]![k]!)))));
          assert.ok(worst < 1e-4, `T = ${temperature}: |sampler − logprobs()| up to ${worst}`);
          // The gradient graph against the sampler itself: its ratio to the sampler's log-probs as the old ones is 1.
          const oldLogp = tokens.map((t, i) => Array.from({ length: t.length - 1 }, (_, j) => (j < prompts[i]!.length - 1 ? 0 : s.logprobs[i]![j - prompts[i]!.length + 1]!)));
          const params = snapshot(policy.params);
          const step = await policy.trainStep({
            images,
            tokens,
            lossMask: tokens.map((t, i) => completionMask(prompts[i]!.length, t.length)),
            objective: { kind: 'grpo', oldLogp, refLogp: lp.logp, advantages: [0.5, -1, 0.5] },
            lr: 0,
            temperature,
          });
          // On-policy through grpoUpdate, with the reference equal to the current policy: ratio 1 and KL 0.
          const u = await grpoUpdate(
            policy,
            snapshot(policy.params),
            { images, prompts, completions: s.completions, advantages: [0, 0, 0] },
            { temperature, lr: 0, updatesPerBatch: 1 },
          );
          console.log(
            `  (c) ${arch} ${training} T = ${temperature}: |sampler − logprobs()| ≤ ${worst.toExponential(1)}; ` +
              `train graph vs sampler: ratio_mean − 1 = ${(step.metrics.ratio_mean! - 1).toExponential(1)}, kl ${step.metrics.kl!.toExponential(1)}; ` +
              `grpoUpdate: ratio_mean − 1 = ${(u.update.metrics.ratio_mean! - 1).toExponential(1)}, kl ${u.update.metrics.kl!.toExponential(1)}`,
          );
          assert.ok(
            Math.abs(step.metrics.ratio_mean! - 1) < 1e-4 && step.metrics.clip_ratio === 0,
            `T = ${temperature}: train graph vs sampler: ratio ${step.metrics.ratio_mean}, clipped ${step.metrics.clip_ratio}`,
          );
          assert.ok(Math.abs(step.metrics.kl!) < 1e-6, `T = ${temperature}: KL to logprobs() at the same parameters ${step.metrics.kl}`);
          assert.ok(
            Math.abs(u.update.metrics.ratio_mean! - 1) < 1e-6 && Math.abs(u.update.metrics.kl!) < 1e-6,
            `T = ${temperature}: ratio ${u.update.metrics.ratio_mean}, kl ${u.update.metrics.kl}`,
          );
          for (const [k, v] of params) assert.deepEqual(policy.params.get(k), v, `lr 0 leaves ${k} unchanged`);
        }
      } finally {
        await policy.release();
      }
    });
  }
});

// ---------------------------------------------------------------- float64 graph checks

type F64Map = Map<string, Float64Array>;

/**
 * A tiny float64 HF world: random base weights (and random nonzero adapters with LoRA), log-prob and
 * on-policy GRPO-gradient sessions from the HF graph factories, batches packed to Tt positions.
 */
async function float64World(c: HfDecoderConfig, mode: HfGraphMode, Tt: number, seed: number) {
  const rng = new Rng(seed);
  const shapes = new Map<string, readonly number[]>(hfParamSpecs(c).map((s) => [s.name, s.shape]));
  const values: F64Map = new Map([...randomHfWeights(c, seed)].map(([k, v]) => [k, Float64Array.from(v)]));
  if (mode.lora)
    for (const s of loraParamSpecs(c, mode.lora)) {
      shapes.set(s.name, s.shape);
      values.set(
        s.name,
        Float64Array.from({ length: numel(s.shape) }, () => 0.1 * rng.normal()),
      );
    }
  const trainable = trainableSpecs(c, mode);
  // 'basic': at 'all', ORT fuses the inference graph's SiLU (x·sigmoid(x)) into com.microsoft.QuickGelu,
  // which has a float32 kernel only, and the float64 session fails to load. The gradient graph keeps
  // sigmoid(x) for its backward pass, is not fused, and runs at the default level.
  const logprobs = await EngineSession.create(toOnnxBytes(buildHfLogprobsGraph(c, mode, 1, 'float64')), { threads: 1, graphOptimization: 'basic', label: 'hf f64 logprobs' });
  const train = await EngineSession.create(toOnnxBytes(buildHfGradGraph(c, mode, { kind: 'grpo', loss: LOSS, advantage: 'sequence', onPolicy: true }, 1, 'float64')), {
    threads: 1,
    label: 'hf f64 grads',
  });
  const limits = { maxTextLen: Tt, vocabSize: c.vocabSize };
  const f64 = (shape: readonly number[], data: ArrayLike<number>): HostTensor => ({ dtype: 'float64', shape, data: Float64Array.from(data) });
  const feeds = (tokens: number[][], temperature: number, vals: F64Map, pad: number): Record<string, HostTensor> => {
    const B = tokens.length;
    const packed = packTokens(limits, tokens, pad, Tt);
    const f: Record<string, HostTensor> = {
      ids: { dtype: 'int64', shape: [B, Tt], data: packed.ids },
      targets: { dtype: 'int64', shape: [B, Tt, 1], data: packed.targets },
      temperature: f64([], [temperature]),
    };
    for (const [k, v] of vals) f[k] = { dtype: 'float64', shape: shapes.get(k)!, data: v };
    return f;
  };
  return {
    trainable,
    values,
    async logp(tokens: number[][], temperature: number, vals: F64Map = values, pad = TOKENS.pad): Promise<number[][]> {
      const out = (await logprobs.run(feeds(tokens, temperature, vals, pad))).logp!.data as Float64Array;
      return tokens.map((t, b) => Array.from({ length: t.length - 1 }, (_, j) => out[b * Tt + j]!));
    },
    /** Gradient of the trainer's on-policy GRPO loss (reference = current, so KL adds nothing). */
    async grad(tokens: number[][], promptLen: number, advantages: number[], temperature: number, pad = TOKENS.pad): Promise<F64Map> {
      const B = tokens.length;
      const f = feeds(tokens, temperature, values, pad);
      const lengths = tokens.map((t) => t.length);
      f.ref_logp = f64([B, Tt], packPerToken(limits, await this.logp(tokens, temperature, values, pad), lengths, 'ref', Tt));
      f.mask = f64(
        [B, Tt],
        packPerToken(
          limits,
          tokens.map((t) => completionMask(promptLen, t.length)),
          lengths,
          'mask',
          Tt,
        ),
      );
      f.advantages = f64([B, 1], advantages);
      const out = await train.run(f);
      return new Map(trainable.map((s) => [s.name, out[`grad.${s.name}`]!.data as Float64Array]));
    },
    async release(): Promise<void> {
      await logprobs.release();
      await train.release();
    },
  };
}

const dot = (a: F64Map, b: F64Map): number => {
  let s = 0;
  for (const [k, v] of a) v.forEach((x, i) => (s += x * b.get(k)![i]!));
  return s;
};
const randomDirection = (specs: readonly { name: string; shape: readonly number[] }[], rng: Rng): F64Map =>
  new Map(specs.map((s) => [s.name, Float64Array.from({ length: numel(s.shape) }, () => rng.normal())]));
/** base + h·d on the tensors d names; the rest as they are. */
const shifted = (base: F64Map, d: F64Map, h: number): F64Map => new Map([...base].map(([k, v]) => [k, d.has(k) ? v.map((x, i) => x + h * d.get(k)![i]!) : v]));
const f32Map = (m: F64Map, names: (k: string) => boolean): ParamValues => new Map([...m].filter(([k]) => names(k)).map(([k, v]) => [k, Float32Array.from(v)]));

describe('HF RL update sanity: the gradient is the policy gradient (float64 graphs)', () => {
  const prompt = [BOS, 3];
  const T = 1.3;

  it('(d) LoRA (qwen3): masks: the loss sees exactly the completion predictions, EOS included; prompt and padding do not count', async () => {
    const c = tiny('qwen3');
    const w = await float64World(c, { train: 'lora', lora: LORA }, 8, 21);
    try {
      const tokens = [
        [BOS, 3, 4, EOS],
        [BOS, 3, 1],
        [BOS, 3, 2, 4, 3, EOS],
      ];
      const B = tokens.length;
      const adv = [0.7, -1.1, 0.4];
      // Reference objective with explicit indices: Σ_b A_b / |C_b| · Σ_k log π_T(completion_b[k]) / B.
      const objective = async (vals: F64Map): Promise<number> => {
        const lp = await w.logp(tokens, T, vals);
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
      const diff = shifted(g, gOtherPad, -1);
      assert.equal(dot(diff, diff), 0, 'padding tokens change the gradient');
      const rng = new Rng(9);
      let worst = 0;
      for (let k = 0; k < 5; k++) {
        const d = randomDirection(w.trainable, rng);
        const h = 1e-5;
        const fd = ((await objective(shifted(w.values, d, h))) - (await objective(shifted(w.values, d, -h)))) / (2 * h);
        const analytic = -dot(g, d); // the loss is minimised: −∇loss is the ascent direction of the objective
        worst = Math.max(worst, Math.abs(fd - analytic) / Math.max(1, Math.abs(fd)));
        assert.ok(Math.abs(fd - analytic) < 1e-6 * Math.max(1, Math.abs(fd)), `direction ${k}: finite difference ${fd} vs −∇loss·d ${analytic}`);
      }
      console.log(`  (d) LoRA: |finite difference − (−∇loss·d)| / max(1, |fd|) ≤ ${worst.toExponential(1)} over 5 directions; padding id changes nothing`);
    } finally {
      await w.release();
    }
  });

  for (const [arch, training, layers] of [
    ['qwen2', 'lora', 1],
    ['llama', 'full', 2],
  ] as const) {
    it(`(e) ${arch} ${training}: −∇loss is ∇E[reward] (exact enumeration vs finite differences), and sampled GRPO batches point the same way`, async () => {
      const c = tiny(arch, { num_hidden_layers: layers });
      const V = c.vocabSize;
      const mode: HfGraphMode = { train: training, lora: training === 'lora' ? LORA : undefined };
      // Every completion of 2 tokens over the 12-token vocabulary: the expectation is an exact sum over 144.
      const completions = Array.from({ length: V * V }, (_, k) => [Math.floor(k / V), k % V]);
      const all = completions.map((comp) => [...prompt, ...comp]);
      const rewardTable = completions.map((_, k) => new Rng(100 + k).next());
      const B = all.length;
      const w = await float64World(c, mode, 4, 31);
      try {
        const expected = async (vals: F64Map): Promise<{ J: number; p: number[] }> => {
          const lp = await w.logp(all, T, vals);
          const p = lp.map((row) => Math.exp(row[prompt.length - 1]! + row[prompt.length]!));
          return { J: p.reduce((s, pk, k) => s + pk * rewardTable[k]!, 0), p };
        };
        const { J, p } = await expected(w.values);
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
        let worst = 0;
        let largest = 0;
        for (let k = 0; k < 5; k++) {
          const d = randomDirection(w.trainable, rng);
          const h = 1e-5;
          const fd = ((await expected(shifted(w.values, d, h))).J - (await expected(shifted(w.values, d, -h))).J) / (2 * h);
          worst = Math.max(worst, Math.abs(fd + dot(exact, d)) / Math.max(1, Math.abs(fd)));
          largest = Math.max(largest, Math.abs(fd));
          assert.ok(Math.abs(fd + dot(exact, d)) < 1e-7 * Math.max(1, Math.abs(fd)), `direction ${k}: dJ/dd ${fd} vs −∇loss·d ${-dot(exact, d)}`);
        }

        // Sampled: G = 8 groups from HfPolicy.sample at T (float32 copies of the same weights), advantages from core; summed per distinct completion.
        const isLora = (k: string): boolean => k.includes('.lora_');
        const policy: PolicyRuntime = hfPolicy(c, {
          training,
          seed: 0,
          maxTextLen: 4,
          base: f32Map(w.values, (k) => !isLora(k)),
          adapter: training === 'lora' ? f32Map(w.values, isLora) : undefined,
        });
        const weight = new Array<number>(B).fill(0);
        try {
          const G = 8;
          const groups = 400;
          const n = G * groups;
          const s = await policy.sample({
            images: Array.from({ length: n }, () => policy.imageFor(null)),
            prompts: Array.from({ length: n }, () => prompt),
            seeds: Array.from({ length: n }, (_, i) => i),
            temperature: T,
            maxNewTokens: 2,
            stopAtEos: false,
          });
          const rewards = s.completions.map((comp) => rewardTable[comp[0]! * V + comp[1]!]!);
          groupAdvantages(rewards, G).forEach((a, i) => (weight[s.completions[i]![0]! * V + s.completions[i]![1]!]! += a));
        } finally {
          await policy.release();
        }
        const sampled = await w.grad(all, prompt.length, weight, T);
        const cosine = dot(sampled, exact) / Math.sqrt(dot(sampled, sampled) * dot(exact, exact));
        console.log(
          `  (e) ${arch} ${training}: J = ${J.toFixed(4)}, |dJ/dd| up to ${largest.toExponential(2)}, ` +
            `|fd + ∇loss·d| / max(1, |fd|) ≤ ${worst.toExponential(1)}; cosine(sampled GRPO direction, exact ∇E[r]) = ${cosine.toFixed(3)}`,
        );
        assert.ok(cosine > 0.8, `sampled GRPO gradient points away from ∇E[r]: cosine ${cosine}`);
      } finally {
        await w.release();
      }
    });
  }
});
