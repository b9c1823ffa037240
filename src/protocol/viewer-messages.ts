// Host ↔ Rollout viewer webview messages (DESIGN §9): one discriminated union per direction, with
// runtime guards on both sides (schemas of src/protocol/schema.ts). The host owns the view state (run, step, filters, layout) and
// replays it after every `ready`, so the panel can drop its context when hidden.
import { HACK_FLAGS, type HackFlag } from '../core/reward-hacking';
import type { PromptHistoryPoint } from '../core/prompt-history';
import { messageGuard, type GuardResult } from './message-guard';
import { rolloutGroupSchema, type RolloutGroup } from './rollout-group';
import { RUN_STATUSES, type RunStatus } from './run-status';
import { PHASES, type Phase } from './trainer-messages';
import { array, boolean, issue, nullable, number, object, oneOf, optional, record, refine, step, string, union, type Schema } from './schema';

export type ValidityFilter = 'all' | 'valid' | 'invalid';
export type CorrectnessFilter = 'all' | 'correct' | 'incorrect';
/** Groups by the spread of their chains' total rewards: `zero` keeps those without a learning signal, `nonzero` the others. */
export type SpreadFilter = 'all' | 'zero' | 'nonzero';
/** `aligned`: a group's chains side by side, one row per `### Step k` (webview/rollout-viewer/alignment.ts). */
export type ViewerLayout = 'columns' | 'stacked' | 'aligned';
/** A sample field to sort by: rewards, advantage, length (tokens), or an engine-reported number (`engine:<name>`). */
export type SortKey = 'none' | 'total' | 'advantage' | 'length' | 'r_acc' | 'r_val' | 'key_step_ratio' | `engine:${string}`;
export const SORT_KEYS = ['none', 'total', 'advantage', 'length', 'r_acc', 'r_val', 'key_step_ratio'] as const;

export interface ViewerSort {
  key: SortKey;
  descending: boolean;
}

/** The chains that matched (or missed) one key step of their reference (0-based index). */
export interface KeyStepFilter {
  index: number;
  matched: boolean;
}

export interface ViewerFilters {
  validity: ValidityFilter;
  correctness: CorrectnessFilter;
  /** A StepRVR violation code, or null for any. */
  violation: string | null;
  /** Case-insensitive substring of the chain, prompt or answer; empty for none. */
  search: string;
  spread: SpreadFilter;
  /** Total reward range, inclusive; null for an open end. */
  rewardMin: number | null;
  rewardMax: number | null;
  /** A reward-hacking flag (src/core/reward-hacking.ts), or null for any. */
  flag: HackFlag | null;
  /** Only the groups of this prompt, or null. */
  promptId: string | null;
  keyStep: KeyStepFilter | null;
}

/** `latest` follows the newest RL step of a live run. */
export type StepSelection = number | 'latest';

export interface ViewerRun {
  id: string;
  dir: string;
  /** The run's state in the one vocabulary (src/protocol/run-status.ts); "(live)" while not terminal. */
  status: RunStatus;
  /** The trainer's current phase, when known: during `sft` there are no rollouts yet. */
  phase: Phase | null;
  step: number;
  totalSteps: number | null;
  /** The step where RL (and with it the rollouts) starts: the config's SFT steps. */
  rlStartsAt: number | null;
}

export interface ViewerState {
  run: ViewerRun | null;
  step: StepSelection;
  filters: ViewerFilters;
  layout: ViewerLayout;
  /** With a key other than `none`, the shown chains are listed one per row in that order. */
  sort: ViewerSort;
  /** The prompt whose history is shown (its groups across all steps), or null for one step's groups. */
  history: string | null;
  /** A second run shown beside this one, step by step (`compare` messages carry its groups), or null. */
  compare: ViewerRun | null;
}

export const DEFAULT_FILTERS: ViewerFilters = {
  validity: 'all',
  correctness: 'all',
  violation: null,
  search: '',
  spread: 'all',
  rewardMin: null,
  rewardMax: null,
  flag: null,
  promptId: null,
  keyStep: null,
};

export const DEFAULT_SORT: ViewerSort = { key: 'none', descending: true };

export function defaultViewerState(): ViewerState {
  return { run: null, step: 'latest', filters: { ...DEFAULT_FILTERS }, layout: 'columns', sort: { ...DEFAULT_SORT }, history: null, compare: null };
}

/** What `stepgrpo.viewer.showStep` takes: a run folder, a step, and optionally a prompt and filters to apply. */
export interface ShowStepArgs {
  runDir: string;
  step: number;
  /** Shows only this prompt's groups (the filter `promptId`). */
  promptId?: string;
  filter?: Partial<ViewerFilters>;
}

/** One group of a prompt's history, with its step. */
export interface HistoryGroup {
  step: number;
  /** The group's index in its step. */
  index: number;
  group: RolloutGroup;
}

/**
 * The compared run's group beside one shown group (src/extension/viewer/run-comparison.ts): at the
 * aligned step (`same`), else the nearest step that sampled the prompt (`nearest`), else none.
 */
