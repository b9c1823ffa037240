// Start StepGRPO Run, the run controls (Pause, Resume, Checkpoint Now, Stop, Resume Run, Restart
// from Checkpoint) and Open Run Folder (DESIGN §9). Each accepts an optional argument (a tree item's
// run, or `{preset}` / `{runId}` from scripts and tests) so no picker is needed.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunManager } from './run-manager';
import { RUN_FILES } from '../../rundir/run-files';
import { describeProgress, isResumable, isTerminal, STATUS_LABELS, type RunState } from './run-state';
import type { RunsTreeProvider } from './runs-tree';
import type { LocatedConfigIssue } from '../../protocol/run-config-check';
import type { RunConfigs } from './run-configs';
import { RUN_PRESETS } from '../../protocol/run-presets';
import { pickHfModel, writeHfRunConfig } from './hf-model-picker';
import type { EngineRuns } from './engine-runs';
import type { EngineConfig } from '../../protocol/engine-config';
import { readFolderImport } from '../../server/import/import-cursor';

/** The trainer's presets (src/trainer/config.ts TRAIN_PRESETS), as offered in the picker. */

export interface StartRunArgs {
  preset?: string;
  /** A JSON config file laid over the preset (demo when no preset is given). */
  configFile?: string;
  /**
   * A Hugging Face model (a folder or a cached id): a run config for it is written beside the runs
   * (`.stepgrpo/configs/`) and started, so the user sees and can edit what ran; with a preset, the
   * preset sets the budget and the config only the model and the task.
   */
  hf?: string;
  /** Internal: the picker's "a Hugging Face model…" item (asks for the model next). */
  pickHf?: boolean;
}

export interface StartRunResult {
  runId: string;
  dir: string;
}

/** A config file that failed the check: no trainer was started. */
export interface RefusedRunResult {
  configIssues: LocatedConfigIssue[];
}

/** What Stop Run / Open Run Folder accept: a run from the tree, `{runId}`, or a run id. */
export type RunArg = RunState | { runId: string } | string | undefined;

/** Stop Run's grace before SIGTERM (and as long again before SIGKILL): the setting, in seconds. */
export function stopTimeoutMs(): number {
  return Math.max(1, vscode.workspace.getConfiguration('stepgrpo').get<number>('runs.stopTimeoutSeconds', 120)) * 1000;
}

/** The `stepgrpo.runtime.executionProvider` setting as an override of the run config's, or undefined for "config". */
export function executionProviderOverride(): string | undefined {
  const ep = vscode.workspace.getConfiguration('stepgrpo').get<string>('runtime.executionProvider', 'config');
  return ep === 'config' ? undefined : ep;
}

export type ControlCommand = 'pause' | 'resume' | 'checkpoint';

const CONTROL_WORDS: Record<ControlCommand, { verb: string; wants: (run: RunState) => boolean; doing: string }> = {
  pause: { verb: 'pause', wants: (r) => r.status === 'running' || r.status === 'starting', doing: 'pausing after the current step' },
  resume: { verb: 'resume', wants: (r) => r.status === 'paused', doing: 'resuming' },
  checkpoint: { verb: 'checkpoint', wants: (r) => r.status === 'running' || r.status === 'paused', doing: 'writing a checkpoint after the current step' },
};

export class RunCommands {
  constructor(
    private readonly manager: RunManager,
    private readonly tree: RunsTreeProvider,
    private readonly treeView: vscode.TreeView<RunState>,
    private readonly runsRoot: () => string,
    private readonly log: vscode.LogOutputChannel,
    private readonly configs: RunConfigs,
    /** dist/cli.js, which lists the Hugging Face cache for the model picker. */
    private readonly cliJs: string,
    /** Configs with `engine` launch an external engine instead of the trainer. */
    private readonly engines: EngineRuns,
  ) {}

