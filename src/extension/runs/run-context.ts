// The contextValue of a Runs view row: package.json `menus` (view/item/context) match on these to
// offer each row its controls. Free of `vscode` so the mapping is unit-tested against the menus.
import { isResumable, isTerminal } from './run-state';
import type { ShownRun } from './stoppable-runs';

export const RUN_CONTEXT = {
  running: 'stepgrpoRun.running',
  paused: 'stepgrpoRun.paused',
  stopping: 'stepgrpoRun.stopping',
  /** Written by a process this window cannot control (a CLI run, another window). */
  external: 'stepgrpoRun.external',
  /** An engine launched here or a followed import: Stop is its one control. */
  stopOnly: 'stepgrpoRun.stopOnly',
  /** Completed: nothing to resume, but a branch can start from its checkpoints. */
  ended: 'stepgrpoRun.ended',
  /** Stopped, failed or interrupted: Resume Run continues it. */
  resumable: 'stepgrpoRun.resumable',
} as const;

export function runContext(run: ShownRun): string {
  if (isTerminal(run.status)) return isResumable(run.status) ? RUN_CONTEXT.resumable : RUN_CONTEXT.ended;
  if (run.status === 'stopping' && (run.live || run.stopOnly)) return RUN_CONTEXT.stopping;
  if (run.stopOnly) return RUN_CONTEXT.stopOnly;
  if (!run.live) return RUN_CONTEXT.external;
  return run.status === 'paused' ? RUN_CONTEXT.paused : RUN_CONTEXT.running;
}