export interface ComparePair {
  promptId: string;
  /** The shown run's group (its index in the shown step); null for a group only the compared run has. */
  shown: number | null;
  compared: HistoryGroup | null;
  at: 'same' | 'nearest' | 'none';
}

/** The compared run at the shown step: the step it lines up with (branch offsets applied) and the pairs. */
export interface ViewerComparison {
  run: ViewerRun;
  /** The shown run's step these pairs are for. */
  shownStep: number;
  /** The compared run's step that lines up with it: `shownStep + shownOffset − comparedOffset`. */
  step: number;
  /** Parent steps a branch starts from (0 for a run that is no branch). */
  shownOffset: number;
  comparedOffset: number;
  /** Whether the compared run has rollouts at `step`; when not, its steps nearest to it. */
  hasStep: boolean;
  nearest: number[];
  pairs: ComparePair[];
}

/** What the page shows after it rendered (for the tests and the log): rows, chains, the first chains in order. */
export interface ViewerRendered {
  mode: 'step' | 'history' | 'compare';
  layout: ViewerLayout;
  rows: number;
  chains: number;
  /** Groups loaded (of the step, or of the prompt's history so far), before the filters. */
  loaded: number;
  /** Chain keys (`<step>:<group>/<sample>`) of the first rows, in the order shown. */
  first: string[];
  /** Chains of the loaded step (or history) that raise each flag. */
  flagCounts: Record<string, number>;
  /** Aligned layout: the divergence row label of each of the first rows (null: none). */
  divergence: (string | null)[];
  /** History: steps in the chart. */
  historySteps: number;
  /** The chain the keyboard cursor is on. */
  cursor: string | null;
  /** Compare mode: chain keys (`<step>:<group>/<sample>`) of the compared run in the first rows, in order. */
  compared: string[];
  /** The token heat overlay's mode (null: off), and the coloured token spans in the rows on screen. */
  heat: string | null;
  heatSpans: number;
  /** Rows built in the page (the virtual list's): after a change, reported again once they are. */
  mounted: number;
  /** The filters the rows were made with: a report can leave before the rows of filters the host already holds. */
  filters: ViewerFilters;
}

/** Host → webview. */
export type HostToViewer =
  /** The whole host-owned state: sent after `ready` and whenever the run changes. The view clears its chains. */
  | { type: 'state'; state: ViewerState; steps: number[] }
  /** The run's state changed (phase, step, paused, ended, resumed); the chains stay. */
  | { type: 'run'; run: ViewerRun }
  /** RL steps known for the run (grows while a live run goes on). */
  | { type: 'steps'; steps: number[] }
  /** Groups to show; `append` adds to the shown step (live), otherwise they replace it. */
  | { type: 'rollouts'; step: number; groups: RolloutGroup[]; append: boolean }
  /**
   * A prompt's groups across every step, with the points of its chart (src/core/prompt-history.ts);
   * sent in parts (`append` after the first) so no one message holds a frame long.
   */
  | { type: 'history'; promptId: string; points: PromptHistoryPoint[]; groups: HistoryGroup[]; append: boolean }
  /** The compared run's groups beside the shown step's (after every `rollouts` that replaces the step, and as it grows). */
  | { type: 'compare'; comparison: ViewerComparison }
  /** Something the user should know (unreadable file, bad lines); the view shows it in a banner. */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Webview → host. */
export type ViewerToHost =
  | { type: 'ready' }
  | { type: 'setStep'; step: StepSelection }
  | { type: 'setFilters'; filters: ViewerFilters }
  | { type: 'setLayout'; layout: ViewerLayout }
  | { type: 'setSort'; sort: ViewerSort }
  /** Shows a prompt's history (null: back to the step). */
  | { type: 'showHistory'; promptId: string | null }
  /** Asks the host for a quick pick of the run's prompts (searchable), whose history is then shown. */
  | { type: 'pickPrompt' }
  | { type: 'rendered'; rendered: ViewerRendered }
  | { type: 'pickRun' }
  /** Asks the host for a quick pick of another run to show beside this one. */
  | { type: 'pickCompare' }
  /** Leaves compare mode. */
  | { type: 'endCompare' }
  /** Open one chain in an editor with its reference in front matter (the inline annotations apply). */
  | { type: 'openInEditor'; step: number; group: number; sample: number; compared?: boolean };

const filterFields = {
  validity: oneOf(['all', 'valid', 'invalid'] as const),
  correctness: oneOf(['all', 'correct', 'incorrect'] as const),
  violation: nullable(string()),
  search: string(),
  spread: oneOf(['all', 'zero', 'nonzero'] as const),
  rewardMin: nullable(number()),
  rewardMax: nullable(number()),
  flag: nullable(oneOf(HACK_FLAGS)),
  promptId: nullable(string()),
  keyStep: nullable(object({ index: step(), matched: boolean() })),
};
const filtersSchema: Schema<ViewerFilters> = object(filterFields);
/** Some filters, the others left as they default; a field that is not a filter is an error (a typo must not pass). */
const someFilters = object(Object.fromEntries(Object.entries(filterFields).map(([k, s]) => [k, optional(s as Schema<unknown>)])), { strict: true }) as Schema<
  Partial<ViewerFilters>
