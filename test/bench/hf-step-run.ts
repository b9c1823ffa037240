// Child process of the HF bench: one StepGRPO step's work on a published model shape with random
// weights and LoRA — sampling P prompts × G chains of exactly `newTokens` tokens (EOS ignored, so the
// length is the one asked), the reference log-probs, and the LoRA update — with the phase split and
// this process's peak resident memory, as one JSON line. argv[2]: {shape, prompts, group, newTokens, promptTokens}.
import { HfPolicy } from '../../src/model/hf/hf-policy';
import { Rng } from '../../src/model/rng';
import { QWEN25_05B, SMOLLM2_135M, benchConfig, randomBase } from './hf-shapes';

interface Args {
  shape: 'smollm2-135m' | 'qwen2.5-0.5b';
  prompts: number;
  group: number;
  newTokens: number;
  promptTokens: number;
  /** Sequences per graph run of the log-prob and update passes (the runtime's default when absent). */
  microBatch?: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]!) as Args;
  const c = benchConfig(a.shape === 'smollm2-135m' ? SMOLLM2_135M : QWEN25_05B);
  const rng = new Rng(1);
  const base = randomBase(c, rng);
  const lora = { rank: 16, alpha: 32, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const };
  const policy = new HfPolicy(c, {
    base,
    training: 'lora',
    lora: { ...lora, targetModules: [...lora.targetModules] },
    maxTextLen: a.promptTokens + a.newTokens + 1,
    tokens: { pad: 0, eos: c.eosTokenIds },
    grpo: { beta: 0.04, epsLow: 0.2, epsHigh: 0.2, aggregation: 'sequence' },
    ...(a.microBatch ? { runtime: { microBatch: a.microBatch } } : {}),
  });
  const prompts = Array.from({ length: a.prompts }, () => Array.from({ length: a.promptTokens }, () => Math.floor(rng.next() * c.vocabSize)));
  const ids = prompts.flatMap((p) => Array<number[]>(a.group).fill(p));
  let t = performance.now();
  const sampled = await policy.sample({ prompts: ids, seeds: ids.map((_, i) => i), temperature: 1, maxNewTokens: a.newTokens, stopAtEos: false });
  const sample = (performance.now() - t) / 1000;
  const tokens = ids.map((p, i) => [...p, ...sampled.completions[i]!]);
  t = performance.now();
  const ref = await policy.logprobs({ tokens }, { temperature: 1 });
  const logprobs = (performance.now() - t) / 1000;
  t = performance.now();
  const lossMask = tokens.map((seq) => Array.from({ length: seq.length - 1 }, (_, j) => (j + 1 >= a.promptTokens ? 1 : 0)));
  const advantages = ids.map((_, i) => (i % 2 === 0 ? 1 : -1));
  const r = await policy.trainStep({ tokens, lossMask, lr: 1e-4, temperature: 1, objective: { kind: 'grpo', refLogp: ref.logp, advantages } });
  const update = (performance.now() - t) / 1000;
  await policy.release();
  const generated = sampled.completions.reduce((n, x) => n + x.length, 0);
  const params = [...base.values()].reduce((n, v) => n + v.length, 0);
  process.stdout.write(
    `${JSON.stringify({ sample, logprobs, update, step: sample + logprobs + update, generated, loss: r.loss, params, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
