// Extension entry. Activation only wires light objects; the reward engine and YAML are loaded on
// the first document that needs scoring (annotations/engine.ts, a lazily imported module).
import path from 'node:path';
import * as vscode from 'vscode';
import { AnnotationController } from './annotations/annotation-controller';
import type { AnnotationSnapshot } from './annotations/document-state';
import { AnnotationProviders } from './annotations/providers';
import { registerCommands } from './commands';
import { Disposable } from './disposable';
import { FollowedImports } from './import/followed-imports';
import type { ImportArg } from './import/import-command';
import type { RewardPresetName } from '../core/reward';
import { METRICS_VIEW_ID, MetricsViewProvider, type CompareArg } from './metrics/metrics-view';
import type { MetricsRunInfo, MetricsViewState, SeriesChunk } from '../protocol/metrics-messages';
import { RunCommands, stopTimeoutMs } from './runs/run-commands';
import { EngineRuns, integrationsFolder } from './runs/engine-runs';
import type { ViewerStepArgs } from './metrics/step-link';
import { openCliTerminal } from './runs/cli-terminal';
import { RunConfigs } from './runs/run-configs';
import { RunStatusBar, statusBarText } from './runs/run-status-bar';
import { RunManager } from './runs/run-manager';
import { notifyRunOutcomes } from './runs/run-notifications';
import type { RunState } from './runs/run-state';
import { RUNS_VIEW_ID, RunsTreeProvider, runTreeItem } from './runs/runs-tree';
import { RewardServerController } from './server/reward-server-controller';
import { ROLLOUT_VIEWER_TYPE, RolloutViewer, type ViewerPersisted, type ViewerSnapshot } from './viewer/rollout-viewer';
import { ViewerCommands } from './viewer/viewer-commands';

/** What `activate` returns; the integration tests read it through `extension.exports`. */
export interface StepGrpoApi {
  /** Wall time of `activate`, in milliseconds. */
  readonly activationMs: number;
  annotations(uri: vscode.Uri): AnnotationSnapshot | undefined;
  /** Resolves once the document's pending annotation run has been published. */
  whenAnnotated(uri: vscode.Uri): Promise<void>;
  runs: {
    get(runId: string): RunState | undefined;
    /** Resolves when a run started in this window has ended (its process has exited). */
    whenEnded(runId: string): Promise<RunState>;
    /** What the Runs view shows after a fresh scan of the run folders. */
    treeItems(): Promise<vscode.TreeItem[]>;
    /** The rows the Runs view has on screen now (no scan). */
    shownItems(): vscode.TreeItem[];
    /** The status-bar item's text, or undefined when it is hidden (no active run). */
    statusBar(): string | undefined;
  };
  metrics: {
    /** Selected runs, smoothing and hidden charts, as the Metrics view holds them. */
    state(): MetricsViewState;
    /** Every point the Metrics view knows for a run. */
    series(runId: string): SeriesChunk[];
    /** A run's row as the Metrics view lists it (status and progress). */
    runInfo(runId: string): MetricsRunInfo | undefined;
    /** Export PNG without the dialogs: the shown charts at `width` CSS pixels, written to `file`. */
    exportPng(width: number, file: string): Promise<string | undefined>;
    /** Export CSV without the dialog: every point of the selected runs, written to `file`. */
    exportCsv(file: string): Promise<string | undefined>;
    /** What a click on a chart's point does (the page posts `openStep`); resolves with the viewer command's arguments. */
    openStep(runId: string, step: number, metric: string): Promise<ViewerStepArgs | undefined>;
    /** The last step opened from a chart, and how long the viewer's command took (ms). */
    lastOpenedStep(): { args: ViewerStepArgs; ms: number } | undefined;
  };
  viewer: {
    /** The Rollout viewer's host-owned state and what it has posted to the webview. */
    snapshot(): ViewerSnapshot;
  };
}

