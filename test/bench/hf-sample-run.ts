// Child process of the HF bench: sampling speed on a SmolLM2-135M-shaped model (random F32 weights)
// against llama.cpp (node-llama-cpp, CPU) on the same weights written as GGUF, one sequence and a
// batch of 16, the same prompt length and number of new tokens; plus the weight-streaming floor
// (one pass reading every weight, all threads) that bounds one sequence's decode speed. One JSON line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineSession, Graph, type HostTensor, reduceSum, toOnnxBytes } from '../../src/engine';
import { hfParamSpecs } from '../../src/model/hf/config';
import { HfPolicy } from '../../src/model/hf/hf-policy';
import { Rng } from '../../src/model/rng';
import { hfDecoderToGguf } from '../hf/gguf-writer';
import { SMOLLM2_135M, benchConfig } from './hf-shapes';
import { median } from './bench-section';

const PROMPT = 64;
const NEW = 128;
const BATCH = 16;

async function main(): Promise<void> {
  const c = benchConfig(SMOLLM2_135M);
  const rng = new Rng(3);
  const specs = hfParamSpecs(c);
  const base = new Map(
    specs.map((s) => {
      const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) data[i] = s.name.endsWith('norm.weight') ? 1 : 0.04 * (rng.next() - 0.5);
      return [s.name, data];
    }),
  );
  const prompts = Array.from({ length: BATCH }, () => Array.from({ length: PROMPT }, () => 3 + Math.floor(rng.next() * 40000)));

  // The floor: every weight read once per token.
  const g = new Graph('float32', 'stream');
  const sums = specs.map((s) => reduceSum(g.input(s.name, s.shape), [...s.shape.keys()]));
  sums.forEach((t, i) => g.output(`s${i}`, t));
  const stream = await EngineSession.create(toOnnxBytes(g), { threads: 0, label: 'stream' });
  const feeds: Record<string, HostTensor> = {};
  for (const s of specs) feeds[s.name] = { dtype: 'float32', shape: s.shape, data: base.get(s.name)! };
  const passes: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t = performance.now();
    await stream.run(feeds);
    passes.push((performance.now() - t) / 1000);
  }
  await stream.release();
  const weightBytes = [...base.values()].reduce((n, v) => n + v.byteLength, 0);
  const floorPass = median(passes.slice(2));

  // Ours: the trainer's sampler (KV cache), greedy so both sides do the same work per token.
  const policy = new HfPolicy(c, { base, training: 'lora', lora: { rank: 1, alpha: 1, targetModules: ['q_proj'] }, maxTextLen: PROMPT + NEW + 1, tokens: { pad: 0, eos: [] } });
  const ours = async (n: number): Promise<number> => {
    const ps = prompts.slice(0, n);
    await policy.sample({ prompts: ps, seeds: ps.map((_, i) => i), temperature: 0, maxNewTokens: 4, stopAtEos: false });
    const t = performance.now();
    await policy.sample({ prompts: ps, seeds: ps.map((_, i) => i), temperature: 0, maxNewTokens: NEW, stopAtEos: false });
    return (n * NEW) / ((performance.now() - t) / 1000);
  };
  const ours1 = await ours(1);
  const ours16 = await ours(BATCH);
  await policy.release();

  // llama.cpp on the same weights.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-bench-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const gguf = path.join(dir, 'smollm2-135m-f32.gguf');
  const vocab: Record<string, number> = {};
  // A byte-level vocabulary is all llama.cpp needs to load the file; generation works on ids.
  for (let b = 0; b < 256; b++) vocab[String.fromCharCode(b + 256)] = b + 3;
  const tensors = new Map(specs.map((s) => [s.name, { shape: s.shape, data: base.get(s.name)! }]));
  const writer = hfDecoderToGguf({
    config: c,
    tensors,
    tokenizer: {
      tokenizerJson: {
        model: { type: 'BPE', vocab, merges: [] },
        added_tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'].map((content, id) => ({ id, content, special: true })),
      },
    },
    pre: 'smollm',
    bosTokenId: 1,
    eosTokenId: 2,
  });
  writer.writeFile(gguf);
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const model = await llama.loadModel({ modelPath: gguf, gpuLayers: 0 });
  // llama.cpp's threads spin at barriers: with a core busy elsewhere, fewer threads can be faster, so both counts are measured and the better one is kept.
  const theirs = async (n: number, threads: number): Promise<number> => {
    const context = await model.createContext({ contextSize: n * (PROMPT + NEW + 8), sequences: n, threads, batchSize: n * PROMPT });
    const sequences = Array.from({ length: n }, () => context.getSequence());
    const run = async (take: number): Promise<void> => {
      await Promise.all(
        sequences.map(async (seq, i) => {
          await seq.clearHistory();
          let k = 0;
          for await (const _ of seq.evaluate(prompts[i]! as never[], { temperature: 0 })) if (++k >= take) break;
        }),
      );
    };
    await run(4);
    const t = performance.now();
    await run(NEW);
    const perS = (n * NEW) / ((performance.now() - t) / 1000);
    await context.dispose();
    return perS;
  };
  const threadCounts = [...new Set([1, os.availableParallelism()])];
  const byThreads: Record<string, number> = {};
  for (const t of threadCounts) {
    byThreads[`1@${t}`] = await theirs(1, t);
    byThreads[`16@${t}`] = await theirs(BATCH, t);
  }
  const llama1 = Math.max(...threadCounts.map((t) => byThreads[`1@${t}`]!));
  const llama16 = Math.max(...threadCounts.map((t) => byThreads[`16@${t}`]!));
  await model.dispose();
  await llama.dispose();
  process.stdout.write(
    `${JSON.stringify({ weightBytes, floorPassS: floorPass, floorTokensPerS: 1 / floorPass, ours1, ours16, llama1, llama16, llamaByThreads: byThreads, prompt: PROMPT, newTokens: NEW, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
