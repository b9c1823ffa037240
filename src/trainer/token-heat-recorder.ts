// Records the token heat (core/token-heat.ts) of a bounded number of each step's samples: whole
// groups from the first, up to TOKEN_HEAT_SAMPLES. Log-prob and entropy come from one log-prob pass
// of the policy that sampled them (run before the update changes it), on those samples only; the
// advantage is the one each token was trained with (per token for `advantage: "step"`).
import type { ChainCodec, PolicyRuntime } from '../model/family';
import { encodeTokenHeat, type TokenHeat } from '../core/token-heat';
import type { Rollout } from './rollout';

/** Samples per step that carry token heat: bounded, so the run directory grows by little (bench `token-heat`). */
export const TOKEN_HEAT_SAMPLES = 16;

export interface RecordedHeat {
  /** Sequence index in the rollout → its heat. */
  heat: Map<number, TokenHeat>;
  seconds: number;
}

/** Which sequences carry heat: whole groups from the first, at most `limit` sequences (at least one group). */
export function heatSequences(groups: number, groupSize: number, limit = TOKEN_HEAT_SAMPLES): number[] {
  const take = Math.min(groups, Math.max(1, Math.floor(limit / groupSize))) * groupSize;
  return Array.from({ length: take }, (_, i) => i);
}

/** UTF-16 length each token adds to the chain text (never negative: a token that completes a character may add it late). */
export function tokenLengths(codec: ChainCodec, ids: readonly number[]): number[] {
  const lengths: number[] = [];
  let before = 0;
  for (let k = 1; k <= ids.length; k++) {
    const now = Math.max(before, codec.chainText(ids.slice(0, k)).length);
    lengths.push(now - before);
    before = now;
  }
  return lengths;
}

/**
 * `advantages`: one per sequence, or per predicted token of [prompt…, completion…] (as the update
 * takes them). Must run before the update: the log-probs are those of the sampling policy.
 */
export async function recordTokenHeat(
  policy: PolicyRuntime,
  codec: ChainCodec,
  r: Rollout,
  advantages: readonly number[] | readonly (readonly number[])[],
  temperature: number,
): Promise<RecordedHeat> {
  const started = performance.now();
  const picked = heatSequences(r.examples.length, r.groupSize);
  const { logp, entropy } = await policy.logprobs(
    { images: picked.map((i) => r.images[i]!), tokens: picked.map((i) => [...r.prompts[i]!, ...r.completions[i]!]) },
    { temperature: temperature > 0 ? temperature : 1 },
  );
  const heat = new Map<number, TokenHeat>();
  picked.forEach((i, b) => {
    const prompt = r.prompts[i]!.length;
    const completion = r.completions[i]!;
    // logp[b][j] is the prediction of token j + 1: completion token k sits at j = prompt + k − 1.
    const at = (series: readonly number[]) => completion.map((_, k) => series[prompt + k - 1] ?? 0);
    const perToken = advantages[i]!;
    heat.set(
      i,
      encodeTokenHeat({
        lengths: tokenLengths(codec, completion),
        logp: at(logp[b]!),
        entropy: at(entropy[b]!),
        advantage: typeof perToken === 'number' ? completion.map(() => perToken) : at(perToken),
      }),
    );
  });
  return { heat, seconds: (performance.now() - started) / 1000 };
}
