// The llama.cpp reference harness on tiny synthetic HF checkpoints (llama, qwen2, qwen3): the GGUF
// loads and gives proper distributions; with every o_proj and down_proj zero the logits are
// analytic (lm_head · RMSNorm(embedding) · norm weight) and llama.cpp matches them; attention
// works; the `llama` q/k permutation is right (llama ≡ qwen2 on the same weights); the safetensors
// side reads back in both layouts and dtypes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HfArchitecture } from '../../../src/model/hf/config';
import { readSafetensorsModel } from '../../../src/trainer/safetensors-files';
import { bf16ToF32 } from '../../../src/engine';
import { LlamaCppReference, disposeReferenceLlama, llamaCppProbabilities } from '../../hf/llama-cpp-reference';
import { type TinyHfCheckpoint, type TinyHfOptions, tokenizerIdCount, writeTinyHfCheckpoint } from '../../hf/tiny-checkpoint';

// Ordinary ids, an added special token (<|endoftext|>) and one from the padded tail past the tokenizer.
const TOKENS = [9707, 11, 1879, 0, 151643, 37, 100000, 151900];

const ARCH_OPTIONS: Record<HfArchitecture, Omit<TinyHfOptions, 'architecture'>> = {
  // SmolLM2-shaped, plus every optional bias so they are exercised (and permuted, for q and k).
  llama: { tie: true, attentionBias: true, mlpBias: true, seed: 11 },
  qwen2: { tie: false, seed: 12 },
  // head_dim 32 ≠ hidden / heads = 16, as real Qwen3 models do (128 vs 64 for Qwen3-0.6B).
  qwen3: { tie: true, headDim: 32, seed: 13 },
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Max |log a - log b|: the logit difference up to a per-position constant, which small probabilities hide. */
function maxAbsLogDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) m = Math.max(m, Math.abs(Math.log(a[i]!) - Math.log(b[i]!)));
  return m;
}

/** Next-token probabilities when the residual stream is the embedding: softmax(W_out · RMSNorm(e) ⊙ g), float64. */
function analyticProbabilities(ck: TinyHfCheckpoint, token: number): Float64Array {
  const c = ck.config;
  const D = c.hiddenSize;
  const embed = ck.weights.get('model.embed_tokens.weight')!;
  const g = ck.weights.get('model.norm.weight')!;
  const out = c.tieWordEmbeddings ? embed : ck.weights.get('lm_head.weight')!;
  let ms = 0;
  for (let j = 0; j < D; j++) ms += embed[token * D + j]! ** 2;
  const inv = 1 / Math.sqrt(ms / D + c.rmsNormEps);
  const h = new Float64Array(D);
  for (let j = 0; j < D; j++) h[j] = embed[token * D + j]! * inv * g[j]!;
  const logits = new Float64Array(c.vocabSize);
  let max = -Infinity;
  for (let v = 0; v < c.vocabSize; v++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += out[v * D + j]! * h[j]!;
    logits[v] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let v = 0; v < c.vocabSize; v++) sum += logits[v] = Math.exp(logits[v]! - max);
  for (let v = 0; v < c.vocabSize; v++) logits[v]! /= sum;
  return logits;
}

