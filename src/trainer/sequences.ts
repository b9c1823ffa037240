// How examples become token sequences: [prompt in the family's format…, solution…, EOS], with a loss mask that covers
// only what the model must produce (the solution and EOS). Per-token arrays follow the model's
// convention: entry j belongs to the prediction of tokens[j + 1].
import type { ChainCodec } from '../model/family';
import type { Example } from './data/example';

export interface EncodedPrompt {
  /** [BOS, prompt tokens…]: what sampling starts from. */
  ids: number[];
}

export function encodePrompt(tok: ChainCodec, example: Pick<Example, 'prompt'>): EncodedPrompt {
  return { ids: tok.promptIds(example.prompt) };
}

/** 1 for predictions of completion tokens (positions promptLen−1 … length−2), 0 for the prompt. */
export function completionMask(promptLen: number, totalLen: number): number[] {
  return Array.from({ length: totalLen - 1 }, (_, j) => (j + 1 >= promptLen ? 1 : 0));
}

export interface EncodedExample {
  tokens: number[];
  lossMask: number[];
}

/** A supervised sequence, truncated to maxLen (truncation drops EOS, so the model never learns to stop early). */
export function encodeSupervised(tok: ChainCodec, example: Pick<Example, 'prompt' | 'solution'>, maxLen: number): EncodedExample {
  const prompt = encodePrompt(tok, example).ids;
  const tokens = [...prompt, ...tok.completionIds(example.solution)].slice(0, maxLen);
  return { tokens, lossMask: completionMask(prompt.length, tokens.length) };
}
