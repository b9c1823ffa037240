// The Metrics webview view (DESIGN §9): live charts of the §3 metrics for the selected runs. Points
// come from the RunManager's events (runs of this window) and from each run's metrics.jsonl (runs
// from the CLI or an earlier window, finished runs). The host owns the state and replays it with
// every series when the webview says `ready` (WebviewHost); updates are batched to at most 4
// messages a second.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  parseMetricsToHost,
  type HostToMetricsMessage,
  type MetricsRunInfo,
  type MetricsToHostMessage,
  type MetricsViewState,
  type SeriesChunk,
} from '../../protocol/metrics-messages';
import { describeProblem, EventLogReader } from '../../rundir/event-log-reader';
import { RUN_FILES } from '../../rundir/run-files';
import { newestFirst } from '../runs/run-directory-reader';
import type { RunChange, RunManager } from '../runs/run-manager';
import { describeProgress, type RunState } from '../runs/run-state';
import { WebviewHost } from '../webview-host';
import { metricsCsv, pngBytes } from './metrics-export';
import { pickPngWidth } from './png-width';
import { readBranchStepOffset } from './branch-offset';
import { CurveTracker, type CurveEvent } from './curve-tracker';
import { VIEWER_SHOW_STEP, viewerStepArgs, type ViewerStepArgs } from './step-link';
import { MetricStore } from './metric-store';
import { isSelected, keepRuns, restoreViewState, selectRun, setMetricHidden, setSmoothing } from './view-state';
import { Coalescer } from '../coalescer';

export const METRICS_VIEW_ID = 'stepgrpo.metrics';
const STATE_KEY = 'stepgrpo.metrics.viewState';
/** At most 4 updates a second reach the webview, however fast the trainer reports. */
export const FLUSH_MS = 250;
/** Folder rescans triggered by the Runs view's watchers, at most one per second. */
const RESCAN_MS = 1000;
/** How often a shown view reads on the selected runs that another process writes. */
const FOLLOW_MS = 1000;

export interface MetricsViewOptions {
  extensionUri: vscode.Uri;
  manager: RunManager;
  /** Every run (run folders merged with this window's live runs), newest first. */
  listRuns: () => Promise<RunState[]>;
  /** Fires when the run folders or live runs change (the Runs view's refresh event). */
  onRunsChanged: vscode.Event<unknown>;
  /** The runs as the Runs view last scanned them: their states are shown at once on a change. */
  shownRuns: () => readonly RunState[];
  /** Folders holding run folders, watched for metrics.jsonl appends of runs started elsewhere. */
  roots: () => string[];
  memento: vscode.Memento;
  log: vscode.LogOutputChannel;
}

/** A composed PNG comes back within this time, or the export says the page did not answer. */
const PNG_TIMEOUT_MS = 15_000;

/** The step of a run that `stepgrpo.metrics.showStep` marks: `runId`, or the run folder `runDir`. */
export interface MetricsStepArg {
  runId?: string;
  runDir?: string;
  step: number;
}

/** A run's followed files: its metrics, and its rollouts for the learning curves. */
interface RunTail {
  metrics: EventLogReader;
  rollouts: EventLogReader;
  curves: CurveTracker;
}

/** What Compare in Metrics accepts: tree items (one, or the multi-selection), `{runId}`, ids. */
export type CompareArg = RunState | { runId: string } | string | readonly (RunState | { runId: string } | string)[] | undefined;

export class MetricsViewProvider extends WebviewHost<MetricsToHostMessage, HostToMetricsMessage> implements vscode.WebviewViewProvider {
  private state: MetricsViewState;
  private readonly runs = new Map<string, RunState>();
  private readonly store = new MetricStore();
  /** Runs whose metrics.jsonl and rollouts.jsonl have been read (the tails follow later appends). */
  private readonly tails = new Map<string, RunTail>();
  private readonly loads = new Map<string, Promise<void>>();
  private readonly flushes = this._register(new Coalescer(FLUSH_MS, () => this.flush()));
  private readonly rescans = this._register(new Coalescer(RESCAN_MS, () => void this.rescan()));
  private runsDirty = false;
  private scanned = false;
  private rescanWhenShown = false;
  private watching = false;
  private highlighted: { runId: string; step: number } | undefined;
  /** Per run, the step its own step 0 is plotted at (branch-offset.ts). */
  private readonly offsets = new Map<string, number>();
  private pngRequestId = 0;
  private readonly pngRequests = new Map<number, (dataUri: string) => void>();
  /** The last chart click handed to the viewer, with how long the command took (tests, the latency print). */
  lastOpenedStep: { args: ViewerStepArgs; ms: number } | undefined;

