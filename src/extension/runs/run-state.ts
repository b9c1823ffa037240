// What the Runs view knows about one run, and the pure reducer that folds trainer events (DESIGN §3)
// into it. The same reducer serves live runs (events from the child's stdout) and runs read back
// from their directory (events.ndjson), so both look alike in the view.
import type { Phase, TrainerEvent } from '../../protocol/trainer-messages';
import { isTerminal, STATUS_LABELS, type RunStatus } from '../../protocol/run-status';

export { isResumable, isTerminal, RUN_STATUSES, STATUS_LABELS, type RunStatus } from '../../protocol/run-status';

export interface RunState {
  /** The run directory's name, e.g. `smoke-20250301-142233`. */
  id: string;
  dir: string;
  status: RunStatus;
  /** Started by this window's RunManager (it owns the process and can send commands). */
  live: boolean;
  pid?: number;
  device?: string;
  phase?: Phase;
  /** Steps done (SFT steps first, then RL steps, as the trainer counts them). */
  step: number;
  totalSteps?: number;
  /** Mean group reward of the latest RL step (`metrics.values.reward`). */
  lastReward?: number;
  lastEvalReward?: number;
  /** Throughput of the latest step (`metrics.values.tokens_per_second`), for the status bar. */
  tokensPerSecond?: number;
  checkpoint?: string;
  /** The latest `error` event's message, or why the process ended badly. */
  error?: string;
  /** Milliseconds since the epoch. */
  startedAt?: number;
  /** The reward definition from the resolved config: a preset name or the settings as JSON. */
  reward?: string;
  /** An imported run whose source holds only part of the engine's rollouts: what part (config.json `imported.coverage`). */
  coverage?: string;
  /** Listed from a cheap scan of the folder names; its details are still being read. */
  pending?: boolean;
}

/** A run's reward definition from its resolved config, for telling apart runs whose `reward` differs. */
export function rewardOf(config: unknown): string | undefined {
  const reward = typeof config === 'object' && config !== null ? (config as { reward?: unknown }).reward : undefined;
  return reward === undefined ? undefined : typeof reward === 'string' ? reward : JSON.stringify(reward);
}

/** What part of an engine's rollouts an imported run holds, when not all (written by server/import/). */
export function coverageOf(config: unknown): string | undefined {
  const imported = typeof config === 'object' && config !== null ? (config as { imported?: { coverage?: unknown } }).imported : undefined;
  return typeof imported?.coverage === 'string' ? imported.coverage : undefined;
}

/** Total steps as the trainer counts them (SFT then RL), from a resolved config. */
export function totalStepsOf(config: unknown): number | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const c = config as { sft?: { steps?: unknown }; rl?: { steps?: unknown } };
  const sft = c.sft?.steps;
  const rl = c.rl?.steps;
  return typeof sft === 'number' && typeof rl === 'number' ? sft + rl : undefined;
}

export function initialRunState(id: string, dir: string, fields: Partial<RunState> = {}): RunState {
  return { id, dir, status: 'starting', live: false, step: 0, ...fields };
}

