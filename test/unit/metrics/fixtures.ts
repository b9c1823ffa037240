// Builders for the Metrics view's tests: trainer metrics events, series chunks, seeded noise.
import type { SeriesChunk } from '../../../src/protocol/metrics-messages';
import type { TrainerEvent } from '../../../src/protocol/trainer-messages';
import { rng } from '../../fixtures/chain-builder';

export function metricsEvent(step: number, values: Record<string, number>, phase: 'sft' | 'rl' | 'eval' = 'rl'): Extract<TrainerEvent, { type: 'metrics' }> {
  return { v: 1, type: 'metrics', step, phase, values };
}

export function metricsLine(step: number, values: Record<string, number>, phase: 'sft' | 'rl' | 'eval' = 'rl'): string {
  return `${JSON.stringify(metricsEvent(step, values, phase))}\n`;
}

export function chunk(runId: string, metric: string, steps: number[], values = steps.map((s) => s / 10)): SeriesChunk {
  return { runId, metric, steps, values };
}

/** Deterministic pseudo-random numbers in [0, 1): the chain fixtures' mulberry32. */
export const seeded = rng;

/** A noisy rising reward curve of `n` points at steps 1..n. */
export function noisyCurve(n: number, seed = 1): { steps: number[]; values: number[] } {
  const rand = seeded(seed);
  const steps = Array.from({ length: n }, (_, i) => i + 1);
  return { steps, values: steps.map((s) => 1 - Math.exp(-s / (n / 4)) + (rand() - 0.5) * 0.3) };
}
