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

/** n_vocab of a loaded model ({arch}.vocab_size, which the GGUF writer always writes). */
function vocabularySize(model: LlamaModel): number {
  const meta = model.fileInfo.metadata as unknown as { general: { architecture: string } } & Record<string, { vocab_size?: number }>;
  const n = meta[meta.general.architecture]?.vocab_size;
  if (typeof n !== 'number') throw new Error('llama.cpp reference: the GGUF has no {arch}.vocab_size');
  return n;
}

export interface ProbabilityOptions {
  /**
   * Divide by the float64 sum of what node-llama-cpp returns (default true). The addon normalises
   * with a float32 running sum over the whole vocabulary, which is off by a few 1e-4 relative at
   * 150k tokens; each exp(logit - max) is exact to float32 rounding, so renormalising recovers the
   * softmax to ~1e-7 relative.
   */
  renormalize?: boolean;
}

/** A GGUF loaded once into llama.cpp; each evaluation runs in a fresh context (empty KV cache). */
export class LlamaCppReference {
  readonly vocabSize: number;

  private constructor(private readonly model: LlamaModel) {
    this.vocabSize = vocabularySize(model);
  }

  static async open(ggufPath: string): Promise<LlamaCppReference> {
    const llama = await getReferenceLlama();
    const model = await llama.loadModel({ modelPath: ggufPath, gpuLayers: 0, useMmap: false });
    return new LlamaCppReference(model);
  }

  private async withContext<T>(tokens: number, run: (context: LlamaContext) => Promise<T>): Promise<T> {
    const context = await this.model.createContext({
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
      return await run(context);
    } finally {
      await context.dispose();
    }
  }

  /**
   * For each position i of `tokenIds`, llama.cpp's probability of every vocabulary id being token
   * i + 1 (dense, n_vocab long), the whole sequence evaluated in one batch from an empty KV cache
   * (no BOS is added).
   */
  async probabilities(tokenIds: readonly number[], options: ProbabilityOptions = {}): Promise<Float32Array[]> {
    if (tokenIds.length === 0) return [];
    const nVocab = this.vocabSize;
    return this.withContext(tokenIds.length, async (context) => {
      const sequence = context.getSequence();
      try {
        const input = tokenIds.map((t) => [t, { generateNext: { probabilities: true, options: { temperature: 0 } } }] as [number, object]);
        const out = await sequence.controlledEvaluate(input as never);
        return tokenIds.map((_, i) => {
          const probs = out[i]?.next.probabilities;
          if (!probs) throw new Error(`llama.cpp reference: no probabilities at position ${i}`);
          if (probs.size !== nVocab) throw new Error(`llama.cpp reference: ${probs.size} probabilities at position ${i}, expected the whole vocabulary (${nVocab})`);
          const dense = new Float64Array(nVocab);
          for (const [token, p] of probs) dense[token] = p;
          if (options.renormalize ?? true) {
            let sum = 0;
            for (let k = 0; k < nVocab; k++) sum += dense[k]!;
            for (let k = 0; k < nVocab; k++) dense[k]! /= sum;
          }
          return Float32Array.from(dense);
        });
      } finally {
        sequence.dispose();
      }
    });
  }

  /** Greedy decoding: up to `steps` argmax tokens after `prompt` (stops after an end-of-generation token). */
  async greedy(prompt: readonly number[], steps: number): Promise<number[]> {
    if (prompt.length === 0) throw new Error('llama.cpp reference: greedy decoding needs a non-empty prompt');
    return this.withContext(prompt.length + steps, async (context) => {
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
          if (this.model.isEogToken(next)) break;
          input = [next];
        }
        return generated;
      } finally {
        sequence.dispose();
      }
    });
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

async function withReference<T>(ggufPath: string, run: (ref: LlamaCppReference) => Promise<T>): Promise<T> {
  const ref = await LlamaCppReference.open(ggufPath);
  try {
    return await run(ref);
  } finally {
    await ref.dispose();
  }
}

/**
 * For each position i of `tokenIds`, llama.cpp's probability of every vocabulary id being token
 * i + 1 (a dense Float32Array of n_vocab), evaluating the whole sequence in one batch from an empty
 * KV cache (no BOS is added). Loads and disposes the model; use LlamaCppReference for several calls.
 */
export function llamaCppProbabilities(ggufPath: string, tokenIds: number[], options?: ProbabilityOptions): Promise<Float32Array[]> {
  return withReference(ggufPath, (ref) => ref.probabilities(tokenIds, options));
}

/** Greedy decoding by llama.cpp: up to `steps` argmax tokens after `prompt` (stops after end-of-generation). */
export function llamaCppGreedy(ggufPath: string, prompt: number[], steps: number): Promise<number[]> {
  return withReference(ggufPath, (ref) => ref.greedy(prompt, steps));
}
