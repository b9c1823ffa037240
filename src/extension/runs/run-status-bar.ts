// The status-bar item of the active run: the newest run of this window that is not over (running,
// paused, stopping), with its step, mean reward and tokens/s; a click opens the Rollout viewer on
// it. Hidden when no run of this window is active.
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import type { RunManager } from './run-manager';
import { STATUS_LABELS, statusBarText, type RunState } from './run-state';

export { statusBarText } from './run-state';

export const OPEN_VIEWER_COMMAND = 'stepgrpo.openRolloutViewer';

export class RunStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('stepgrpo.activeRun', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly manager: RunManager) {
    super();
    this.item.name = 'StepGRPO active run';
    this._register(manager.onDidChange(() => this.update()));
  }

  /** The run the item shows, if any. */
  get shown(): RunState | undefined {
    return this.manager.running()[0];
  }

  private update(): void {
    const run = this.shown;
    if (!run) {
      this.item.hide();
      return;
    }
    this.item.text = statusBarText(run);
    this.item.tooltip = `StepGRPO run ${run.id} (${STATUS_LABELS[run.status]}${run.phase ? `, ${run.phase.toUpperCase()}` : ''}). Click to open it in the Rollout viewer.`;
    this.item.command = { title: 'Open Rollout Viewer', command: OPEN_VIEWER_COMMAND, arguments: [{ runId: run.id }] };
    this.item.show();
  }
}
