// SFT warm-up (the paper's first stage): teacher-forced cross-entropy on the task's demonstrations
// (reference chains, or the default teacher's direct answers).
import type { ChainCodec, PolicyRuntime } from '../model/family';
import type { TrainStream } from './data/example';
import { encodeSupervised } from './sequences';
import type { SftConfig } from './config';

export interface SftStepResult {
  loss: number;
  gradNorm: number;
  tokens: number;
  seconds: number;
}

/** One SFT step on the next batch of the stream (blank images stand in for text-only records). */
export async function sftStep(policy: PolicyRuntime, tok: ChainCodec, stream: TrainStream, config: SftConfig, lr: number): Promise<SftStepResult> {
  const started = performance.now();
  const examples = stream.take(config.batchSize);
  const encoded = examples.map((e) => encodeSupervised(tok, e, policy.maxTextLen));
  const r = await policy.trainStep({
    images: examples.map((e) => policy.imageFor(e.image)),
    tokens: encoded.map((e) => e.tokens),
    lossMask: encoded.map((e) => e.lossMask),
    objective: { kind: 'sft' },
    lr,
  });
  const tokens = encoded.reduce((n, e) => n + e.lossMask.reduce((a, b) => a + b, 0), 0);
  return { loss: r.loss, gradNorm: r.gradNorm, tokens, seconds: (performance.now() - started) / 1000 };
}

/** Linear warm-up over the first 5 % of steps, then cosine decay to 10 % of the peak. */
export function sftLearningRate(step: number, total: number, peak: number): number {
  const warmup = Math.max(1, Math.round(total * 0.05));
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return peak * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}
