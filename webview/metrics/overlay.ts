// Several runs on one chart: the order and grouping of the charts, the shared axes of the runs
// drawn together, and the hover read-out (each run's point nearest to the hovered step).
import { METRIC_GROUPS, METRICS, metricDefinition, metricGroup } from '../../src/core/metric-definitions';

export interface RunLine {
  runId: string;
  /** Colour slot from the host's state. */
  color: number;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  /** EMA of `values` (the same array when smoothing is off). */
  smoothed: ArrayLike<number>;
}

export interface MetricGroup {
  name: string;
  metrics: string[];
}

/** Metrics that mean the same whatever a run's reward weights, α or mode: what runs with different rewards can be compared on. */
export const COMMON_METRICS = ['rewards/answer/mean', 'validity_rate', 'key_step_recall', 'eval/accuracy', 'eval/validity_rate', 'eval/key_step_recall', 'eval/faithfulness'];

/** Computed from the run's own reward definition (the metric table says which): not comparable between runs whose definitions differ. */
export const isRewardDependent = (metric: string): boolean => metricDefinition(metric)?.rewardDependent === true;

export const COMMON_GROUP = 'Comparable across reward definitions';

/**
 * Groups metric names for the small multiples: known names in DESIGN order, others sorted. With
 * `commonFirst` (the overlaid runs use different reward definitions) the metrics every reward
 * measures alike come first, in their own group.
 */
export function groupMetrics(all: Iterable<string>, commonFirst = false): MetricGroup[] {
  const names = [...all];
  const common = commonFirst ? COMMON_METRICS.filter((m) => names.includes(m)) : [];
  const rest = groupByKind(names.filter((m) => !common.includes(m)));
  return common.length ? [{ name: COMMON_GROUP, metrics: common }, ...rest] : rest;
}

/** Chart groups in the metric table's order; within one, its rows in table order, then the rest of the group sorted. */
function groupByKind(names: Iterable<string>): MetricGroup[] {
  const buckets = new Map<string, string[]>([...METRIC_GROUPS, 'Other'].map((g) => [g, []]));
  for (const name of names) buckets.get(metricGroup(name) ?? 'Other')!.push(name);
  const rank = (name: string): number => {
    const i = METRICS.findIndex((m) => m.name === name);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...buckets].filter(([, metrics]) => metrics.length).map(([name, metrics]) => ({ name, metrics: metrics.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)) }));
}

export interface Domain {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Step and value extent over every run (raw and smoothed); undefined when there is no point. */
export function overlayDomain(lines: readonly RunLine[]): Domain | undefined {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const line of lines) {
    const n = line.steps.length;
    if (n === 0) continue;
    x0 = Math.min(x0, line.steps[0]!);
    x1 = Math.max(x1, line.steps[n - 1]!);
    for (let i = 0; i < n; i++) {
      const v = line.values[i]!;
      const s = line.smoothed[i]!;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
      if (s < y0) y0 = s;
      if (s > y1) y1 = s;
    }
  }
  return x0 === Infinity ? undefined : { x0, x1, y0, y1 };
}

/** Index of the step nearest to `step` (the earlier one on a tie); -1 for an empty series. */
export function nearestIndex(steps: ArrayLike<number>, step: number): number {
  const n = steps.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return 0;
  if (lo === n) return n - 1;
  return step - steps[lo - 1]! <= steps[lo]! - step ? lo - 1 : lo;
}

export interface ReadoutRow {
  runId: string;
  color: number;
  step: number;
  /** The smoothed value (what the solid line shows). */
  value: number;
  raw: number;
}

/**
 * What the hover shows at `step`: per run, its point nearest to the step, for runs whose steps
 * reach within `tolerance` of it (a run that ended long before the cursor shows nothing).
 */
export function readoutAt(lines: readonly RunLine[], step: number, tolerance: number): ReadoutRow[] {
  const rows: ReadoutRow[] = [];
  for (const line of lines) {
    const i = nearestIndex(line.steps, step);
    if (i < 0 || Math.abs(line.steps[i]! - step) > tolerance) continue;
    rows.push({ runId: line.runId, color: line.color, step: line.steps[i]!, value: line.smoothed[i]!, raw: line.values[i]! });
  }
  return rows;
}