/**
 * Where runs live: `<first workspace folder>/.stepgrpo/runs`, or the extension's global storage
 * when no folder is open. The Runs view lists the runs of every workspace folder.
 */
function runsRoots(context: vscode.ExtensionContext): string[] {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const local = folders.filter((f) => f.uri.scheme === 'file').map((f) => path.join(f.uri.fsPath, '.stepgrpo', 'runs'));
  return local.length ? local : [path.join(context.globalStorageUri.fsPath, 'runs')];
}

class StepGrpoExtension extends Disposable {
  readonly log = this._register(vscode.window.createOutputChannel('StepGRPO', { log: true }));
  readonly annotations: AnnotationController;
  readonly runManager: RunManager;
  readonly runsTree: RunsTreeProvider;
  readonly metrics: MetricsViewProvider;
  readonly viewer: RolloutViewer;
  readonly statusBar: RunStatusBar;

  constructor(context: vscode.ExtensionContext) {
    super();
    this.annotations = this._register(new AnnotationController(this.log));
    const preset = () => vscode.workspace.getConfiguration('stepgrpo').get<string>('reward.preset', 'stepgrpo');
    this._register(new AnnotationProviders(this.annotations, preset));
    const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '');
    // The manager spawns nothing until a run is started.
    const trainerJs = vscode.Uri.joinPath(context.extensionUri, 'dist', 'trainer.js').fsPath;
    this.runManager = this._register(new RunManager({ trainerJs, log: this.log }));
    const roots = () => runsRoots(context);
    this.runsTree = this._register(new RunsTreeProvider(this.runManager, roots));
    const treeView = this._register(vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this.runsTree }));
    this._register(
      this.runManager.onDidChange(() => {
        const running = this.runManager.running().length;
        treeView.badge = running ? { value: running, tooltip: `${running} StepGRPO run${running > 1 ? 's' : ''} running` } : undefined;
      }),
    );
    this.metrics = this._register(
      new MetricsViewProvider({
        extensionUri: context.extensionUri,
        manager: this.runManager,
        listRuns: () => this.runsTree.runs(),
        onRunsChanged: this.runsTree.onDidChangeTreeData,
        shownRuns: () => this.runsTree.shown,
        roots,
        memento: context.workspaceState,
        log: this.log,
      }),
    );
    this._register(vscode.window.registerWebviewViewProvider(METRICS_VIEW_ID, this.metrics));
    const runConfigs = this._register(new RunConfigs());
    this.statusBar = this._register(new RunStatusBar(this.runManager));
    const cliJs = vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
    const engineRuns = this._register(
      new EngineRuns({
        log: this.log,
        version,
        runsRoot: () => roots()[0]!,
        integrations: integrationsFolder(context.extensionUri.fsPath),
        onRunsChanged: () => this.runsTree.refreshSoon(),
        stopGraceMs: stopTimeoutMs,
        stoppable: this.runsTree.stoppable,
      }),
    );
    const runs = new RunCommands(this.runManager, this.runsTree, treeView, () => roots()[0]!, this.log, runConfigs, cliJs, engineRuns);
    this._register(notifyRunOutcomes(this.runManager, this.log, { openFolder: (runId) => runs.openRunFolder(runId), resume: (runId) => runs.resumeRun(runId) }));
    const rewardServer = this._register(
      new RewardServerController(
        this.log,
        version,
        () => roots()[0]!,
        () => this.runsTree.refreshSoon(),
      ),
    );
    const viewerCommands = new ViewerCommands(this.runManager, () => this.runsTree.runs());
    this.viewer = this._register(
      new RolloutViewer(context.extensionUri, this.runManager, this.log, (purpose) => viewerCommands.pick(this.viewer.snapshot().state.run?.id, purpose)),
    );
    const openViewer = (arg?: Parameters<ViewerCommands['open']>[1]) => viewerCommands.open(this.viewer, arg);
    const showViewerStep = (arg: unknown) => viewerCommands.showStep(this.viewer, arg);
    const compareInViewer = (arg?: Parameters<ViewerCommands['compare']>[1]) => viewerCommands.compare(this.viewer, arg);
    // After Reload Window, VS Code hands back the panel it had, with the run the page persisted.
    this._register(
      vscode.window.registerWebviewPanelSerializer(ROLLOUT_VIEWER_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => this.viewer.restore(panel, state as ViewerPersisted | undefined),
      }),
    );
    const runsChanged = () => this.runsTree.refreshSoon();
    const follows = this._register(new FollowedImports({ state: context.workspaceState, stoppable: this.runsTree.stoppable, log: this.log, runsChanged }));
    const importDeps = { runsRoot: () => roots()[0]!, preset: () => preset() as RewardPresetName, log: this.log, follows, runsChanged };
    // What this workspace followed when its last window closed (a Reload Window) is followed again.
    if (follows.saved.length) void import('./import/import-command').then((m) => m.resumeFollowing(importDeps));
    const importRollouts = async (arg?: ImportArg) => {
      const result = await (await import('./import/import-command')).importRollouts(arg, importDeps);
      if (result) this.runsTree.refreshSoon();
      return result;
    };
    const compareInMetrics = (arg?: CompareArg) => this.metrics.compare(arg);
    // A run started here (Start, Resume, Restart from Checkpoint) opens in the Rollout viewer unless the
    // setting says no, once its trainer has said hello: before that its folder may not exist, and a
    // panel opened on a missing folder read the run as over.
    const awaitingHello = new Set<string>();
    this._register(
      this.runManager.onDidChange((change) => {
        if (change.kind === 'started' && vscode.workspace.getConfiguration('stepgrpo').get<boolean>('viewer.openOnStart', true)) awaitingHello.add(change.run.id);
        else if (change.kind === 'event' && change.event.type === 'hello' && awaitingHello.delete(change.run.id)) void openViewer({ runId: change.run.id });
        else if (change.kind === 'ended') awaitingHello.delete(change.run.id);
      }),
    );
    for (const d of registerCommands({
      controller: this.annotations,
      runs,
      runConfigs,
      rewardServer,
      log: this.log,
      openViewer,
      showViewerStep,
      compareInViewer,
      importRollouts,
      compareInMetrics,
      metricsShowStep: (arg) => this.metrics.showStep(arg),
      openCliTerminal: () => openCliTerminal(context).shim,
    }))
      this._register(d);
  }
}

