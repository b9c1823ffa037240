// The HF decoder's graphs against themselves where an identity must hold (KV cache = full forward,
// LoRA at its start = the base model), its gradients against central finite differences in float64,
// and its runtime learning a single sequence. Parity with llama.cpp is in test/hf/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../../src/engine';
import { FEED } from '../../../../src/model/feed-names';
import { Rng } from '../../../../src/model/rng';
import { tokenLogprob } from '../../../../src/model/sampler';
import type { HfArchitecture, HfDecoderConfig } from '../../../../src/model/hf/config';
import { hfParamSpecs } from '../../../../src/model/hf/config';
import { type LoraConfig, loraParamSpecs } from '../../../../src/model/hf/decoder';
import { buildHfGradGraph, buildHfLogitsGraph } from '../../../../src/model/hf/graphs';
import { HfPolicy, initLora } from '../../../../src/model/hf/hf-policy';
import { randomHfWeights, randomIds, tinyHfConfig } from './fixtures';

const ARCHS: HfArchitecture[] = ['llama', 'qwen2', 'qwen3'];
const LORA: LoraConfig = { rank: 4, alpha: 8, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] };

async function fullLogits(
  c: HfDecoderConfig,
  weights: Map<string, Float32Array>,
  seqs: number[][],
  lora?: { cfg: LoraConfig; values: Map<string, Float32Array> },
): Promise<Float32Array[]> {
  const s = await EngineSession.create(toOnnxBytes(buildHfLogitsGraph(c, { train: 'none', lora: lora?.cfg })), { threads: 1, label: 'hf logits' });
  const out: Float32Array[] = [];
  for (const seq of seqs) {
    const feeds: Record<string, HostTensor> = { ids: { dtype: 'int64', shape: [1, seq.length], data: BigInt64Array.from(seq.map(BigInt)) } };
    for (const [k, v] of weights) feeds[k] = { dtype: 'float32', shape: hfParamSpecs(c).find((p) => p.name === k)!.shape, data: v };
    if (lora) for (const p of loraParamSpecs(c, lora.cfg)) feeds[p.name] = { dtype: 'float32', shape: p.shape, data: lora.values.get(p.name)! };
    out.push((await s.run(feeds)).logits!.data as Float32Array);
  }
  await s.release();
  return out;
}

