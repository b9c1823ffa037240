// Host ↔ Rollout viewer webview messages (DESIGN §9): one discriminated union per direction, with
// runtime guards on both sides (schemas of src/protocol/schema.ts). The host owns the view state (run, step, filters, layout) and
// replays it after every `ready`, so the panel can drop its context when hidden.
import { messageGuard, type GuardResult } from './message-guard';
import { rolloutGroupSchema, type RolloutGroup } from './rollout-group';
import { RUN_STATUSES, type RunStatus } from './run-status';
import { PHASES, type Phase } from './trainer-messages';
import { array, boolean, nullable, object, oneOf, step, string, union, type Schema } from './schema';

export type ValidityFilter = 'all' | 'valid' | 'invalid';
export type CorrectnessFilter = 'all' | 'correct' | 'incorrect';
export type ViewerLayout = 'columns' | 'stacked';

export interface ViewerFilters {
  validity: ValidityFilter;
  correctness: CorrectnessFilter;
  /** A StepRVR violation code, or null for any. */
  violation: string | null;
  /** Case-insensitive substring of the chain, prompt or answer; empty for none. */
  search: string;
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
}

export const DEFAULT_FILTERS: ViewerFilters = { validity: 'all', correctness: 'all', violation: null, search: '' };

export function defaultViewerState(): ViewerState {
  return { run: null, step: 'latest', filters: { ...DEFAULT_FILTERS }, layout: 'columns' };
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
  /** Something the user should know (unreadable file, bad lines); the view shows it in a banner. */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

/** Webview → host. */
export type ViewerToHost =
  | { type: 'ready' }
  | { type: 'setStep'; step: StepSelection }
  | { type: 'setFilters'; filters: ViewerFilters }
  | { type: 'setLayout'; layout: ViewerLayout }
  | { type: 'pickRun' }
  /** Open one chain in an editor with its reference in front matter (the inline annotations apply). */
  | { type: 'openInEditor'; step: number; group: number; sample: number };

const filtersSchema: Schema<ViewerFilters> = object({
  validity: oneOf(['all', 'valid', 'invalid'] as const),
  correctness: oneOf(['all', 'correct', 'incorrect'] as const),
  violation: nullable(string()),
  search: string(),
});
const stepSelection: Schema<StepSelection> = union('an integer ≥ 0 or "latest"', step(), oneOf(['latest'] as const));
const layout = oneOf(['columns', 'stacked'] as const);
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
});
const kind = <const T extends string>(type: T) => ({ type: oneOf([type] as const) });

/** Checks a message the webview received from the host. */
export const parseHostToViewer: (value: unknown) => GuardResult<HostToViewer> = messageGuard<HostToViewer>('host→viewer', {
  state: object({ ...kind('state'), state: stateSchema, steps: array(step()) }),
  run: object({ ...kind('run'), run: runSchema }),
  steps: object({ ...kind('steps'), steps: array(step()) }),
  rollouts: object({ ...kind('rollouts'), step: step(), groups: array(rolloutGroupSchema), append: boolean() }),
  notice: object({ ...kind('notice'), level: oneOf(['info', 'warning', 'error'] as const), message: string() }),
});

/** Checks a message the host received from the webview. */
export const parseViewerToHost: (value: unknown) => GuardResult<ViewerToHost> = messageGuard<ViewerToHost>('viewer→host', {
  ready: object(kind('ready')),
  setStep: object({ ...kind('setStep'), step: stepSelection }),
  setFilters: object({ ...kind('setFilters'), filters: filtersSchema }),
  setLayout: object({ ...kind('setLayout'), layout }),
  pickRun: object(kind('pickRun')),
  openInEditor: object({ ...kind('openInEditor'), step: step(), group: step(), sample: step() }),
});