export function activate(context: vscode.ExtensionContext): StepGrpoApi {
  const started = performance.now();
  const extension = new StepGrpoExtension(context);
  context.subscriptions.push(extension);
  const activationMs = performance.now() - started;
  extension.log.info(`StepGRPO Studio activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    annotations: (uri) => extension.annotations.snapshot(uri),
    whenAnnotated: (uri) => extension.annotations.whenAnalysed(uri),
    runs: {
      get: (runId) => extension.runManager.get(runId),
      whenEnded: (runId) => extension.runManager.whenEnded(runId),
      treeItems: async () => (await extension.runsTree.runs()).map(runTreeItem),
      shownItems: () => extension.runsTree.onScreen.map(runTreeItem),
      statusBar: () => {
        const run = extension.statusBar.shown;
        return run && statusBarText(run);
      },
    },
    metrics: {
      state: () => extension.metrics.viewState,
      series: (runId) => extension.metrics.series(runId),
      runInfo: (runId) => extension.metrics.runInfo(runId),
      exportPng: (width, file) => extension.metrics.exportPng({ width, file }),
      exportCsv: (file) => extension.metrics.exportCsv({ file }),
      openStep: (runId, step, metric) => extension.metrics.openStep(runId, step, metric),
      lastOpenedStep: () => extension.metrics.lastOpenedStep,
    },
    viewer: { snapshot: () => extension.viewer.snapshot() },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
