// Child process of the trainer bench: one SFT train step of a random policy as wide as a small real
// model (150 k vocabulary, d = 576, 4 layers, SmolLM2-like width) on one micro-batch of 8 × 384
// tokens; prints the step's seconds and this process's peak resident memory as one JSON line.
// argv[2] is the checkout whose sources run (this one by default), so a baseline is measured alike;
// argv[3] = 'no-arena' turns ORT's memory arena off (a baseline checkout ignores it).
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? path.join(__dirname, '../..'));
export const BIG_VOCAB = { vocabSize: 150_000, dModel: 576, nLayers: 4, nHeads: 9, dFF: 1536, maxTextLen: 384, image: { channels: 3, size: 16, patchSize: 16 } };
const SEQUENCES = 8;

async function main(): Promise<void> {
  const { createPolicySessions } = (await import(path.join(root, 'src/model/policy.ts'))) as typeof import('../../src/model/policy');
  const c = BIG_VOCAB;
  const policy = await createPolicySessions(c, { seed: 1, tokens: { pad: 0, eos: 2 }, runtime: { threads: 0, microBatch: SEQUENCES, memArena: process.argv[3] !== 'no-arena' } });
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const tokens = Array.from({ length: SEQUENCES }, () => Array.from({ length: c.maxTextLen }, () => Math.floor(next() * c.vocabSize)));
  const batch = {
    images: tokens.map(() => Float32Array.from({ length: 3 * 16 * 16 }, next)),
    tokens,
    lossMask: tokens.map((t) => t.slice(1).map(() => 1)),
    lr: 1e-4,
    objective: { kind: 'sft' as const },
  };
  const t0 = performance.now();
  const r = await policy.trainStep(batch);
  const seconds = (performance.now() - t0) / 1e3;
  await policy.release();
  // maxRSS is in kilobytes.
  process.stdout.write(`${JSON.stringify({ seconds, loss: r.loss, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