  constructor(private readonly options: MetricsViewOptions) {
    super(options.extensionUri, options.log, 'metrics', parseMetricsToHost);
    this.state = restoreViewState(options.memento.get(STATE_KEY));
    this._register(options.manager.onDidChange((change) => this.onRunChange(change)));
    this._register(
      options.onRunsChanged(() => {
        // The Runs view has just scanned: its states are fresh; the rescan still lists new runs.
        this.adoptStates(options.shownRuns());
        this.rescanSoon();
      }),
    );
    // File watchers can miss appends (and do for a run resumed from a terminal): the folder is polled too.
    const follow = setInterval(() => {
      if (this.visible) this.readOnSelected();
    }, FOLLOW_MS);
    this._register({ dispose: () => clearInterval(follow) });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view, view.onDidChangeVisibility, { name: 'metrics', title: 'StepGRPO Metrics', body: '<div id="metrics-app" aria-busy="true"></div>\n' });
    this.watchRoots();
    void this.rescan();
  }

  /** For tests and the API: the state the view shows. */
  get viewState(): MetricsViewState {
    return this.state;
  }

  /** For tests and the API: a run's row as the view lists it (status and progress). */
  runInfo(runId: string): MetricsRunInfo | undefined {
    return this.runInfos().find((r) => r.runId === runId);
  }

  /** For tests and the API: what is known of a run's metrics. */
  series(runId: string): SeriesChunk[] {
    return this.store.chunks(runId);
  }

  /** Compare in Metrics: adds runs to the charts and reveals the view. */
  async compare(arg?: CompareArg): Promise<{ selected: string[] }> {
    let ids = toRunIds(arg);
    if (ids.length === 0) {
      const runs = await this.options.listRuns();
      const picked = await vscode.window.showQuickPick(
        runs.map((r) => ({ label: r.id, description: describeProgress(r), picked: isSelected(this.state, r.id) })),
        { canPickMany: true, title: 'Compare runs in Metrics' },
      );
      if (!picked) return { selected: this.state.selected.map((s) => s.runId) };
      ids = picked.map((p) => p.label);
      for (const s of this.state.selected) if (!ids.includes(s.runId)) this.setState(selectRun(this.state, s.runId, false));
    }
    if (ids.some((id) => !this.runs.has(id))) await this.rescan();
    for (const id of ids) {
      if (!this.runs.has(id)) {
        void vscode.window.showWarningMessage(`StepGRPO: no run "${id}" in the runs folders.`);
        continue;
      }
      this.select(id, true);
    }
    this.post({ type: 'state', state: this.state });
    await vscode.commands.executeCommand(`${METRICS_VIEW_ID}.focus`);
    await Promise.all(ids.map((id) => this.loads.get(id)));
    return { selected: this.state.selected.map((s) => s.runId) };
  }

  protected override handle(message: MetricsToHostMessage): void {
    switch (message.type) {
      case 'selectRun':
        this.select(message.runId, message.selected);
        this.post({ type: 'state', state: this.state });
        break;
      case 'setSmoothing':
        this.setState(setSmoothing(this.state, message.smoothing));
        break;
      case 'setMetricHidden':
        this.setState(setMetricHidden(this.state, message.metric, message.hidden));
        break;
      case 'exportCsv':
        void this.exportCsv();
        break;
      case 'exportPng':
        void this.exportPng();
        break;
      case 'png':
        this.pngRequests.get(message.requestId)?.(message.dataUri);
        break;
      case 'openStep':
        void this.openStep(message.runId, message.step, message.metric);
        break;
    }
  }

  /** Export CSV: every point of the selected runs, saved to `file` (asked when not given). Resolves to the file written, or undefined when cancelled. */
  async exportCsv(options: { file?: string } = {}): Promise<string | undefined> {
    const chunks = this.state.selected.flatMap((s) => this.store.chunks(s.runId));
    const bytes = Buffer.from(metricsCsv(chunks), 'utf8');
    return this.save('csv', bytes, options.file);
  }

  /**
   * Export PNG: the shown charts at `width` CSS pixels (asked when not given), saved to `file`
   * (asked when not given). Resolves to the file written, or undefined when cancelled or failed.
   */
  async exportPng(options: { width?: number; file?: string } = {}): Promise<string | undefined> {
    const width = options.width ?? (await pickPngWidth());
    if (width === undefined) return undefined;
    let dataUri: string;
    try {
      dataUri = await this.composePng(width);
    } catch (err) {
      void vscode.window.showErrorMessage(`StepGRPO: ${(err as Error).message}`);
      return undefined;
    }
    const bytes = pngBytes(dataUri);
    if (!bytes) {
      this.log.warn('[metrics] the exported image is not a PNG; nothing saved');
      return undefined;
    }
    return this.save('png', bytes, options.file);
  }

  private async composePng(width: number): Promise<string> {
    if (!this.ready) await vscode.commands.executeCommand(`${METRICS_VIEW_ID}.focus`);
    // A view shown again reloads its page: the request waits for its `ready` (posts before it are dropped).
    const deadline = Date.now() + PNG_TIMEOUT_MS;
    while (!this.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const requestId = ++this.pngRequestId;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pngRequests.delete(requestId);
        reject(new Error(`the Metrics view did not paint the PNG within ${PNG_TIMEOUT_MS / 1000} s (is it open?)`));
      }, PNG_TIMEOUT_MS);
      this.pngRequests.set(requestId, (dataUri) => {
        clearTimeout(timer);
        this.pngRequests.delete(requestId);
        resolve(dataUri);
      });
      this.post({ type: 'composePng', requestId, width });
    });
  }

  /** A chart click: that run at that step in the Rollout viewer (a learning curve's point also filters its samples). */
  async openStep(runId: string, step: number, metric: string): Promise<ViewerStepArgs | undefined> {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    const args = viewerStepArgs(run.dir, step - this.stepOffset(runId), metric);
    const started = performance.now();
    try {
      await vscode.commands.executeCommand(VIEWER_SHOW_STEP, args);
    } catch (err) {
      const message = `StepGRPO: could not open step ${step} of ${runId} in the Rollout viewer: ${(err as Error).message}`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    this.lastOpenedStep = { args, ms: performance.now() - started };
    return args;
  }

  /** `stepgrpo.metrics.showStep`: the step the viewer shows, marked on every chart; its run is selected if it was not. */
  async showStep(arg: MetricsStepArg | undefined): Promise<{ runId: string; step: number } | undefined> {
    if (!arg) return undefined;
    if (!this.runs.size) await this.rescan();
    const run =
      arg.runId !== undefined ? this.runs.get(arg.runId) : [...this.runs.values()].find((r) => arg.runDir !== undefined && path.resolve(r.dir) === path.resolve(arg.runDir));
    if (!run || !Number.isInteger(arg.step)) {
      void vscode.window.showWarningMessage(`StepGRPO: no run ${arg.runId ?? arg.runDir ?? ''} to show in Metrics.`);
      return undefined;
    }
    if (!isSelected(this.state, run.id)) this.select(run.id, true);
    this.highlighted = { runId: run.id, step: arg.step + this.stepOffset(run.id) };
    this.post({ type: 'state', state: this.state });
    this.post({ type: 'highlightStep', ...this.highlighted });
    await vscode.commands.executeCommand(`${METRICS_VIEW_ID}.focus`);
    return this.highlighted;
  }

  /** Writes an export to `file`, or asks where (next to the runs by default) when none is given. */
  private async save(ext: 'csv' | 'png', bytes: Buffer, file?: string): Promise<string | undefined> {
    if (file) {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(file), bytes);
      return file;
    }
    const root = this.options.roots()[0];
    const name = `metrics-${this.state.selected.map((s) => s.runId).join('+') || 'none'}`.slice(0, 120);
    const target = await vscode.window.showSaveDialog({
      title: `Export metrics as ${ext.toUpperCase()}`,
      defaultUri: root ? vscode.Uri.file(path.join(root, `${name}.${ext}`)) : undefined,
      filters: ext === 'csv' ? { CSV: ['csv'] } : { PNG: ['png'] },
    });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`StepGRPO: metrics saved to ${target.fsPath}`);
    return target.fsPath;
  }

  private setState(next: MetricsViewState): void {
    if (next === this.state) return;
    this.state = next;
    void this.options.memento.update(STATE_KEY, next);
  }

  private select(runId: string, selected: boolean): void {
    this.setState(selectRun(this.state, runId, selected));
    if (!selected) return;
    // The webview drops deselected runs: send this one whole.
    this.store.invalidate(runId);
    void this.load(runId);
    this.flushes.request();
  }

  private onRunChange(change: RunChange): void {
    const { run } = change;
    this.runs.set(run.id, run);
    this.runsDirty = true;
    if (change.kind === 'started') {
      // A run started here is what the user wants to watch.
      this.select(run.id, true);
      this.post({ type: 'state', state: this.state });
    } else if (change.kind === 'event' && change.event.type === 'metrics') {
      this.store.add(run.id, change.event.step + this.stepOffset(run.id), change.event.values);
    } else if (change.kind === 'event' && change.event.type === 'rollouts') {
      this.addCurves(run.id, this.tails.get(run.id)?.curves, change.event);
    }
    this.flushes.request();
  }

  /** Reads a run's metrics.jsonl once; later appends come from live events or the file watcher. */
  private load(runId: string): Promise<void> {
    const pending = this.loads.get(runId);
    if (pending) return pending;
    const run = this.runs.get(runId);
    if (!run) return Promise.resolve();
    const tail: RunTail = {
      metrics: new EventLogReader(path.join(run.dir, RUN_FILES.metrics)),
      rollouts: new EventLogReader(path.join(run.dir, RUN_FILES.rollouts)),
      curves: new CurveTracker(),
    };
    this.tails.set(runId, tail);
    const loading = this.readTail(runId, tail, true);
    this.loads.set(runId, loading);
    return loading;
  }

  private async readTail(runId: string, tail: RunTail, first: boolean): Promise<void> {
    let restarted = false;
    for (const reader of [tail.metrics, tail.rollouts]) {
      try {
        const read = await reader.read();
        if (read.restarted) {
          this.store.delete(runId);
          tail.curves = new CurveTracker();
          restarted = true;
        }
        for (const event of read.events) {
          if (event.type === 'metrics') this.store.add(runId, event.step + this.stepOffset(runId), event.values);
          else if (event.type === 'rollouts') this.addCurves(runId, tail.curves, event);
        }
        for (const problem of read.problems.slice(0, 5)) this.options.log.warn(`Metrics view: ${runId}/${describeProblem(problem)}`);
        if (read.problems.length > 5) this.options.log.warn(`Metrics view: ${read.problems.length - 5} more bad lines in ${runId}/${path.basename(reader.file)}`);
      } catch (err) {
        const message = `StepGRPO: cannot read ${reader.file}: ${(err as Error).message}`;
        this.options.log.error(message);
        this.post({ type: 'error', message });
      }
    }
    if (first || restarted) this.store.invalidate(runId);
    this.flushes.request();
  }

  /** A rollout event's learning-curve points (per key step and violation type) join the run's metrics. */
  private addCurves(runId: string, curves: CurveTracker | undefined, event: CurveEvent): void {
    if (!curves) return;
    for (const [step, values] of curves.add(event)) this.store.add(runId, step + this.stepOffset(runId), values);
  }

  /** Where a run's steps are plotted from: a branch goes on from its parent's checkpoint step (read once its config exists). */
  private stepOffset(runId: string): number {
    const known = this.offsets.get(runId);
    if (known !== undefined) return known;
    const run = this.runs.get(runId);
    if (!run || !fs.existsSync(path.join(run.dir, RUN_FILES.config))) return 0;
    const offset = readBranchStepOffset(run.dir);
    this.offsets.set(runId, offset);
    return offset;
  }

  /** Reads appended lines after any read in progress (one reader per tail at a time). */
  private readOn(runId: string, tail: RunTail): void {
    this.loads.set(
      runId,
      (this.loads.get(runId) ?? Promise.resolve()).then(() => this.readTail(runId, tail, false)),
    );
  }

  /** Updates the states of runs already listed, without a scan of our own. */
  private adoptStates(shown: readonly RunState[]): void {
    let changed = false;
    for (const run of shown) {
      const known = this.runs.get(run.id);
      if (!known || known === run) continue;
      this.runs.set(run.id, run);
      changed = true;
    }
    if (!changed) return;
    this.runsDirty = true;
    this.flushes.request();
  }

  private rescanSoon(): void {
    if (!this.visible) {
      // Rescanned when shown again (replay): a run created meanwhile must be listed.
      this.rescanWhenShown = true;
      return;
    }
    this.rescans.request();
  }

  private async rescan(): Promise<void> {
    let listed: RunState[];
    try {
      listed = await this.options.listRuns();
    } catch (err) {
      this.options.log.warn(`Metrics view: listing runs failed: ${(err as Error).message}`);
      return;
    }
    if (this.isDisposed) return;
    this.runs.clear();
    for (const run of listed) this.runs.set(run.id, run);
    for (const id of [...this.tails.keys()]) {
      if (this.runs.has(id)) continue;
      this.tails.delete(id);
      this.loads.delete(id);
      this.store.delete(id);
    }
    const before = this.state;
    this.setState(keepRuns(this.state, (id) => this.runs.has(id)));
    if (!this.scanned && this.state.selected.length === 0 && listed[0]) this.setState(selectRun(this.state, listed[0].id, true));
    this.scanned = true;
    // A runs change says there may be appends, and new runs to read.
    this.readOnSelected();
    if (this.state !== before) this.post({ type: 'state', state: this.state });
    this.runsDirty = true;
    this.flushes.request();
  }

  /**
   * Selected runs that another process writes (a recording reward server, a trainer in a
   * terminal) are read on from where their reader stopped; runs not read yet are loaded.
   */
  private readOnSelected(): void {
    for (const s of this.state.selected) {
      const tail = this.tails.get(s.runId);
      if (!tail || !this.loads.has(s.runId)) void this.load(s.runId);
      else if (!this.options.manager.get(s.runId)?.live) this.readOn(s.runId, tail);
    }
  }

  /** Follows metrics.jsonl of selected runs that no trainer of this window reports on. */
  private watchRoots(): void {
    if (this.watching) return;
    this.watching = true;
    for (const root of this.options.roots()) {
      let base = root;
      while (!fs.existsSync(base) && path.dirname(base) !== base) base = path.dirname(base);
      const rel = path.relative(base, root).split(path.sep).filter(Boolean).join('/');
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), `${rel ? `${rel}/` : ''}*/${RUN_FILES.metrics}`)));
      const onFile = (uri: vscode.Uri) => {
        const runId = path.basename(path.dirname(uri.fsPath));
        const tail = this.tails.get(runId);
        if (tail && !this.options.manager.get(runId)?.live && isSelected(this.state, runId)) this.readOn(runId, tail);
      };
      this._register(watcher.onDidChange(onFile));
      this._register(watcher.onDidCreate(onFile));
    }
  }

  private runInfos(): MetricsRunInfo[] {
    return [...this.runs.values()]
      .sort(newestFirst)
      .map((r) => ({ runId: r.id, status: r.status, progress: describeProgress(r), ...(r.reward !== undefined ? { reward: r.reward } : {}) }));
  }

  /** Everything, to a page that just said `ready`. */
  protected override replay(): void {
    if (this.rescanWhenShown) {
      this.rescanWhenShown = false;
      this.rescanSoon();
    }
    const ids = this.state.selected.map((s) => s.runId);
    this.store.markSent(ids);
    this.runsDirty = false;
    this.post({ type: 'snapshot', state: this.state, runs: this.runInfos(), series: ids.flatMap((id) => this.store.chunks(id)) });
    if (this.highlighted) this.post({ type: 'highlightStep', ...this.highlighted });
  }

  private flush(): void {
    // Hidden or not loaded yet: the snapshot on `ready` carries everything.
    if (!this.ready) return;
    const update: Extract<HostToMetricsMessage, { type: 'update' }> = { type: 'update' };
    if (this.runsDirty) {
      this.runsDirty = false;
      update.runs = this.runInfos();
    }
    const delta = this.store.takeDelta(this.state.selected.map((s) => s.runId));
    if (delta.replace.runIds.length) update.replace = delta.replace;
    if (delta.append.length) update.append = delta.append;
    if (update.runs || update.replace || update.append) this.post(update);
  }
}

function toRunIds(arg: CompareArg): string[] {
  const items = arg === undefined ? [] : Array.isArray(arg) ? arg : [arg as RunState | { runId: string } | string];
  return [...new Set(items.map((i) => (typeof i === 'string' ? i : 'runId' in i ? i.runId : i.id)))];
}
