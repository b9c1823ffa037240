// Open Rollout Viewer: the run comes from the Runs tree's context menu (a RunState), an argument
// (`{runDir}` for any folder, e.g. a CLI run; `{runId}`; a run id), or a quick pick of the runs.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { describeIssue, parse } from '../../protocol/schema';
import { showStepArgsSchema } from '../../protocol/viewer-messages';
import type { RunManager } from '../runs/run-manager';
import { describeProgress, type RunState } from '../runs/run-state';
import { runRefFromDir, type RolloutViewer, type RunPickPurpose, type ViewerRunRef } from './rollout-viewer';

export type ViewerArg = RunState | { runDir: string } | { runId: string } | string | undefined;

export interface OpenViewerResult {
  runId: string;
  dir: string;
}

export interface ShowStepResult extends OpenViewerResult {
  step: number;
}

export class ViewerCommands {
  constructor(
    private readonly manager: RunManager,
    private readonly listRuns: () => Promise<RunState[]>,
  ) {}

  async resolve(arg: ViewerArg): Promise<ViewerRunRef | undefined> {
    if (arg && typeof arg === 'object' && 'runDir' in arg) {
      const dir = path.resolve(arg.runDir);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`StepGRPO: run folder not found: ${dir}`);
      return runRefFromDir(dir);
    }
    const id = typeof arg === 'string' ? arg : arg && 'runId' in arg ? arg.runId : arg?.id;
    if (id) {
      const run = this.manager.get(id) ?? (await this.listRuns()).find((r) => r.id === id);
      if (!run) throw new Error(`StepGRPO: no run "${id}"`);
      return { id: run.id, dir: run.dir };
    }
    return undefined;
  }

  async pick(current?: string, purpose: RunPickPurpose = 'show'): Promise<ViewerRunRef | undefined> {
    const runs = (await this.listRuns()).filter((run) => purpose === 'show' || run.id !== current);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('StepGRPO: there are no runs yet. Start one with "StepGRPO: Start StepGRPO Run", or pass {runDir} for a folder elsewhere.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: run.id, description: `${run.id === current ? 'shown · ' : ''}${run.status} · ${describeProgress(run)}`, detail: run.dir, run })),
      purpose === 'show'
        ? { title: 'Open Rollout Viewer', placeHolder: 'Show the rollouts of which run?' }
        : { title: 'Compare Rollouts with Run', placeHolder: `Show which run beside ${current ?? 'the shown one'}, step by step?` },
    );
    return picked ? { id: picked.run.id, dir: picked.run.dir } : undefined;
  }

  /** resolve(), its error shown to the user (then null). */
  private async resolveOrSay(arg: ViewerArg): Promise<{ run: ViewerRunRef | undefined } | null> {
    try {
      return { run: await this.resolve(arg) };
    } catch (err) {
      void vscode.window.showErrorMessage((err as Error).message);
      return null;
    }
  }

  async open(viewer: RolloutViewer, arg: ViewerArg): Promise<OpenViewerResult | undefined> {
    const resolved = await this.resolveOrSay(arg);
    if (!resolved) return undefined;
    let { run } = resolved;
    if (!run) {
      run = await this.pick(viewer.snapshot().state.run?.id);
      if (!run) return undefined;
    }
    await viewer.open(run);
    const shown = viewer.snapshot().state.run;
    return shown ? { runId: shown.id, dir: shown.dir } : undefined;
  }

  /**
   * `stepgrpo.viewer.compareWith [run]`: the run (an argument as for Open Rollout Viewer, else a
   * quick pick) beside the one the viewer shows; resolves to the two runs, or undefined.
   */
  async compare(viewer: RolloutViewer, arg: ViewerArg): Promise<{ shown: string; compared: string } | undefined> {
    const resolved = await this.resolveOrSay(arg);
    if (!resolved) return undefined;
    const { run } = resolved;
    await viewer.open(undefined);
    await viewer.compareWith(run);
    const { state } = viewer.snapshot();
    return state.run && state.compare ? { shown: state.run.id, compared: state.compare.id } : undefined;
  }

  /**
   * `stepgrpo.viewer.showStep {runDir, step, promptId?, filter?}`: the panel on that run folder at
   * that step. A bad argument is refused naming the field; resolves to what is shown, or undefined.
   */
  async showStep(viewer: RolloutViewer, arg: unknown): Promise<ShowStepResult | undefined> {
    const checked = parse(showStepArgsSchema, arg, '', 'argument');
    if (!checked.ok) {
      void vscode.window.showErrorMessage(`StepGRPO: Show Step in Rollout Viewer: ${describeIssue(checked.issue)}`);
      return undefined;
    }
    const { runDir, ...at } = checked.value;
    const run = (await this.resolveOrSay({ runDir }))?.run;
    if (!run) return undefined;
    await viewer.showStep(run, at);
    const shown = viewer.snapshot().state;
    return shown.run ? { runId: shown.run.id, dir: shown.run.dir, step: at.step } : undefined;
  }
}
