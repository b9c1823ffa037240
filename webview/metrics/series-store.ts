// The webview's copy of the series the host sent, per run and metric. Every change reports which
// metrics it touched, so only those charts are redrawn.
import type { SeriesChunk } from '../../src/protocol/metrics-messages';

export interface Series {
  steps: number[];
  values: number[];
}

export class SeriesStore {
  private readonly runs = new Map<string, Map<string, Series>>();

  /** Drops everything, then holds exactly `chunks` (a snapshot). Returns every metric touched. */
  reset(chunks: readonly SeriesChunk[]): Set<string> {
    const touched = this.metricNames();
    this.runs.clear();
    for (const m of this.append(chunks)) touched.add(m);
    return touched;
  }

  /** Replaces all series of `runIds` with `chunks`. */
  replaceRuns(runIds: readonly string[], chunks: readonly SeriesChunk[]): Set<string> {
    const touched = new Set<string>();
    for (const runId of runIds) {
      for (const metric of this.runs.get(runId)?.keys() ?? []) touched.add(metric);
      this.runs.delete(runId);
    }
    for (const m of this.append(chunks)) touched.add(m);
    return touched;
  }

  /**
   * Adds points after the last held step of each series. Points at or before it are skipped: the
   * host sends a replace, never an append, when history changes.
   */
  append(chunks: readonly SeriesChunk[]): Set<string> {
    const touched = new Set<string>();
    for (const chunk of chunks) {
      let run = this.runs.get(chunk.runId);
      if (!run) this.runs.set(chunk.runId, (run = new Map()));
      let series = run.get(chunk.metric);
      if (!series) run.set(chunk.metric, (series = { steps: [], values: [] }));
      let last = series.steps.length ? series.steps[series.steps.length - 1]! : -Infinity;
      for (let i = 0; i < chunk.steps.length; i++) {
        const step = chunk.steps[i]!;
        if (step <= last) continue;
        series.steps.push(step);
        series.values.push(chunk.values[i]!);
        last = step;
      }
      touched.add(chunk.metric);
    }
    return touched;
  }

  /** Forgets runs that are no longer selected. Returns the metrics they had. */
  retain(runIds: ReadonlySet<string>): Set<string> {
    const touched = new Set<string>();
    for (const [runId, run] of this.runs) {
      if (runIds.has(runId)) continue;
      for (const metric of run.keys()) touched.add(metric);
      this.runs.delete(runId);
    }
    return touched;
  }

  get(runId: string, metric: string): Series | undefined {
    return this.runs.get(runId)?.get(metric);
  }

  /** Metric names with at least one point in any held run. */
  metricNames(): Set<string> {
    const names = new Set<string>();
    for (const run of this.runs.values()) for (const [metric, s] of run) if (s.steps.length) names.add(metric);
    return names;
  }
}
