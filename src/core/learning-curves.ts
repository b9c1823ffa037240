// Learning curves per key step and per violation type, computed from a step's scored chains: how
// often the k-th key step of the reference was matched, and how often a chain broke each rule of
// the chain format. Counts add up over the rollout events of one step (an importer writes a step
// in several parts); rates are taken at the end. A point's filter names the chains behind it.
import type { KeyStepResult } from './reward-types';

/** What the curves read of a chain's reward breakdown. */
export interface CurveChain {
  rewards: { key_steps: readonly Pick<KeyStepResult, 'matched'>[]; violations: readonly { code: string }[] };
}

export interface CurveCounts {
  chains: number;
  /** [k-1]: chains whose reference has a k-th key step, and those that matched it. */
  keyStepChains: number[];
  keyStepMatched: number[];
  /** Violation code → chains that broke it at least once. */
  violations: Map<string, number>;
}

const KEY_STEP_PREFIX = 'key_steps/';
const KEY_STEP_SUFFIX = '/match_rate';
const VIOLATION_PREFIX = 'violation_rate/';

/** The curve of the k-th key step (1-based): the share of chains whose reference has one that matched it. */
export const keyStepCurve = (k: number): string => `${KEY_STEP_PREFIX}${k}${KEY_STEP_SUFFIX}`;
/** The curve of a violation code: the share of the step's chains that broke that rule at least once. */
export const violationCurve = (code: string): string => `${VIOLATION_PREFIX}${code}`;

/** The chains behind a curve's point: those that matched the key step, or those that broke the rule. */
export type CurveFilter = { keyStep: number; matched: true } | { violation: string };

/** The filter of a learning curve's name; undefined for any other metric. */
export function curveFilter(metric: string): CurveFilter | undefined {
  if (metric.startsWith(VIOLATION_PREFIX) && metric.length > VIOLATION_PREFIX.length) return { violation: metric.slice(VIOLATION_PREFIX.length) };
  const k = /^key_steps\/(\d+)\/match_rate$/.exec(metric)?.[1];
  return k !== undefined && Number(k) >= 1 ? { keyStep: Number(k), matched: true } : undefined;
}

export const emptyCurveCounts = (): CurveCounts => ({ chains: 0, keyStepChains: [], keyStepMatched: [], violations: new Map() });

/** Adds a rollout event's chains to the step's counts. */
export function countCurves(counts: CurveCounts, groups: readonly { samples: readonly CurveChain[] }[]): void {
  for (const group of groups) {
    for (const { rewards } of group.samples) {
      counts.chains++;
      rewards.key_steps.forEach((ks, i) => {
        counts.keyStepChains[i] = (counts.keyStepChains[i] ?? 0) + 1;
        counts.keyStepMatched[i] = (counts.keyStepMatched[i] ?? 0) + (ks.matched ? 1 : 0);
      });
      for (const code of new Set(rewards.violations.map((v) => v.code))) counts.violations.set(code, (counts.violations.get(code) ?? 0) + 1);
    }
  }
}

/**
 * The step's curve values. `codes` are the violation codes to report (every code the run has shown
 * so far), so a rule nobody broke at this step reads 0 rather than leaving a gap.
 */
export function curveValues(counts: CurveCounts, codes: Iterable<string> = counts.violations.keys()): Record<string, number> {
  const values: Record<string, number> = {};
  counts.keyStepChains.forEach((n, i) => {
    if (n > 0) values[keyStepCurve(i + 1)] = counts.keyStepMatched[i]! / n;
  });
  if (counts.chains > 0) for (const code of codes) values[violationCurve(code)] = (counts.violations.get(code) ?? 0) / counts.chains;
  return values;
}
