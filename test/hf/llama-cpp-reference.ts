// llama.cpp (through the npm package node-llama-cpp, CPU prebuilt binary) as the reference for the
// HF decoder family: the next-token probability vector at every position of a token sequence.
//
// Precision: the context's KV cache is F32 for keys and values (node-llama-cpp's
// experimentalKvCacheKeyType / experimentalKvCacheValueType; its default is F16, which would round
// every cached k and v to 11 bits) and flash attention is off. The sampler runs with temperature 0
// (greedy), which leaves the candidate list whole, so the probabilities node-llama-cpp returns are
// the softmax (computed in float32 by the addon) over all n_vocab logits; this module checks that.
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide llama.cpp instance (CPU only, never builds from source). */
export function getReferenceLlama(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    return getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  })();
  return llamaPromise;
}

/** Disposes the cached llama.cpp instance (tests call it in `after`). */
export async function disposeReferenceLlama(): Promise<void> {
  const p = llamaPromise;
  llamaPromise = undefined;
  if (p) await (await p).dispose();
}

async function withContext<T>(ggufPath: string, tokens: number, run: (model: LlamaModel, context: LlamaContext) => Promise<T>): Promise<T> {
  const llama = await getReferenceLlama();
  const model = await llama.loadModel({ modelPath: ggufPath, gpuLayers: 0, useMmap: false });
  try {
    const context = await model.createContext({
      contextSize: Math.max(256, tokens + 1),
      batchSize: Math.max(tokens, 1),
      sequences: 1,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
      threads: 2,
    });
    try {
      const { GgmlType } = await import('node-llama-cpp');
      if (context.kvCacheKeyType !== GgmlType.F32 || context.kvCacheValueType !== GgmlType.F32) {
        throw new Error(`llama.cpp reference: the KV cache is ${GgmlType[context.kvCacheKeyType]}/${GgmlType[context.kvCacheValueType]}, expected F32/F32`);
      }
      return await run(model, context);
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** n_vocab of a loaded model (the GGUF's token list). */
function vocabularySize(model: LlamaModel): number {
  const meta = model.fileInfo.metadata as unknown as { general: { architecture: string } } & Record<string, { vocab_size?: number }>;
  const n = meta[meta.general.architecture]?.vocab_size;
  if (typeof n !== 'number') throw new Error('llama.cpp reference: the GGUF has no {arch}.vocab_size');
  return n;
}

/**
 * For each position i of `tokenIds`, llama.cpp's probability of every vocabulary id being token
 * i + 1 (a dense Float32Array of n_vocab), evaluating the whole sequence in one batch from an empty
 * KV cache (no BOS is added).
 */
export async function llamaCppProbabilities(ggufPath: string, tokenIds: readonly number[]): Promise<Float32Array[]> {
  if (tokenIds.length === 0) return [];
  return withContext(ggufPath, tokenIds.length, async (model, context) => {
    const nVocab = vocabularySize(model);
    const sequence = context.getSequence();
    try {
      const out = await sequence.controlledEvaluate(
        tokenIds.map((t) => [t, { generateNext: { probabilities: true, options: { temperature: 0 } } }] as const) as never,
      );
      return tokenIds.map((_, i) => {
        const probs = out[i]?.next.probabilities;
        if (!probs) throw new Error(`llama.cpp reference: no probabilities at position ${i}`);
        if (probs.size !== nVocab) throw new Error(`llama.cpp reference: ${probs.size} probabilities at position ${i}, expected the whole vocabulary (${nVocab})`);
        const dense = new Float32Array(nVocab);
        for (const [token, p] of probs) dense[token] = p;
        return dense;
      });
    } finally {
      sequence.dispose();
    }
  });
}

/** Greedy decoding by llama.cpp: `steps` argmax tokens after `prompt` (stops early at end-of-generation). */
export async function llamaCppGreedy(ggufPath: string, prompt: readonly number[], steps: number): Promise<number[]> {
  if (prompt.length === 0) throw new Error('llama.cpp reference: greedy decoding needs a non-empty prompt');
  return withContext(ggufPath, prompt.length + steps, async (model, context) => {
    const sequence = context.getSequence();
    try {
      const generated: number[] = [];
      let input: number[] = [...prompt];
      for (let s = 0; s < steps; s++) {
        const items = input.map((t, i) => (i === input.length - 1 ? [t, { generateNext: { token: true, options: { temperature: 0 } } }] : t));
        const out = await sequence.controlledEvaluate(items as never);
        const next = out[input.length - 1]?.next.token;
        if (next === undefined || next === null) break;
        generated.push(next);
        if (model.isEogToken(next)) break;
        input = [next];
      }
      return generated;
    } finally {
      sequence.dispose();
    }
  });
}