describe('HF decoder', () => {
  for (const arch of ARCHS) {
    it(`${arch}: KV-cache sampling equals the full forward (greedy tokens and their log-probs)`, async () => {
      const c = tinyHfConfig(arch);
      const weights = randomHfWeights(c, 3);
      const rng = new Rng(5);
      const prompts = [randomIds(rng, 5, c.vocabSize), randomIds(rng, 9, c.vocabSize), randomIds(rng, 2, c.vocabSize)];
      const lora = initLora(c, LORA, 7);
      // Nonzero B so the adapters change the output and the cached path must apply them too.
      for (const [k, v] of lora) if (k.includes('lora_B')) for (let i = 0; i < v.length; i++) v[i] = 0.05 * rng.normal();
      const policy = new HfPolicy(c, { base: weights, training: 'lora', lora: LORA, adapter: lora, maxTextLen: 64, tokens: { pad: 0, eos: [] } });
      const out = await policy.sample({ prompts, seeds: [1, 2, 3], temperature: 0, maxNewTokens: 12, stopAtEos: false });
      await policy.release();
      const full = await fullLogits(
        c,
        weights,
        prompts.map((p, i) => [...p, ...out.completions[i]!]),
        { cfg: LORA, values: lora },
      );
      let maxErr = 0;
      prompts.forEach((p, i) => {
        out.completions[i]!.forEach((tok, k) => {
          const off = (p.length - 1 + k) * c.vocabSize;
          const row = full[i]!.subarray(off, off + c.vocabSize);
          assert.equal(tok, row.indexOf(Math.max(...row)), `sequence ${i} token ${k}`);
          maxErr = Math.max(maxErr, Math.abs(out.logprobs[i]![k]! - tokenLogprob(full[i]!, off, c.vocabSize, tok, 1)));
        });
      });
      assert.ok(maxErr < 1e-4, `log-prob difference ${maxErr}`);
    });
  }

  it('LoRA at its start (B = 0) gives the base model, and the base is never copied into the adapter', async () => {
    const c = tinyHfConfig('qwen3');
    const weights = randomHfWeights(c, 4);
    const tokens = [randomIds(new Rng(1), 20, c.vocabSize)];
    const lora = new HfPolicy(c, { base: weights, training: 'lora', lora: LORA, seed: 3, maxTextLen: 64, tokens: { pad: 0, eos: [] } });
    const full = new HfPolicy(c, { base: weights, training: 'full', maxTextLen: 64, tokens: { pad: 0, eos: [] } });
    const a = await lora.logprobs({ tokens });
    const b = await full.logprobs({ tokens });
    await Promise.all([lora.release(), full.release()]);
    a.logp[0]!.forEach((v, j) => assert.ok(Math.abs(v - b.logp[0]![j]!) < 1e-5, `position ${j}: ${v} vs ${b.logp[0]![j]}`));
    assert.ok([...lora.params.keys()].every((k) => k.includes('.lora_')));
  });

  for (const [arch, train] of [
    ['llama', 'full'],
    ['qwen2', 'lora'],
    ['qwen3', 'lora'],
    ['qwen3', 'full'],
  ] as const) {
    it(`${arch} ${train}: gradients of the SFT loss match central finite differences (float64)`, async () => {
      const c = tinyHfConfig(arch, { num_hidden_layers: 1, vocab_size: 23 });
      const rng = new Rng(11);
      const mode = { train, lora: train === 'lora' ? LORA : undefined };
      const g = buildHfGradGraph(c, mode, { kind: 'sft' }, 1, 'float64');
      const s = await EngineSession.create(toOnnxBytes(g), { threads: 1, label: 'hf gradcheck' });
      const values = new Map<string, Float64Array>();
      for (const [k, v] of randomHfWeights(c, 2)) values.set(k, Float64Array.from(v));
      if (mode.lora)
        for (const p of loraParamSpecs(c, mode.lora))
          values.set(
            p.name,
            Float64Array.from({ length: p.shape[0] * p.shape[1] }, () => 0.2 * rng.normal()),
          );
      const shapes = new Map([...hfParamSpecs(c), ...(mode.lora ? loraParamSpecs(c, mode.lora) : [])].map((p) => [p.name, p.shape]));
      const T = 7;
      const ids = randomIds(rng, T, c.vocabSize);
      const feeds = (): Record<string, HostTensor> => {
        const f: Record<string, HostTensor> = {
          ids: { dtype: 'int64', shape: [1, T], data: BigInt64Array.from(ids.map(BigInt)) },
          targets: { dtype: 'int64', shape: [1, T, 1], data: BigInt64Array.from([...ids.slice(1), 0].map(BigInt)) },
          temperature: { dtype: 'float64', shape: [], data: Float64Array.of(1) },
          mask: { dtype: 'float64', shape: [1, T], data: Float64Array.from({ length: T }, (_, j) => (j < T - 1 ? 1 : 0)) },
        };
        for (const [k, v] of values) f[k] = { dtype: 'float64', shape: shapes.get(k)!, data: v };
        return f;
      };
      const base = await s.run(feeds());
      const trainable = train === 'full' ? hfParamSpecs(c).map((p) => p.name) : loraParamSpecs(c, LORA).map((p) => p.name);
      let worst = 0;
      let checked = 0;
      let nonzero = 0;
      const h = 1e-6;
      for (const name of trainable) {
        const v = values.get(name)!;
        const analytic = base[FEED.grad(name)]!.data as Float64Array;
        for (let k = 0; k < 2; k++) {
          const j = Math.floor(rng.next() * v.length);
          const x = v[j]!;
          v[j] = x + h;
          const lp = (await s.run(feeds(), ['loss'])).loss!.data[0] as number;
          v[j] = x - h;
          const lm = (await s.run(feeds(), ['loss'])).loss!.data[0] as number;
          v[j] = x;
          const fd = (lp - lm) / (2 * h);
          if (Math.abs(fd) > 1e-6) nonzero++;
          worst = Math.max(worst, Math.abs(fd - analytic[j]!) / Math.max(1e-3, Math.abs(fd)));
          checked++;
        }
      }
      await s.release();
      assert.ok(worst < 1e-5, `worst relative error ${worst} over ${checked} elements`);
      // Every tensor's gradient is nonzero somewhere: a path the loss never reached would pass above trivially.
      assert.ok(nonzero > 0.8 * checked, `${nonzero} of ${checked} sampled gradients are nonzero`);
    });
  }

  it('SFT on one sequence drives its loss down (LoRA on a Qwen2-shaped model)', async () => {
    const c = tinyHfConfig('qwen2');
    const policy = new HfPolicy(c, { base: randomHfWeights(c, 9), training: 'lora', lora: { ...LORA, rank: 8 }, seed: 1, maxTextLen: 64, tokens: { pad: 0, eos: [] } });
    const tokens = [randomIds(new Rng(2), 16, c.vocabSize)];
    const lossMask = [Array.from({ length: 15 }, (_, j) => (j >= 4 ? 1 : 0))];
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) losses.push((await policy.trainStep({ tokens, lossMask, objective: { kind: 'sft' }, lr: 2e-2 })).loss);
    await policy.release();
    assert.ok(losses.at(-1)! < 0.5 * losses[0]!, `loss ${losses[0]} → ${losses.at(-1)}`);
  });

  it('full fine-tuning leaves the caller’s weights as handed in, or updates them in place when handed over, to the same values', async () => {
    const c = tinyHfConfig('llama');
    const tokens = [randomIds(new Rng(2), 16, c.vocabSize)];
    const step = async (handOverBase: boolean) => {
      const base = randomHfWeights(c, 5);
      const before = new Map([...base].map(([k, v]) => [k, v.slice()]));
      const policy = new HfPolicy(c, { base, handOverBase, training: 'full', maxTextLen: 64, tokens: { pad: 0, eos: [] } });
      await policy.trainStep({ tokens, lossMask: [Array.from({ length: 15 }, () => 1)], objective: { kind: 'sft' }, lr: 1e-2 });
      await policy.release();
      return { base, before, after: policy.params };
    };
    const kept = await step(false);
    const handed = await step(true);
    for (const [name, values] of kept.base) {
      assert.deepEqual(values, kept.before.get(name), `${name} changed in the caller's map`);
      assert.notEqual(kept.after.get(name), values);
      assert.equal(handed.after.get(name), handed.base.get(name), `${name} was copied though handed over`);
      assert.deepEqual(handed.after.get(name), kept.after.get(name), `${name} trained to other values`);
    }
    assert.ok(
      [...kept.after].some(([name, v]) => v.some((x, i) => x !== kept.before.get(name)![i])),
      'the step changed no weight',
    );
  });
});