  async startRun(args?: StartRunArgs): Promise<StartRunResult | RefusedRunResult | undefined> {
    let choice = args?.preset || args?.configFile || args?.hf ? args : await this.pickRunSource();
    if (choice?.pickHf) {
      const hf = await pickHfModel(this.cliJs, this.log);
      choice = hf ? { hf } : undefined;
    }
    if (!choice) return undefined;
    if (choice.hf) {
      // runsRoot is <workspace>/.stepgrpo/runs: the config goes to <workspace>/.stepgrpo/configs.
      const configFile = writeHfRunConfig(path.dirname(path.dirname(this.runsRoot())), choice.hf, !choice.preset);
      this.log.info(`wrote ${configFile} for ${choice.hf}`);
      void vscode.window.showTextDocument(vscode.Uri.file(configFile), { preview: true, preserveFocus: true });
      choice = { ...(choice.preset ? { preset: choice.preset } : {}), configFile };
    }
    if (choice.configFile) {
      // A wrong field fails here, named in the editor, before a trainer is spawned.
      const issues = await this.configs.check(choice.configFile).catch((err: Error) => [{ path: '', message: err.message, start: 0, end: 0 }]);
      if (issues.length) {
        const first = issues[0]!;
        const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
        void vscode.window.showErrorMessage(
          `StepGRPO: ${path.basename(choice.configFile)}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}. The run was not started.`,
        );
        if (first.end > 0) void this.configs.reveal(choice.configFile, first);
        return { configIssues: issues };
      }
      const engine = (JSON.parse((await this.configs.text(choice.configFile)).replace(/^\uFEFF/, '')) as { engine?: EngineConfig }).engine;
      if (engine) return this.startEngine(choice.configFile, engine);
    }
    const controller = new AbortController();
    let run: RunState;
    try {
      run = this.manager.start({
        runsRoot: this.runsRoot(),
        preset: choice.preset,
        configFile: choice.configFile,
        executionProvider: executionProviderOverride(),
        signal: controller.signal,
      });
    } catch (err) {
      const message = `StepGRPO: could not start the run: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    void this.showProgress(run, controller);
    return { runId: run.id, dir: run.dir };
  }

  private async startEngine(configFile: string, engine: EngineConfig): Promise<StartRunResult | undefined> {
    try {
      return await this.engines.start(configFile, engine);
    } catch (err) {
      const message = `StepGRPO: ${path.basename(configFile)}: could not start the ${engine.kind} engine: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
  }

  async stopRun(arg?: RunArg): Promise<{ runId: string; stopped: boolean } | undefined> {
    // Launched engines and followed imports: not the manager's, stopped through the Runs view's registry.
    const { stoppable } = this.tree;
    const others = async (): Promise<RunState[]> => (await this.tree.runs()).filter((r) => stoppable.has(r.dir) && !isTerminal(r.status));
    const run =
      (await this.resolveRun(arg, 'running')) ??
      (await this.pick([...this.manager.running(), ...(await others())], 'Stop which run?', 'No StepGRPO run is running in this window.'));
    if (!run) return undefined;
    if (stoppable.has(run.dir)) return { runId: run.id, stopped: await stoppable.stop(run.dir) };
    const live = this.manager.get(run.id);
    if (!live || isTerminal(live.status)) {
      const why = live ? `it has already ${live.status === 'failed' ? 'failed' : 'ended'}` : 'it was not started in this window (stop a CLI run from its terminal)';
      void vscode.window.showWarningMessage(`StepGRPO: cannot stop ${run.id}: ${why}.`);
      return { runId: run.id, stopped: false };
    }
    const forceAfter = stopTimeoutMs();
    const stopped = this.manager.stop(run.id, forceAfter);
    if (stopped) {
      // Gone when the run has ended, however soon: "stopping…" must not outlive the stop.
      const message = vscode.window.setStatusBarMessage(`StepGRPO: stopping ${run.id} after the current step (forced after ${forceAfter / 1000} s)…`, 5000);
      void this.manager.whenEnded(run.id).then(
        () => message.dispose(),
        () => message.dispose(),
      );
    }
    return { runId: run.id, stopped };
  }

  /** Pause, Resume (a paused run) or Checkpoint Now; the trainer confirms with events the run state follows. */
  async control(type: ControlCommand, arg?: RunArg): Promise<{ runId: string; sent: boolean } | undefined> {
    const words = CONTROL_WORDS[type];
    const candidates = this.manager.running().filter(words.wants);
    const run =
      (await this.resolveRun(arg, 'running')) ??
      (await this.pick(candidates, `${words.verb[0]!.toUpperCase()}${words.verb.slice(1)} which run?`, `No run of this window can ${words.verb} now.`));
    if (!run) return undefined;
    const live = this.manager.get(run.id);
    if (!live || !words.wants(live)) {
      const why = live ? `it is ${STATUS_LABELS[live.status]}` : 'it was not started in this window';
      void vscode.window.showWarningMessage(`StepGRPO: cannot ${words.verb} ${run.id}: ${why}.`);
      return { runId: run.id, sent: false };
    }
    const sent = this.manager.command(run.id, type);
    if (sent) void vscode.window.setStatusBarMessage(`StepGRPO: ${run.id}: ${words.doing}…`, 5000);
    return { runId: run.id, sent };
  }

  /** Resume Run: a stopped, failed or interrupted run continues in its folder from its latest checkpoint. */
  async resumeRun(arg?: RunArg): Promise<StartRunResult | undefined> {
    const runs = await this.tree.runs();
    const run =
      (await this.resolveRun(arg, 'any')) ??
      (await this.pick(
        runs.filter((r) => isResumable(r.status)),
        'Resume which run?',
        'No stopped, failed or interrupted run to resume.',
      ));
    if (!run) return undefined;
    const current = this.manager.get(run.id) ?? run;
    if (!isResumable(current.status)) {
      void vscode.window.showWarningMessage(`StepGRPO: ${run.id} is ${STATUS_LABELS[current.status]}; only a stopped, failed or interrupted run can be resumed.`);
      return undefined;
    }
    // An engine folder's import has no trainer to resume: its folder is followed again, from its cursor.
    const imported = readFolderImport(run.dir);
    if (imported) return vscode.commands.executeCommand<StartRunResult | undefined>('stepgrpo.importRollouts', { folder: imported.source, runDir: run.dir, follow: true });
    const controller = new AbortController();
    let resumed: RunState;
    try {
      resumed = this.manager.resume({ dir: run.dir, prior: current, signal: controller.signal });
    } catch (err) {
      const message = `StepGRPO: could not resume ${run.id}: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    void this.showProgress(resumed, controller);
    return { runId: resumed.id, dir: resumed.dir };
  }

  /** Restart from a checkpoint: a new run (a branch) whose policy starts from one of the run's checkpoints. */
  async branchRun(arg?: RunArg, checkpointArg?: string): Promise<StartRunResult | undefined> {
    const run = (await this.resolveRun(arg, 'any')) ?? (await this.pick(await this.tree.runs(), 'Restart from a checkpoint of which run?', 'There are no StepGRPO runs yet.'));
    if (!run) return undefined;
    const checkpoint = checkpointArg ?? (await this.pickCheckpoint(run));
    if (!checkpoint) return undefined;
    const controller = new AbortController();
    let branch: RunState;
    try {
      branch = this.manager.branch({ runsRoot: this.runsRoot(), sourceDir: run.dir, checkpoint, executionProvider: executionProviderOverride(), signal: controller.signal });
    } catch (err) {
      const message = `StepGRPO: could not restart from ${path.basename(checkpoint)}: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    void this.showProgress(branch, controller);
    return { runId: branch.id, dir: branch.dir };
  }

  private async pickCheckpoint(run: RunState): Promise<string | undefined> {
    const dir = path.join(run.dir, 'checkpoints');
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^step-\d+$/.test(n) && fs.existsSync(path.join(dir, n, 'state.json'))) : [];
    if (names.length === 0) {
      void vscode.window.showInformationMessage(`StepGRPO: ${run.id} has no complete checkpoint yet.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      names
        .sort()
        .reverse()
        .map((n) => ({ label: n, description: `step ${Number(n.slice(5))}`, path: path.join(dir, n) })),
      { title: `Restart from a checkpoint of ${run.id}`, placeHolder: "The branch runs RL from this checkpoint with the run's config, in a new run folder" },
    );
    return picked?.path;
  }

  /**
   * Shows the run folder without leaving the window (revealFileInOS does not exist in
   * code-server): reveals it in the Explorer when it is inside the workspace, and opens its
   * config.json (or trainer.log for a run that failed before writing one).
   */
  async openRunFolder(arg?: RunArg): Promise<{ dir: string; opened?: string; revealed: boolean } | undefined> {
    const run = (await this.resolveRun(arg, 'any')) ?? (await this.pick(await this.tree.runs(), 'Open the folder of which run?', 'There are no StepGRPO runs yet.'));
    if (!run) return undefined;
    const dirUri = vscode.Uri.file(run.dir);
    let revealed = false;
    if (vscode.workspace.getWorkspaceFolder(dirUri)) {
      await vscode.commands.executeCommand('revealInExplorer', dirUri);
      revealed = true;
    }
    const file = [RUN_FILES.config, RUN_FILES.events, RUN_FILES.log].map((f) => path.join(run.dir, f)).find((f) => fs.existsSync(f));
    if (file) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    if (!revealed) {
      const copy = 'Copy Path';
      void vscode.window.showInformationMessage(`StepGRPO run folder: ${run.dir}`, copy).then((c) => (c === copy ? vscode.env.clipboard.writeText(run.dir) : undefined));
    }
    return { dir: run.dir, opened: file, revealed };
  }

  private async pickRunSource(): Promise<StartRunArgs | undefined> {
    type Item = vscode.QuickPickItem & { args?: StartRunArgs };
    const files = await this.configs.workspaceConfigs();
    const items: Item[] = [
      ...RUN_PRESETS.map((p) => ({ label: `$(rocket) ${p.name}`, detail: p.detail, args: { preset: p.name } })),
      {
        label: '$(hubot) A Hugging Face model…',
        detail: 'Llama, Qwen2, Qwen3 or SmolLM2 from a folder or the Hugging Face cache: LoRA, SFT then StepGRPO on the text form of the task.',
        args: { pickHf: true },
      },
      ...(files.length ? [{ label: 'Run configs in this workspace', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...files.map((f) => ({ label: `$(json) ${path.basename(f.fsPath)}`, detail: vscode.workspace.asRelativePath(f), args: { configFile: f.fsPath } })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(json) Config file…', detail: 'A JSON run config (any field of the trainer config; the rest comes from the demo preset).' },
      { label: '$(new-file) New Run Config…', detail: 'Write a starting *.stepgrpo.json with the defaults, validated and completed as you edit.', args: {} },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Start StepGRPO Run', placeHolder: 'Pick a preset or a config file' });
    if (!picked) return undefined;
    if (picked.args?.pickHf) return picked.args;
    if (picked.args && !picked.args.preset && !picked.args.configFile) {
      await this.configs.create();
      return undefined;
    }
    if (picked.args) return picked.args;
    const chosen = await vscode.window.showOpenDialog({
      title: 'StepGRPO run config',
      canSelectMany: false,
      filters: { 'JSON config': ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    const file = chosen?.[0];
    return file ? { configFile: file.fsPath } : undefined;
  }

  /** A notification with step/total that follows the run; Cancel sends `stop`. */
  private showProgress(run: RunState, controller: AbortController): Thenable<void> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `StepGRPO ${run.id}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          let done = 0;
          const update = (state: RunState): void => {
            const total = state.totalSteps;
            const fraction = total ? Math.min(1, state.step / total) : 0;
            const increment = Math.max(0, fraction * 100 - done);
            done += increment;
            const stopping = controller.signal.aborted || state.status === 'stopping';
            progress.report({ message: stopping ? `stopping after the current step… (${describeProgress(state)})` : describeProgress(state), increment });
          };
          update(run);
          const cancel = token.onCancellationRequested(() => {
            this.log.info(`[${run.id}] cancelled from the progress notification`);
            controller.abort();
          });
          const sub = this.manager.onDidChange((change) => {
            if (change.run.id !== run.id) return;
            if (change.kind === 'ended') {
              sub.dispose();
              cancel.dispose();
              resolve();
            } else update(change.run);
          });
        }),
    );
  }

  private async resolveRun(arg: RunArg, want: 'running' | 'any'): Promise<RunState | undefined> {
    const id = typeof arg === 'string' ? arg : arg && 'runId' in arg ? arg.runId : arg?.id;
    if (id) {
      const run = this.manager.get(id) ?? (await this.tree.runs()).find((r) => r.id === id);
      if (!run) throw new Error(`StepGRPO: no run "${id}"`);
      return run;
    }
    const selected = this.treeView.selection[0];
    if (selected && (want === 'any' || !isTerminal(selected.status))) return selected;
    if (want === 'running') {
      const running = this.manager.running();
      if (running.length === 1) return running[0];
    }
    return undefined;
  }

  private async pick(runs: readonly RunState[], placeHolder: string, empty: string): Promise<RunState | undefined> {
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(`StepGRPO: ${empty}`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((run) => ({ label: run.id, description: `${run.status} · ${describeProgress(run)}`, run })),
      { placeHolder },
    );
    return picked?.run;
  }
}
