// Tells the user how each run of this window ends: trainer `error` events and failed exits as
// error messages (the trainer's message, e.g. a config error naming the field), completions and
// stops as information with a way to the run folder.
import * as vscode from 'vscode';
import type { RunChange, RunManager } from './run-manager';
import { formatReward } from './run-state';

export const OPEN_RUN_FOLDER = 'Open Run Folder';
const SHOW_LOG = 'Show Log';

export function notifyRunOutcomes(manager: RunManager, log: vscode.LogOutputChannel, openFolder: (runId: string) => unknown): vscode.Disposable {
  const reported = new Set<string>();
  const act = (runId: string) => (choice: string | undefined) => {
    if (choice === OPEN_RUN_FOLDER) void openFolder(runId);
    else if (choice === SHOW_LOG) log.show(true);
  };
  return manager.onDidChange((change: RunChange) => {
    const { run } = change;
    if (change.kind === 'event' && change.event.type === 'error') {
      reported.add(run.id);
      const prefix = change.event.fatal ? 'failed' : 'error';
      void vscode.window.showErrorMessage(`StepGRPO run ${run.id} ${prefix}: ${change.event.message}`, SHOW_LOG, OPEN_RUN_FOLDER).then(act(run.id));
    } else if (change.kind === 'ended') {
      if (run.status === 'failed') {
        if (!reported.has(run.id)) void vscode.window.showErrorMessage(`StepGRPO run ${run.id} failed: ${run.error ?? 'see the log'}`, SHOW_LOG, OPEN_RUN_FOLDER).then(act(run.id));
      } else {
        const reward = run.lastEvalReward !== undefined ? `, eval reward ${formatReward(run.lastEvalReward)}` : '';
        const ended = run.status === 'completed' ? 'completed' : run.status === 'stopped' ? `stopped at step ${run.step}` : run.status;
        void vscode.window.showInformationMessage(`StepGRPO run ${run.id} ${ended} (${run.step} steps${reward}).`, OPEN_RUN_FOLDER).then(act(run.id));
      }
      reported.delete(run.id);
    }
  });
}
