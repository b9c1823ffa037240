// Child process of the HF bench: SFT train steps of a SmolLM2-135M-shaped decoder (random weights,
// tied embeddings; or Qwen2.5-0.5B's shape) on one micro-batch, fully fine-tuned or with LoRA; prints
// the steps' seconds and this process's peak resident memory as one JSON line. argv[2]: {training,
// sequences, length, memorySaving?, shape?, steps?} (memorySaving false: the one gradient graph;
// absent: the size rule; steps: 1 by default, the first step's figures are the ones reported);
// argv[3] is the checkout whose sources run (this one by default), so a baseline is measured alike.
import path from 'node:path';
import { Rng } from '../../src/model/rng';
import { QWEN25_05B, SMOLLM2_135M, benchConfig, randomBase } from './hf-shapes';

interface Args {
  training: 'full' | 'lora';
  sequences: number;
  length: number;
  memorySaving?: boolean;
  shape?: 'smollm2-135m' | 'qwen2.5-0.5b';
  steps?: number;
}

const LORA = { rank: 16, alpha: 32, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const };

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]!) as Args;
  const root = path.resolve(process.argv[3] ?? path.join(__dirname, '../..'));
  const { HfPolicy } = (await import(path.join(root, 'src/model/hf/hf-policy.ts'))) as typeof import('../../src/model/hf/hf-policy');
  const c = benchConfig(a.shape === 'qwen2.5-0.5b' ? QWEN25_05B : SMOLLM2_135M);
  const rng = new Rng(1);
  const policy = new HfPolicy(c, {
    base: randomBase(c, rng),
    // As the trainer does (policy-family.ts); a checkout whose HfPolicy predates the option ignores it.
    handOverBase: true,
    training: a.training,
    ...(a.training === 'lora' ? { lora: { ...LORA, targetModules: [...LORA.targetModules] } } : {}),
    maxTextLen: a.length,
    tokens: { pad: 0, eos: c.eosTokenIds },
    runtime: { microBatch: a.sequences, ...(a.memorySaving === undefined ? {} : { memorySaving: a.memorySaving }) },
  });
  const tokens = Array.from({ length: a.sequences }, () => Array.from({ length: a.length }, () => Math.floor(rng.next() * c.vocabSize)));
  const step = async (): Promise<{ seconds: number; loss: number; gradNorm: number }> => {
    const t0 = performance.now();
    const r = await policy.trainStep({ tokens, lossMask: tokens.map((t) => t.slice(1).map(() => 1)), lr: 1e-4, objective: { kind: 'sft' } });
    return { seconds: (performance.now() - t0) / 1e3, loss: r.loss, gradNorm: r.gradNorm };
  };
  const first = await step();
  const later: number[] = [];
  for (let k = 1; k < (a.steps ?? 1); k++) later.push((await step()).seconds);
  await policy.release();
  // maxRSS is in kilobytes.
  process.stdout.write(`${JSON.stringify({ ...first, laterSeconds: later, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
