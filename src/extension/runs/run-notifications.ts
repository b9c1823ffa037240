// Tells the user how each run of this window ends: trainer `error` events and failed exits as
// error messages (the trainer's message, e.g. a config error naming the field), completions as
// information with a way to the run folder. A run that can go on (stopped, failed or interrupted,
// with a checkpoint) says how, and offers Resume Run right there.
import path from 'node:path';
import * as vscode from 'vscode';
import { latestCheckpointName } from '../../rundir/checkpoint-pointer';
import { RUN_FILES } from '../../rundir/run-files';
import type { RunChange, RunManager } from './run-manager';
import { formatReward, isResumable, STATUS_LABELS, type RunState } from './run-state';

export const OPEN_RUN_FOLDER = 'Open Run Folder';
export const RESUME_RUN = 'Resume Run';
const SHOW_LOG = 'Show Log';

export interface RunNotificationActions {
  openFolder(runId: string): unknown;
  resume(runId: string): unknown;
}

function hasCheckpoint(run: RunState): boolean {
  return latestCheckpointName(path.join(run.dir, RUN_FILES.checkpoints)) !== null;
}

/** The sentence that says how to continue a run, or '' when it cannot be. */
export function howToResume(run: RunState): string {
  if (!isResumable(run.status) || !hasCheckpoint(run)) return '';
  return ` Resume Run continues it from its latest checkpoint (or "stepgrpo train --resume ${run.dir}" in the terminal that "StepGRPO: Open CLI Terminal" opens).`;
}

export function notifyRunOutcomes(manager: RunManager, log: vscode.LogOutputChannel, actions: RunNotificationActions): vscode.Disposable {
  const reported = new Set<string>();
  const act = (runId: string) => (choice: string | undefined) => {
    if (choice === OPEN_RUN_FOLDER) void actions.openFolder(runId);
    else if (choice === RESUME_RUN) void actions.resume(runId);
    else if (choice === SHOW_LOG) log.show(true);
  };
  return manager.onDidChange((change: RunChange) => {
    const { run } = change;
    if (change.kind === 'event' && change.event.type === 'error') {
      if (!change.event.fatal) {
        void vscode.window.showErrorMessage(`StepGRPO run ${run.id} error: ${change.event.message}`, SHOW_LOG).then(act(run.id));
        return;
      }
      // The fatal error is told once the process has exited, when it is known whether it can resume.
      reported.add(run.id);
    } else if (change.kind === 'ended') {
      const resume = howToResume(run);
      const buttons = resume ? [RESUME_RUN, SHOW_LOG, OPEN_RUN_FOLDER] : [SHOW_LOG, OPEN_RUN_FOLDER];
      if (run.status === 'failed' || run.status === 'interrupted') {
        const why = run.error ? `: ${run.error}` : reported.has(run.id) ? '' : ' (see the log)';
        void vscode.window.showErrorMessage(`StepGRPO run ${run.id} ${STATUS_LABELS[run.status]} at step ${run.step}${why}.${resume}`, ...buttons).then(act(run.id));
      } else {
        const reward = run.lastEvalReward !== undefined ? `, eval reward ${formatReward(run.lastEvalReward)}` : '';
        const ended = run.status === 'completed' ? 'completed' : `${STATUS_LABELS[run.status]} at step ${run.step}`;
        const more = resume ? [RESUME_RUN, OPEN_RUN_FOLDER] : [OPEN_RUN_FOLDER];
        void vscode.window.showInformationMessage(`StepGRPO run ${run.id} ${ended} (${run.step} steps${reward}).${resume}`, ...more).then(act(run.id));
      }
      reported.delete(run.id);
    }
  });
}