describe('llama.cpp reference on tiny HF checkpoints', { concurrency: 1 }, () => {
  let root = '';
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepgrpo-hf-llamacpp-'));
  });
  after(async () => {
    await disposeReferenceLlama();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the tokenizer has fewer ids than vocab_size, so the GGUF vocabulary is padded', () => {
    const n = tokenizerIdCount();
    assert.equal(n, 151669);
    assert.ok(n < 151936);
  });

  for (const architecture of ['llama', 'qwen2', 'qwen3'] as const) {
    test(`${architecture}: probabilities are finite, sum to 1, and depend on earlier tokens`, async () => {
      const ck = writeTinyHfCheckpoint(path.join(root, `${architecture}-random`), { architecture, ...ARCH_OPTIONS[architecture], gguf: true });
      const ref = await LlamaCppReference.open(ck.ggufPath!);
      try {
        assert.equal(ref.vocabSize, 151936);
        const raw = await ref.probabilities(TOKENS, { renormalize: false });
        const probs = await ref.probabilities(TOKENS);
        assert.equal(probs.length, TOKENS.length);
        for (const [i, p] of probs.entries()) {
          assert.equal(p.length, 151936);
          let sum = 0;
          let rawSum = 0;
          for (let k = 0; k < p.length; k++) {
            assert.ok(Number.isFinite(p[k]!) && p[k]! >= 0, `position ${i} token ${k}: ${p[k]}`);
            sum += p[k]!;
            rawSum += raw[i]![k]!;
          }
          assert.ok(Math.abs(sum - 1) < 1e-5, `position ${i}: sum ${sum}`);
          // node-llama-cpp's own float32 normalisation: close to 1, not exact.
          assert.ok(Math.abs(rawSum - 1) < 5e-3, `position ${i}: raw sum ${rawSum}`);
        }
        // Deterministic: the same sequence again gives the same numbers.
        assert.deepEqual(await ref.probabilities(TOKENS), probs);
        // Attention: position 1 sees token 0.
        const other = await ref.probabilities([TOKENS[2]!, TOKENS[1]!]);
        const diff = maxAbsLogDiff(probs[1]!, other[1]!);
        console.log(`# ${architecture}: position 1 after another token 0: max abs log-probability change ${diff.toExponential(2)}`);
        assert.ok(diff > 1e-2, `position 1 does not depend on token 0 (max abs log-probability change ${diff})`);
        // …and position 0 sees nothing else: a prefix evaluates to the same first distribution.
        assert.ok(maxAbsDiff((await ref.probabilities([TOKENS[0]!]))[0]!, probs[0]!) < 1e-6);
      } finally {
        await ref.dispose();
      }
    });

    test(`${architecture}: with o_proj and down_proj zero, llama.cpp matches the analytic logits to 1e-4`, async () => {
      const ck = writeTinyHfCheckpoint(path.join(root, `${architecture}-analytic`), {
        architecture,
        ...ARCH_OPTIONS[architecture],
        zeroOutputProjections: true,
        gguf: true,
      });
      const probs = await llamaCppProbabilities(ck.ggufPath!, TOKENS);
      let worst = 0;
      let worstLog = 0;
      for (const [i, t] of TOKENS.entries()) {
        const expected = analyticProbabilities(ck, t);
        worst = Math.max(worst, maxAbsDiff(probs[i]!, expected));
        worstLog = Math.max(worstLog, maxAbsLogDiff(probs[i]!, expected));
      }
      console.log(`# ${architecture}: analytic check, max abs difference: probabilities ${worst.toExponential(2)}, log-probabilities ${worstLog.toExponential(2)}`);
      assert.ok(worst < 1e-4, `max abs difference ${worst}`);
    });
  }

  test('llama (q/k permuted, interleaved rope) equals qwen2 (NEOX rope) on the same weights', async () => {
    // Qwen2 is Llama with q/k/v biases and no o bias, so a llama with attention_bias whose o bias is
    // zero is the same HF model as a qwen2: llama.cpp agrees only if the converter's permutation is right.
    // Larger q/k weights than the default make the attention pattern (and so the rope) matter.
    const LINEAR_STD = 0.3;
    const zeroOBias = (name: string, d: Float32Array): void => {
      if (name.endsWith('o_proj.bias')) d.fill(0);
    };
    const llama = writeTinyHfCheckpoint(path.join(root, 'perm-llama'), {
      architecture: 'llama',
      attentionBias: true,
      tie: true,
      seed: 21,
      linearStd: LINEAR_STD,
      edit: zeroOBias,
      gguf: true,
    });
    const qwen2 = writeTinyHfCheckpoint(path.join(root, 'perm-qwen2'), {
      architecture: 'qwen2',
      tie: true,
      seed: 22,
      linearStd: LINEAR_STD,
      edit: (name, d) => d.set(llama.weights.get(name)!),
      gguf: true,
    });
    const refA = await LlamaCppReference.open(llama.ggufPath!);
    const refB = await LlamaCppReference.open(qwen2.ggufPath!);
    try {
      const a = await refA.probabilities(TOKENS);
      const b = await refB.probabilities(TOKENS);
      let worst = 0;
      for (let i = 0; i < TOKENS.length; i++) worst = Math.max(worst, maxAbsLogDiff(a[i]!, b[i]!));
      console.log(`# llama vs qwen2 on the same weights: max abs log-probability difference ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `max abs log-probability difference ${worst}`);
      // Greedy decoding agrees too, and its first token is the argmax of the probabilities.
      const prompt = TOKENS.slice(0, 3);
      const ga = await refA.greedy(prompt, 4);
      assert.ok(ga.length >= 1 && ga.length <= 4);
      assert.deepEqual(await refB.greedy(prompt, 4), ga);
      const p2 = a[2]!;
      let argmax = 0;
      for (let k = 1; k < p2.length; k++) if (p2[k]! > p2[argmax]!) argmax = k;
      assert.equal(ga[0], argmax);
    } finally {
      await refA.dispose();
      await refB.dispose();
    }
  });

  test('the safetensors side reads back: sharded BF16 with an index, and single F32', () => {
    const sharded = writeTinyHfCheckpoint(path.join(root, 'sharded'), { architecture: 'qwen3', dtype: 'BF16', shards: 3, seed: 5 });
    const files = fs.readdirSync(sharded.dir).sort();
    assert.deepEqual(files, [
      'config.json',
      'generation_config.json',
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const model = readSafetensorsModel(sharded.dir);
    assert.equal(model.tensors.size, sharded.weights.size);
    for (const [name, w] of sharded.weights) {
      const t = model.tensors.get(name)!;
      assert.equal(t.dtype, 'BF16');
      assert.deepEqual(t.shape, sharded.shapes.get(name));
      assert.deepEqual(bf16ToF32(t.data as Uint16Array), w, name);
    }
    const config = JSON.parse(fs.readFileSync(path.join(sharded.dir, 'config.json'), 'utf8'));
    assert.equal(config.torch_dtype, 'bfloat16');
    assert.equal(config.head_dim, 16);

    const single = writeTinyHfCheckpoint(path.join(root, 'single'), { architecture: 'llama', seed: 6, layers: 1 });
    const m = readSafetensorsModel(single.dir);
    for (const [name, w] of single.weights) assert.deepEqual(m.tensors.get(name)!.data, w, name);
    assert.ok(fs.existsSync(path.join(single.dir, 'model.safetensors')));
  });
});
