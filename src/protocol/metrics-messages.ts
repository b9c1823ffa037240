// Host ↔ Metrics webview (DESIGN §9): one discriminated union per direction, runtime guards on
// both sides of postMessage. The host owns the state (selected runs and their colours, smoothing,
// hidden metrics) and replays it, with every series, whenever the webview says `ready`.

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
  | { type: 'error'; message: string };

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
  | { type: 'setMetricHidden'; metric: string; hidden: boolean };

export type GuardResult<T> = { ok: true; message: T } | { ok: false; error: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isString = (x: unknown): x is string => typeof x === 'string';
const isStringArray = (x: unknown): x is string[] => Array.isArray(x) && x.every(isString);
const isNumberArray = (x: unknown): x is number[] => Array.isArray(x) && x.every(isFiniteNumber);

/** Each check returns the path of the first bad field, or null. */
type Check = (m: Record<string, unknown>) => string | null;

function checkState(x: unknown, at: string): string | null {
  if (!isObject(x)) return at;
  if (!Array.isArray(x.selected)) return `${at}.selected`;
  for (const [i, s] of x.selected.entries()) {
    if (!isObject(s) || !isString(s.runId)) return `${at}.selected[${i}].runId`;
    if (!Number.isInteger(s.color) || (s.color as number) < 0) return `${at}.selected[${i}].color`;
  }
  if (!isSmoothing(x.smoothing)) return `${at}.smoothing`;
  if (!isStringArray(x.hidden)) return `${at}.hidden`;
  return null;
}

function checkRuns(x: unknown, at: string): string | null {
  if (!Array.isArray(x)) return at;
  for (const [i, r] of x.entries()) {
    if (!isObject(r)) return `${at}[${i}]`;
    for (const f of ['runId', 'status', 'progress'] as const) if (!isString(r[f])) return `${at}[${i}].${f}`;
  }
  return null;
}

function checkSeries(x: unknown, at: string): string | null {
  if (!Array.isArray(x)) return at;
  for (const [i, c] of x.entries()) {
    if (!isObject(c)) return `${at}[${i}]`;
    if (!isString(c.runId)) return `${at}[${i}].runId`;
    if (!isString(c.metric)) return `${at}[${i}].metric`;
    if (!isNumberArray(c.steps)) return `${at}[${i}].steps`;
    if (!isNumberArray(c.values) || c.values.length !== c.steps.length) return `${at}[${i}].values`;
  }
  return null;
}

const isSmoothing = (x: unknown): x is number => isFiniteNumber(x) && x >= 0 && x <= MAX_SMOOTHING;

const hostChecks: Record<HostToMetricsMessage['type'], Check> = {
  snapshot: (m) => checkState(m.state, 'state') ?? checkRuns(m.runs, 'runs') ?? checkSeries(m.series, 'series'),
  state: (m) => checkState(m.state, 'state'),
  update: (m) =>
    (m.runs === undefined ? null : checkRuns(m.runs, 'runs')) ??
    (m.replace === undefined ? null : !isObject(m.replace) || !isStringArray(m.replace.runIds) ? 'replace.runIds' : checkSeries(m.replace.series, 'replace.series')) ??
    (m.append === undefined ? null : checkSeries(m.append, 'append')),
  error: (m) => (isString(m.message) ? null : 'message'),
};

const webviewChecks: Record<MetricsToHostMessage['type'], Check> = {
  ready: () => null,
  selectRun: (m) => (!isString(m.runId) ? 'runId' : typeof m.selected !== 'boolean' ? 'selected' : null),
  setSmoothing: (m) => (isSmoothing(m.smoothing) ? null : 'smoothing'),
  setMetricHidden: (m) => (!isString(m.metric) ? 'metric' : typeof m.hidden !== 'boolean' ? 'hidden' : null),
};

function guard<T>(x: unknown, checks: Record<string, Check>, direction: string): GuardResult<T> {
  if (!isObject(x)) return { ok: false, error: `${direction} message is not an object` };
  if (!isString(x.type)) return { ok: false, error: `${direction} message has no "type"` };
  const check = Object.hasOwn(checks, x.type) ? checks[x.type] : undefined;
  if (!check) return { ok: false, error: `unknown ${direction} message type "${x.type}"` };
  const bad = check(x);
  if (bad) return { ok: false, error: `${direction} message "${x.type}": field "${bad}" is missing or has the wrong type` };
  return { ok: true, message: x as T };
}

export function parseHostToMetrics(x: unknown): GuardResult<HostToMetricsMessage> {
  return guard(x, hostChecks, 'host → metrics');
}

export function parseMetricsToHost(x: unknown): GuardResult<MetricsToHostMessage> {
  return guard(x, webviewChecks, 'metrics → host');
}
