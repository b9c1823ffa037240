// The one vocabulary of run states (issue 10): the Runs view, notifications, the status bar, the
// Rollout viewer's "(live)" label and the run-folder reader all speak it, so a run killed mid-step
// reads the same everywhere.

export const RUN_STATUSES = ['starting', 'running', 'paused', 'stopping', 'completed', 'stopped', 'failed', 'interrupted'] as const;

/**
 * `paused`: the trainer confirmed a pause between steps. `stopping`: Stop was sent, the step in
 * flight finishes and checkpoints. `interrupted`: the trainer is gone without a `done` event
 * (killed, crashed, machine slept); `failed`: the trainer reported a failure (`done` failed).
 */
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'failed', 'interrupted']);

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** A run that can continue from its latest checkpoint with Resume Run (`--resume <dir>`). */
export function isResumable(status: RunStatus): boolean {
  return status === 'stopped' || status === 'failed' || status === 'interrupted';
}

/** How each state reads in a sentence ("run x is paused"). */
export const STATUS_LABELS: Record<RunStatus, string> = {
  starting: 'starting',
  running: 'running',
  paused: 'paused',
  stopping: 'stopping',
  completed: 'completed',
  stopped: 'stopped',
  failed: 'failed',
  interrupted: 'interrupted',
};
