// Host ↔ Metrics webview (DESIGN §9): one discriminated union per direction, runtime guards on
// both sides of postMessage (schemas of src/protocol/schema.ts). The host owns the state (selected runs and their colours, smoothing,
// hidden metrics) and replays it, with every series, whenever the webview says `ready`.

import { messageGuard, type GuardResult } from './message-guard';
import { array, boolean, issue, number, object, oneOf, optional, refine, step, string, type Schema } from './schema';

/** Index into the webview's run palette; stable while a run stays selected. */
export type ColorSlot = number;

export const MAX_SMOOTHING = 0.99;

export interface MetricsViewState {
  /** Runs drawn on the charts, in selection order. */
  selected: { runId: string; color: ColorSlot }[];
  /** EMA weight in [0, MAX_SMOOTHING]; 0 draws the raw values. */
  smoothing: number;
  /** Metric names whose charts are folded away. */
  hidden: string[];
}

/** One row of the run picker. */
export interface MetricsRunInfo {
  runId: string;
  status: string;
  /** `step 3/5 · reward 0.420`. */
  progress: string;
  /** The run's reward definition (a preset name, or its settings as JSON); runs that differ cannot share a `reward` axis. */
  reward?: string;
}

/** Points of one metric of one run, in increasing step order. */
export interface SeriesChunk {
  runId: string;
  metric: string;
  steps: number[];
  values: number[];
}

/** Host → webview. */
export type HostToMetricsMessage =
  | { type: 'snapshot'; state: MetricsViewState; runs: MetricsRunInfo[]; series: SeriesChunk[] }
  | { type: 'state'; state: MetricsViewState }
  /** One batch (at most 4 a second): whatever changed since the last one. */
  | { type: 'update'; runs?: MetricsRunInfo[]; replace?: SeriesReplace; append?: SeriesChunk[] }
  | { type: 'error'; message: string }
  /** Paint the shown charts into one PNG `width` CSS pixels wide and answer with `png` (the request's id). */
  | { type: 'composePng'; requestId: number; width: number }
  /** Mark `step` of `runId` on every chart (the step the Rollout viewer shows); undefined clears it. */
  | { type: 'highlightStep'; runId: string; step?: number };

/** Export widths offered, in CSS pixels; the PNG is that times the page's pixel ratio. */
export const PNG_WIDTH = { min: 320, max: 4096 } as const;

/**
 * `replace`: everything known about these runs (just loaded from disk, or a step was rewritten).
 * `append` chunks lie strictly after the last step the webview holds for their metric.
 */
export interface SeriesReplace {
  runIds: string[];
  series: SeriesChunk[];
}

/** Webview → host. */
export type MetricsToHostMessage =
  | { type: 'ready' }
  | { type: 'selectRun'; runId: string; selected: boolean }
  | { type: 'setSmoothing'; smoothing: number }
  | { type: 'setMetricHidden'; metric: string; hidden: boolean }
  /** Export: the selected runs' points as CSV (the host has them), or the charts as a PNG (the host asks the width, then sends `composePng`). */
  | { type: 'exportCsv' }
  | { type: 'exportPng' }
  /** The answer to `composePng`. */
  | { type: 'png'; requestId: number; dataUri: string }
  /** A click on a chart's point: open that run at that step in the Rollout viewer. */
  | { type: 'openStep'; runId: string; step: number; metric: string };

const smoothing = number({ min: 0, max: MAX_SMOOTHING });
const stateSchema: Schema<MetricsViewState> = object({
  selected: array(object({ runId: string(), color: number({ integer: true, min: 0 }) })),
  smoothing,
  hidden: array(string()),
});
const runsSchema: Schema<MetricsRunInfo[]> = array(object({ runId: string(), status: string(), progress: string(), reward: optional(string()) }));
const seriesSchema: Schema<SeriesChunk[]> = array(
  refine(object({ runId: string(), metric: string(), steps: array(step()), values: array(number()) }), (c, p) =>
    c.values.length === c.steps.length ? null : issue(`${p}.values`, `expected ${c.steps.length} values (one per step), got ${c.values.length}`),
  ),
);
const kind = <const T extends string>(type: T) => ({ type: oneOf([type] as const) });

export const parseHostToMetrics: (x: unknown) => GuardResult<HostToMetricsMessage> = messageGuard<HostToMetricsMessage>('host → metrics', {
  snapshot: object({ ...kind('snapshot'), state: stateSchema, runs: runsSchema, series: seriesSchema }),
  state: object({ ...kind('state'), state: stateSchema }),
  update: object({ ...kind('update'), runs: optional(runsSchema), replace: optional(object({ runIds: array(string()), series: seriesSchema })), append: optional(seriesSchema) }),
  error: object({ ...kind('error'), message: string() }),
  composePng: object({ ...kind('composePng'), requestId: number({ integer: true }), width: number({ integer: true, min: PNG_WIDTH.min, max: PNG_WIDTH.max }) }),
  highlightStep: object({ ...kind('highlightStep'), runId: string(), step: optional(step()) }),
});

export const parseMetricsToHost: (x: unknown) => GuardResult<MetricsToHostMessage> = messageGuard<MetricsToHostMessage>('metrics → host', {
  ready: object(kind('ready')),
  selectRun: object({ ...kind('selectRun'), runId: string(), selected: boolean() }),
  setSmoothing: object({ ...kind('setSmoothing'), smoothing }),
  setMetricHidden: object({ ...kind('setMetricHidden'), metric: string(), hidden: boolean() }),
  exportCsv: object(kind('exportCsv')),
  exportPng: object(kind('exportPng')),
  png: object({ ...kind('png'), requestId: number({ integer: true }), dataUri: string() }),
  openStep: object({ ...kind('openStep'), runId: string(), step: step(), metric: string() }),
});