>;
const sortKey = refine(string() as Schema<SortKey>, (v, path) =>
  (SORT_KEYS as readonly string[]).includes(v) || (v.startsWith('engine:') && v.length > 'engine:'.length)
    ? null
    : issue(path, `expected one of ${SORT_KEYS.join(', ')} or engine:<name>, got ${JSON.stringify(v)}`),
);
const sortSchema: Schema<ViewerSort> = object({ key: sortKey, descending: boolean() });
const historyPoint: Schema<PromptHistoryPoint> = object({
  step: step(),
  chains: step(),
  answerRate: number({ min: 0, max: 1 }),
  keyStepRecall: number({ min: 0, max: 1 }),
  meanReward: number(),
});
const renderedSchema: Schema<ViewerRendered> = object({
  mode: oneOf(['step', 'history', 'compare'] as const),
  layout: oneOf(['columns', 'stacked', 'aligned'] as const),
  rows: step(),
  chains: step(),
  loaded: step(),
  first: array(string()),
  flagCounts: record(step()),
  divergence: array(nullable(string())),
  historySteps: step(),
  cursor: nullable(string()),
  compared: array(string()),
  heat: nullable(string()),
  heatSpans: step(),
  mounted: step(),
  filters: filtersSchema,
});
const stepSelection: Schema<StepSelection> = union('an integer ≥ 0 or "latest"', step(), oneOf(['latest'] as const));
const layout = oneOf(['columns', 'stacked', 'aligned'] as const);
const runSchema: Schema<ViewerRun> = object({
  id: string(),
  dir: string(),
  status: oneOf(RUN_STATUSES),
  phase: nullable(oneOf(PHASES)),
  step: step(),
  totalSteps: nullable(step()),
  rlStartsAt: nullable(step()),
});
const stateSchema: Schema<ViewerState> = object({
  run: nullable(runSchema),
  step: stepSelection,
  filters: filtersSchema,
  layout,
  sort: sortSchema,
  history: nullable(string()),
  compare: nullable(runSchema),
});
const historyGroup: Schema<HistoryGroup> = object({ step: step(), index: step(), group: rolloutGroupSchema });
const comparisonSchema: Schema<ViewerComparison> = object({
  run: runSchema,
  shownStep: step(),
  step: number(),
  shownOffset: step(),
  comparedOffset: step(),
  hasStep: boolean(),
  nearest: array(step()),
  pairs: array(object({ promptId: string(), shown: nullable(step()), compared: nullable(historyGroup), at: oneOf(['same', 'nearest', 'none'] as const) })),
});
const kind = <const T extends string>(type: T) => ({ type: oneOf([type] as const) });

/** Checks a message the webview received from the host. */
export const parseHostToViewer: (value: unknown) => GuardResult<HostToViewer> = messageGuard<HostToViewer>('host→viewer', {
  state: object({ ...kind('state'), state: stateSchema, steps: array(step()) }),
  run: object({ ...kind('run'), run: runSchema }),
  steps: object({ ...kind('steps'), steps: array(step()) }),
  rollouts: object({ ...kind('rollouts'), step: step(), groups: array(rolloutGroupSchema), append: boolean() }),
  history: object({
    ...kind('history'),
    promptId: string(),
    points: array(historyPoint),
    groups: array(historyGroup),
    append: boolean(),
  }),
  compare: object({ ...kind('compare'), comparison: comparisonSchema }),
  notice: object({ ...kind('notice'), level: oneOf(['info', 'warning', 'error'] as const), message: string() }),
});

/** Checks a message the host received from the webview. */
export const parseViewerToHost: (value: unknown) => GuardResult<ViewerToHost> = messageGuard<ViewerToHost>('viewer→host', {
  ready: object(kind('ready')),
  setStep: object({ ...kind('setStep'), step: stepSelection }),
  setFilters: object({ ...kind('setFilters'), filters: filtersSchema }),
  setLayout: object({ ...kind('setLayout'), layout }),
  setSort: object({ ...kind('setSort'), sort: sortSchema }),
  showHistory: object({ ...kind('showHistory'), promptId: nullable(string()) }),
  pickPrompt: object(kind('pickPrompt')),
  rendered: object({ ...kind('rendered'), rendered: renderedSchema }),
  pickRun: object(kind('pickRun')),
  pickCompare: object(kind('pickCompare')),
  endCompare: object(kind('endCompare')),
  openInEditor: object({ ...kind('openInEditor'), step: step(), group: step(), sample: step(), compared: optional(boolean()) }),
});

/** Checks the argument of `stepgrpo.viewer.showStep` (a filter names only the fields it sets). */
export const showStepArgsSchema: Schema<ShowStepArgs> = object({
  runDir: string(),
  step: step(),
  promptId: optional(string()),
  filter: optional(someFilters),
});
