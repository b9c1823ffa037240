// Host ↔ Rollout viewer webview messages (DESIGN §9): one discriminated union per direction, with
// runtime guards on both sides. The host owns the view state (run, step, filters, layout) and
// replays it after every `ready`, so the panel can drop its context when hidden.
import type { RolloutGroup } from './trainer-messages';

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
  /** A trainer of this window is still producing rollouts. */
  live: boolean;
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
  | { type: 'pickRun' };

export type GuardResult<T> = { ok: true; message: T } | { ok: false; error: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isStep = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isStepSelection = (x: unknown): x is StepSelection => x === 'latest' || isStep(x);
const isLayout = (x: unknown): x is ViewerLayout => x === 'columns' || x === 'stacked';

/** The name of the first bad field of a filters object, or null. */
function badFilterField(f: unknown): string | null {
  if (!isObject(f)) return 'filters';
  if (!['all', 'valid', 'invalid'].includes(f.validity as string)) return 'filters.validity';
  if (!['all', 'correct', 'incorrect'].includes(f.correctness as string)) return 'filters.correctness';
  if (f.violation !== null && typeof f.violation !== 'string') return 'filters.violation';
  if (typeof f.search !== 'string') return 'filters.search';
  return null;
}

function badStateField(s: unknown): string | null {
  if (!isObject(s)) return 'state';
  const run = s.run;
  if (run !== null && !(isObject(run) && typeof run.id === 'string' && typeof run.dir === 'string' && typeof run.live === 'boolean')) return 'state.run';
  if (!isStepSelection(s.step)) return 'state.step';
  const f = badFilterField(s.filters);
  if (f) return `state.${f}`;
  return isLayout(s.layout) ? null : 'state.layout';
}

function badGroupField(g: unknown, i: number): string | null {
  const at = `groups[${i}]`;
  if (!isObject(g)) return at;
  if (typeof g.promptId !== 'string') return `${at}.promptId`;
  if (typeof g.prompt !== 'string') return `${at}.prompt`;
  if (!isObject(g.reference) || !Array.isArray(g.reference.keySteps)) return `${at}.reference`;
  if (!Array.isArray(g.samples)) return `${at}.samples`;
  for (let j = 0; j < g.samples.length; j++) {
    const s: unknown = g.samples[j];
    const sat = `${at}.samples[${j}]`;
    if (!isObject(s) || typeof s.text !== 'string') return `${sat}.text`;
    if (typeof s.advantage !== 'number') return `${sat}.advantage`;
    const r = s.rewards;
    if (!isObject(r) || typeof r.total !== 'number' || !Array.isArray(r.violations) || !Array.isArray(r.key_steps)) return `${sat}.rewards`;
  }
  return null;
}

const hostChecks: Record<HostToViewer['type'], (m: Record<string, unknown>) => string | null> = {
  state: (m) => badStateField(m.state) ?? (Array.isArray(m.steps) && m.steps.every(isStep) ? null : 'steps'),
  steps: (m) => (Array.isArray(m.steps) && m.steps.every(isStep) ? null : 'steps'),
  rollouts: (m) => {
    if (!isStep(m.step)) return 'step';
    if (typeof m.append !== 'boolean') return 'append';
    if (!Array.isArray(m.groups)) return 'groups';
    for (let i = 0; i < m.groups.length; i++) {
      const bad = badGroupField(m.groups[i], i);
      if (bad) return bad;
    }
    return null;
  },
  notice: (m) => (!['info', 'warning', 'error'].includes(m.level as string) ? 'level' : typeof m.message !== 'string' ? 'message' : null),
};

const viewerChecks: Record<ViewerToHost['type'], (m: Record<string, unknown>) => string | null> = {
  ready: () => null,
  setStep: (m) => (isStepSelection(m.step) ? null : 'step'),
  setFilters: (m) => badFilterField(m.filters),
  setLayout: (m) => (isLayout(m.layout) ? null : 'layout'),
  pickRun: () => null,
};

function guard<T>(value: unknown, checks: Record<string, (m: Record<string, unknown>) => string | null>, direction: string): GuardResult<T> {
  if (!isObject(value)) return { ok: false, error: `${direction} message is not an object` };
  const type = value.type;
  if (typeof type !== 'string') return { ok: false, error: `${direction} message has no "type"` };
  const check = checks[type];
  if (!check) return { ok: false, error: `unknown ${direction} message type "${type}"` };
  const bad = check(value);
  if (bad) return { ok: false, error: `${direction} message "${type}": field "${bad}" is missing or has the wrong type` };
  return { ok: true, message: value as T };
}

/** Checks a message the webview received from the host. */
export function parseHostToViewer(value: unknown): GuardResult<HostToViewer> {
  return guard<HostToViewer>(value, hostChecks, 'host→viewer');
}

/** Checks a message the host received from the webview. */
export function parseViewerToHost(value: unknown): GuardResult<ViewerToHost> {
  return guard<ViewerToHost>(value, viewerChecks, 'viewer→host');
}
