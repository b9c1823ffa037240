// Every metric point the Metrics view has seen, per run and metric name, kept in step order, plus
// what the webview has not been sent yet. A point at a step already held replaces it (a resumed
// run repeats the step it was killed in; the live event and metrics.jsonl carry the same point),
// so feeding the same data twice is harmless. Free of `vscode`: unit-tested directly.
import type { SeriesChunk } from '../../protocol/metrics-messages';

interface Series {
  steps: number[];
  values: number[];
  /** Points the webview already holds (a prefix: appends only ever extend it). */
  sent: number;
}

export interface StoreDelta {
  /** Runs whose points changed before what the webview holds: resend them whole. */
  replace: { runIds: string[]; series: SeriesChunk[] };
  /** New points after what the webview holds. */
  append: SeriesChunk[];
}

/** First index whose step is ≥ `step` (steps ascending). */
export function lowerBound(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MetricStore {
  private readonly runs = new Map<string, Map<string, Series>>();
  /** Runs with a point inserted or replaced inside what was already sent. */
  private readonly rewritten = new Set<string>();

  /** Adds the values of one `metrics` event (non-finite values are skipped). */
  add(runId: string, step: number, values: Readonly<Record<string, number>>): void {
    let run = this.runs.get(runId);
    if (!run) this.runs.set(runId, (run = new Map()));
    for (const [metric, value] of Object.entries(values)) {
      if (!Number.isFinite(value)) continue;
      let series = run.get(metric);
      if (!series) run.set(metric, (series = { steps: [], values: [], sent: 0 }));
      const n = series.steps.length;
      if (n === 0 || series.steps[n - 1]! < step) {
        series.steps.push(step);
        series.values.push(value);
        continue;
      }
      const at = lowerBound(series.steps, step);
      if (series.steps[at] === step) {
        if (series.values[at] === value) continue;
        series.values[at] = value;
      } else {
        series.steps.splice(at, 0, step);
        series.values.splice(at, 0, value);
      }
      if (at < series.sent) this.rewritten.add(runId);
    }
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Forgets a run (its folder is gone, or it is about to be read again from scratch). */
  delete(runId: string): void {
    this.runs.delete(runId);
    this.rewritten.delete(runId);
  }

  metrics(runId: string): string[] {
    return [...(this.runs.get(runId)?.keys() ?? [])];
  }

  /** Copies of a run's series, every metric, oldest step first. */
  chunks(runId: string): SeriesChunk[] {
    const run = this.runs.get(runId);
    if (!run) return [];
    return [...run].map(([metric, s]) => ({ runId, metric, steps: [...s.steps], values: [...s.values] }));
  }

  /** Everything of these runs counts as sent (after a snapshot or a replace). */
  markSent(runIds: Iterable<string>): void {
    for (const runId of runIds) {
      for (const series of this.runs.get(runId)?.values() ?? []) series.sent = series.steps.length;
      this.rewritten.delete(runId);
    }
  }

  /** Marks a run to be sent whole on the next delta (it was just selected or loaded). */
  invalidate(runId: string): void {
    this.rewritten.add(runId);
  }

  /** What the webview lacks for the given runs; afterwards it counts as sent. */
  takeDelta(runIds: Iterable<string>): StoreDelta {
    const delta: StoreDelta = { replace: { runIds: [], series: [] }, append: [] };
    for (const runId of runIds) {
      const run = this.runs.get(runId);
      if (this.rewritten.has(runId)) {
        delta.replace.runIds.push(runId);
        delta.replace.series.push(...this.chunks(runId));
        this.markSent([runId]);
        continue;
      }
      for (const [metric, s] of run ?? []) {
        if (s.sent === s.steps.length) continue;
        delta.append.push({ runId, metric, steps: s.steps.slice(s.sent), values: s.values.slice(s.sent) });
        s.sent = s.steps.length;
      }
    }
    return delta;
  }
}
