// generation_config.json: the end-of-sequence ids a model stops at (often more than config.json's,
// e.g. an instruct model's end-of-turn token) and the sampling values its authors recommend.
// Pure: the caller reads the file.
import { HfConfigError, type HfDecoderConfig } from './config';

export interface HfGenerationConfig {
  eosTokenIds: number[];
  /** null where the file leaves a value out (or sets it to null). */
  temperature: number | null;
  topP: number | null;
  /** 0 means no top-k filtering, as in transformers. */
  topK: number | null;
  /** 1 means none, as in transformers. */
  repetitionPenalty: number | null;
  doSample: boolean | null;
}

/** Sampling defaults a run may start from: only the values the model's files set. */
export interface HfGenerationDefaults {
  temperature?: number;
  topP?: number;
  topK?: number;
  repetitionPenalty?: number;
}

type Json = Record<string, unknown>;

/** Reads generation_config.json's object; `source` names the file in errors. */
export function parseGenerationConfig(json: unknown, source = 'generation_config.json'): HfGenerationConfig {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new HfConfigError(source, '(root)', 'expected a JSON object');
  const o = json as Json;
  const fail = (field: string, message: string): never => {
    throw new HfConfigError(source, field, message);
  };
  const present = (field: string): unknown => (o[field] === undefined || o[field] === null ? undefined : o[field]);

  const eos = present('eos_token_id');
  const eosTokenIds = eos === undefined ? [] : Array.isArray(eos) ? eos : [eos];
  if (!eosTokenIds.every((t) => Number.isInteger(t) && (t as number) >= 0)) fail('eos_token_id', `must be a token id or a list of ids, got ${JSON.stringify(eos)}`);

  const temperature = present('temperature');
  if (temperature !== undefined && !(typeof temperature === 'number' && Number.isFinite(temperature) && temperature > 0)) {
    fail('temperature', `must be a number > 0, got ${JSON.stringify(temperature)}`);
  }
  const topP = present('top_p');
  if (topP !== undefined && !(typeof topP === 'number' && topP > 0 && topP <= 1)) fail('top_p', `must be a number in (0, 1], got ${JSON.stringify(topP)}`);
  const topK = present('top_k');
  if (topK !== undefined && !(Number.isInteger(topK) && (topK as number) >= 0)) fail('top_k', `must be an integer ≥ 0, got ${JSON.stringify(topK)}`);
  const repetitionPenalty = present('repetition_penalty');
  if (repetitionPenalty !== undefined && !(typeof repetitionPenalty === 'number' && Number.isFinite(repetitionPenalty) && repetitionPenalty > 0)) {
    fail('repetition_penalty', `must be a number > 0, got ${JSON.stringify(repetitionPenalty)}`);
  }
  const doSample = present('do_sample');
  if (doSample !== undefined && typeof doSample !== 'boolean') fail('do_sample', `must be true or false, got ${JSON.stringify(doSample)}`);

  return {
    eosTokenIds: [...new Set(eosTokenIds as number[])],
    temperature: (temperature as number | undefined) ?? null,
    topP: (topP as number | undefined) ?? null,
    topK: (topK as number | undefined) ?? null,
    repetitionPenalty: (repetitionPenalty as number | undefined) ?? null,
    doSample: (doSample as boolean | undefined) ?? null,
  };
}

/** config.json's end-of-sequence ids, then generation_config.json's that it lacks: sampling stops at any of them. */
export function endOfSequenceIds(config: Pick<HfDecoderConfig, 'eosTokenIds'>, generation: Pick<HfGenerationConfig, 'eosTokenIds'> | null): number[] {
  return [...new Set([...config.eosTokenIds, ...(generation?.eosTokenIds ?? [])])];
}

/** The sampling values generation_config.json sets (none when there is no file). */
export function generationDefaults(generation: HfGenerationConfig | null): HfGenerationDefaults {
  const out: HfGenerationDefaults = {};
  if (generation?.temperature != null) out.temperature = generation.temperature;
  if (generation?.topP != null) out.topP = generation.topP;
  if (generation?.topK != null) out.topK = generation.topK;
  if (generation?.repetitionPenalty != null) out.repetitionPenalty = generation.repetitionPenalty;
  return out;
}