/** Folds one event into the state; returns a new object (the old one stays valid for the view). */
export function reduceRunEvent(state: RunState, event: TrainerEvent): RunState {
  // A requested stop stays `stopping` until the trainer says `done` (or exits).
  const active: RunStatus = isTerminal(state.status) || state.status === 'stopping' ? state.status : state.status === 'paused' ? 'paused' : 'running';
  switch (event.type) {
    case 'hello': {
      // A trainer (or recorder) begins a session: a run resumed after it ended runs again, and why it ended is history.
      const { error: _ended, ...resumed } = state;
      return {
        ...(isTerminal(state.status) ? resumed : state),
        status: state.status === 'stopping' ? 'stopping' : 'running',
        pid: event.pid,
        device: event.device.ep,
        totalSteps: state.totalSteps ?? totalStepsOf(event.config),
        reward: state.reward ?? rewardOf(event.config),
      };
    }
    case 'phase':
      return { ...state, status: active, phase: event.phase, step: Math.max(state.step, event.step), totalSteps: event.totalSteps };
    case 'metrics': {
      const next: RunState = { ...state, status: active, step: Math.max(state.step, event.step) };
      const reward = event.values['reward'];
      if (event.phase === 'rl' && typeof reward === 'number') next.lastReward = reward;
      const evalReward = event.values['eval/reward'];
      if (typeof evalReward === 'number') next.lastEvalReward = evalReward;
      const speed = event.values['tokens_per_second'];
      if (event.phase !== 'eval' && typeof speed === 'number') next.tokensPerSecond = speed;
      return next;
    }
    case 'checkpoint':
      return { ...state, checkpoint: event.path, step: Math.max(state.step, event.step) };
    case 'error':
      return { ...state, error: event.message };
    case 'done': {
      // The step comes from the step events: `summary.steps` is a count, and a recording numbers its
      // steps from 0 (steps 0–4 are 5 steps), so reading it as a step number labelled them "step 5".
      const next: RunState = { ...state, status: event.status };
      const error = event.summary['error'];
      if (event.status === 'failed' && typeof error === 'string' && !next.error) next.error = error;
      return next;
    }
    case 'paused':
      return isTerminal(state.status) || state.status === 'stopping' ? state : { ...state, status: 'paused' };
    case 'resumed':
      return isTerminal(state.status) || state.status === 'stopping' ? state : { ...state, status: 'running' };
    case 'rollouts':
    case 'log':
      return state;
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

/**
 * The state once the process has exited. A trainer that said hello but never `done` is
 * `interrupted`, however it died (signal, crash, exit code): its run folder reads the same, so the
 * Runs view, the notifications and a later window agree, and Resume Run continues it from its
 * latest checkpoint.
 */
export function reduceRunExit(state: RunState, exit: ExitInfo, stderrTail: string[] = []): RunState {
  const bad = exit.spawnError !== undefined || exit.signal !== null || (exit.code !== null && exit.code !== 0);
  if (exit.spawnError !== undefined) return { ...state, status: 'failed', error: state.error ?? describeExit(exit, stderrTail) };
  if (isTerminal(state.status)) {
    if (!bad || state.status === 'failed') return state;
    // A `done` that claims success followed by a crash: the crash wins.
    return { ...state, status: 'failed', error: state.error ?? describeExit(exit, stderrTail) };
  }
  // Never said hello: it wrote no run folder either (a bad flag, a crash while loading), so there is nothing to resume.
  if (state.device === undefined) return { ...state, status: 'failed', error: state.error ?? describeExit(exit, stderrTail) };
  if (!bad) return { ...state, status: 'interrupted', error: state.error ?? 'the trainer exited without a "done" event' };
  return { ...state, status: 'interrupted', error: state.error ?? describeExit(exit, stderrTail) };
}

export function describeExit(exit: ExitInfo, stderrTail: string[] = []): string {
  const why = exit.spawnError
    ? `the trainer could not be started: ${exit.spawnError}`
    : exit.signal
      ? `the trainer was killed by ${exit.signal}`
      : `the trainer exited with code ${exit.code}`;
  const last = stderrTail.filter((l) => l.trim()).at(-1);
  return last ? `${why}: ${last.trim()}` : why;
}

/** `step 3/5 · reward 0.42` — the tree item's description and the progress message. */
export function describeProgress(state: RunState): string {
  const parts = [state.totalSteps !== undefined ? `step ${state.step}/${state.totalSteps}` : `step ${state.step}`];
  if (state.phase && !isTerminal(state.status)) parts.push(state.phase.toUpperCase());
  if (state.status === 'paused' || state.status === 'stopping') parts.push(state.status);
  if (state.lastReward !== undefined) parts.push(`reward ${formatReward(state.lastReward)}`);
  return parts.join(' · ');
}

export function formatReward(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(3);
}

/** The status-bar item of the active run: `$(sync~spin) demo-…: step 12/60 · reward 0.412 · 1,234 tok/s`. */
export function statusBarText(run: RunState): string {
  const icon = run.status === 'paused' ? '$(debug-pause)' : run.status === 'stopping' ? '$(loading~spin)' : '$(sync~spin)';
  const parts = [run.totalSteps !== undefined ? `step ${run.step}/${run.totalSteps}` : `step ${run.step}`];
  if (run.lastReward !== undefined) parts.push(`reward ${formatReward(run.lastReward)}`);
  if (run.tokensPerSecond !== undefined) parts.push(`${Math.round(run.tokensPerSecond).toLocaleString('en-US')} tok/s`);
  if (run.status === 'paused' || run.status === 'stopping') parts.push(STATUS_LABELS[run.status]);
  return `${icon} ${run.id}: ${parts.join(' · ')}`;
}
