// The HF decoder family against llama.cpp (node-llama-cpp), an implementation this project did not
// write: tiny random checkpoints of each architecture are written as HF folders and as GGUF, loaded
// by our loader (config.json, safetensors, tokenizer) and by llama.cpp, and the next-token
// distributions of the same token ids are compared over the whole vocabulary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { HfPolicy } from '../../../src/model/hf/hf-policy';
import { EngineSession, type HostTensor, toOnnxBytes } from '../../../src/engine';
import { type HfDecoderConfig, hfParamSpecs } from '../../../src/model/hf/config';
import { buildHfLogitsGraph } from '../../../src/model/hf/graphs';
import { loadHfFolder } from '../../../src/trainer/hf-folder';
import { loadHfWeights } from '../../../src/trainer/hf-weights';
import { LlamaCppReference, disposeReferenceLlama } from '../../hf/llama-cpp-reference';
import { type TinyHfOptions, writeTinyHfCheckpoint } from '../../hf/tiny-checkpoint';

const CASES: { name: string; options: TinyHfOptions }[] = [
  { name: 'llama (SmolLM2-shaped: tied, GQA, attention and MLP biases)', options: { architecture: 'llama', tie: true, attentionBias: true, mlpBias: true, seed: 1 } },
  { name: 'qwen2 (untied, q/k/v biases, sharded BF16)', options: { architecture: 'qwen2', tie: false, seed: 2, dtype: 'BF16', shards: 2 } },
  { name: 'qwen3 (q/k norms, head_dim ≠ hidden/heads)', options: { architecture: 'qwen3', tie: true, headDim: 32, seed: 3 } },
];

const dirs: string[] = [];
after(async () => {
  await disposeReferenceLlama();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** log softmax of our logits graph at every position of `ids`, in float64. */
async function ourLogprobs(config: HfDecoderConfig, base: Map<string, Float32Array>, ids: number[]): Promise<Float64Array[]> {
  const s = await EngineSession.create(toOnnxBytes(buildHfLogitsGraph(config, { train: 'none' })), { threads: 2, label: 'hf parity' });
  const feeds: Record<string, HostTensor> = { ids: { dtype: 'int64', shape: [1, ids.length], data: BigInt64Array.from(ids.map(BigInt)) } };
  for (const p of hfParamSpecs(config)) feeds[p.name] = { dtype: 'float32', shape: p.shape, data: base.get(p.name)! };
  const logits = (await s.run(feeds)).logits!.data as Float32Array;
  await s.release();
  const V = config.vocabSize;
  return ids.map((_, j) => {
    const row = logits.subarray(j * V, (j + 1) * V);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    const lse = max + Math.log(sum);
    return Float64Array.from(row, (x) => x - lse);
  });
}

describe('HF decoder = llama.cpp on the same checkpoint', () => {
  for (const { name, options } of CASES) {
    it(name, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hf-parity-${options.architecture}-`));
      dirs.push(dir);
      const ckpt = writeTinyHfCheckpoint(dir, { ...options, gguf: true });
      const folder = loadHfFolder(dir);
      const base = loadHfWeights(dir, folder.config);
      const V = folder.config.vocabSize;
      const policy = new HfPolicy(folder.config, { base, training: 'full', maxTextLen: 64, tokens: { pad: 0, eos: folder.eosTokenIds }, runtime: { microBatch: 1 } });
      const ids = folder.tokenizer.encode('### Step 1: 3 red circles and 2 blue squares make 5 shapes.', { addSpecialTokens: false }).slice(0, 6);
      const ref = await LlamaCppReference.open(ckpt.ggufPath!);
      try {
        const theirs = await ref.probabilities(ids);
        const ours = await ourLogprobs(folder.config, base, ids);
        // The runtime's own token log-prob path (chunked head) for the tokens that follow.
        const path = (await policy.logprobs({ tokens: [ids] })).logp[0]!;
        const pathErr = Math.max(...path.map((lp, j) => Math.abs(lp - Math.log(theirs[j]![ids[j + 1]!]!))));
        let maxProb = 0;
        let maxLogp = 0;
        ours.forEach((lp, j) => {
          for (let v = 0; v < V; v++) {
            const p = theirs[j]![v]!;
            maxProb = Math.max(maxProb, Math.abs(Math.exp(lp[v]!) - p));
            if (p > 1e-7) maxLogp = Math.max(maxLogp, Math.abs(lp[v]! - Math.log(p)));
          }
        });
        // The whole sequence's greedy continuation through the KV-cache sampler equals llama.cpp's.
        const greedy = await policy.sample({ prompts: [ids], seeds: [0], temperature: 0, maxNewTokens: 8, stopAtEos: false });
        const theirGreedy = await ref.greedy(ids, 8);
        console.log(
          `${options.architecture}: max |Δp| ${maxProb.toExponential(2)}, max |Δ log p| ${maxLogp.toExponential(2)} over ${ours.length} positions × ${V} tokens; log-prob path ${pathErr.toExponential(2)}`,
        );
        assert.ok(maxProb < 1e-4, `max |Δp| ${maxProb}`);
        assert.ok(maxLogp < 1e-3, `max |Δ log p| ${maxLogp}`);
        assert.ok(pathErr < 1e-4, `token log-prob path |Δ| ${pathErr}`);
        assert.deepEqual(greedy.completions[0]!.slice(0, theirGreedy.length), theirGreedy);
      } finally {
        await ref.dispose();
        await policy.release();
      }
    });
  }
});
