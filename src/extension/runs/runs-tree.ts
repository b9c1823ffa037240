// The Runs view: every run folder under the runs roots (read back from disk, so CLI runs appear
// too) merged with the live runs of this window. The first listing comes from folder names alone,
// at once; each run's state is read in the background and shown when ready. Refreshes are
// debounced: a live run writes an event per step and the file watcher reports each append. File
// watchers can miss appends (a run resumed from a terminal): the sizes of the run files are
// polled too, and a change refreshes the view. Engines launched here and followed imports are live
// with Stop as their one control (stoppable-runs.ts); the row contexts are run-context.ts's.
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { RUN_FILES } from '../../rundir/run-files';
import { Disposable } from '../disposable';
import { mergeRuns, quickScanRunsRoot, scanRunsRoot } from './run-directory-reader';
import type { RunManager } from './run-manager';
import { runContext } from './run-context';
import { describeProgress, formatReward, isTerminal, STATUS_LABELS, type RunState, type RunStatus } from './run-state';
import { StoppableRuns, type ShownRun } from './stoppable-runs';

export const RUNS_VIEW_ID = 'stepgrpo.runs';
/** How often the run folders' file sizes are compared with the view's. */
const POLL_MS = 1000;

const ICONS: Record<RunStatus, [string, string | undefined]> = {
  starting: ['loading~spin', undefined],
  running: ['sync~spin', 'charts.blue'],
  paused: ['debug-pause', 'charts.yellow'],
  stopping: ['loading~spin', 'charts.yellow'],
  completed: ['pass', 'testing.iconPassed'],
  stopped: ['debug-stop', 'charts.yellow'],
  failed: ['error', 'testing.iconFailed'],
  interrupted: ['warning', 'list.warningForeground'],
};

export function runTreeItem(run: ShownRun): vscode.TreeItem {
  const item = new vscode.TreeItem(run.id, vscode.TreeItemCollapsibleState.None);
  item.id = run.dir;
  if (run.pending) {
    item.description = 'reading…';
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    item.tooltip = run.dir;
    return item;
  }
  // The icon carries the status; the narrow sidebar keeps the numbers.
  item.description = describeProgress(run);
  const [icon, color] = ICONS[run.status];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = runContext(run);
  item.tooltip = runTooltip(run);
  item.accessibilityInformation = { label: `Run ${run.id}, ${STATUS_LABELS[run.status]}, ${describeProgress(run)}` };
  return item;
}

function runTooltip(run: ShownRun): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const outside = !run.live && !run.stopOnly && !isTerminal(run.status);
  md.appendMarkdown(`**${run.id}** — $(${ICONS[run.status][0].replace('~spin', '')}) ${STATUS_LABELS[run.status]}${outside ? ' (started outside this window)' : ''}\n\n`);
  const rows: [string, string | undefined][] = [
    ['Step', run.totalSteps !== undefined ? `${run.step} / ${run.totalSteps}` : String(run.step)],
    ['Phase', isTerminal(run.status) ? undefined : run.phase],
    ['Reward (last RL step)', run.lastReward !== undefined ? formatReward(run.lastReward) : undefined],
    ['Eval reward', run.lastEvalReward !== undefined ? formatReward(run.lastEvalReward) : undefined],
    ['Device', run.device],
    ['Started', run.startedAt ? new Date(run.startedAt).toLocaleString() : undefined],
    ['Checkpoint', run.checkpoint ? path.basename(run.checkpoint) : undefined],
    ['Folder', run.dir],
    ['Imported', run.coverage],
    ['Error', run.error],
  ];
  for (const [name, value] of rows) if (value !== undefined) md.appendMarkdown(`${name}: `).appendText(value).appendMarkdown('  \n');
  return md;
}

export class RunsTreeProvider extends Disposable implements vscode.TreeDataProvider<RunState> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private current: ShownRun[] = [];
  /** What getChildren last gave the view (the rows on screen). */
  private lastShown: ShownRun[] = [];
  /** Each run folder's file sizes as last polled. */
  private sizes = new Map<string, string>();
  private polling = false;
  private readonly watchers = new Map<string, vscode.FileSystemWatcher>();
  private watching = false;
  /** The background scan, and whether another is wanted once it ends. */
  private scanning: Promise<void> | undefined;
  private rescan = false;
  /** Engines launched here and followed imports: live with Stop, though not the RunManager's. */
  readonly stoppable = new StoppableRuns();
  /** `current` holds the result of a scan that has not been shown yet. */
  private fresh = false;

  constructor(
    private readonly manager: RunManager,
    /** Folders holding run folders (e.g. `<workspace>/.stepgrpo/runs`). */
    private readonly roots: () => string[],
    private readonly debounceMs = 300,
  ) {
    super();
    this._register(manager.onDidChange(() => this.refreshSoon()));
    // A Stop under way shows at once: the scan that follows reads `stopping` from the registry.
    this._register(this.stoppable.onDidChange(() => this.refreshSoon()));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  /** The rows on screen (tests: what a person sees, not a fresh scan). */
  get onScreen(): readonly ShownRun[] {
    return this.lastShown;
  }

  /** Coalesces bursts of changes into one tree refresh. */
  refreshSoon(): void {
    if (this.isDisposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changed.fire();
    }, this.debounceMs);
  }

  /** The runs as last shown (for pickers); `runs()` rescans. */
  get shown(): readonly ShownRun[] {
    return this.current;
  }

  async runs(): Promise<ShownRun[]> {
    // Whoever lists the runs (the Metrics view, a picker) is told of new ones, even while the Runs
    // view stays collapsed: after a window reload its tree is never asked for children.
    this.startWatching();
    const scanned = (await Promise.all(this.roots().map((r) => scanRunsRoot(r)))).flat();
    this.current = mergeRuns(scanned, this.manager.list()).map((run) => this.stoppable.shown(run));
    return this.current;
  }

  async getChildren(element?: RunState): Promise<RunState[]> {
    if (element) return [];
    this.startWatching();
    if (this.fresh) {
      this.fresh = false;
      return (this.lastShown = this.current);
    }
    // Folder names first (milliseconds), states from the background scan.
    if (this.current.length === 0) this.current = mergeRuns((await Promise.all(this.roots().map((r) => quickScanRunsRoot(r)))).flat(), this.manager.list());
    this.scanInBackground();
    return (this.lastShown = this.current);
  }

  /** Watchers and the size poll, once the runs are first listed or shown: activation stays cheap. */
  private startWatching(): void {
    if (this.watching || this.isDisposed) return;
    this.watching = true;
    this.watchRoots();
    const poll = setInterval(() => void this.pollSizes(), POLL_MS);
    this._register({ dispose: () => clearInterval(poll) });
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchRoots();
        this.refreshSoon();
      }),
    );
  }

  private scanInBackground(): void {
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.runs().then(
      () => {
        this.scanning = undefined;
        if (this.isDisposed) return;
        this.fresh = true;
        this.changed.fire();
        if (this.rescan) {
          this.rescan = false;
          this.refreshSoon();
        }
      },
      () => (this.scanning = undefined),
    );
  }

  /** Refreshes the view when a run folder appeared, went, or its files changed size since the last poll. */
  private async pollSizes(): Promise<void> {
    if (this.polling || this.isDisposed) return;
    this.polling = true;
    try {
      const sizes = new Map<string, string>();
      for (const root of this.roots()) {
        const entries = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
        for (const e of entries.filter((d) => d.isDirectory())) {
          const dir = path.join(root, e.name);
          const stats = await Promise.all([RUN_FILES.config, RUN_FILES.events, RUN_FILES.log].map((f) => fs.promises.stat(path.join(dir, f)).catch(() => undefined)));
          sizes.set(dir, stats.map((s) => s?.size ?? -1).join(':'));
        }
      }
      const changed = sizes.size !== this.sizes.size || [...sizes].some(([dir, size]) => this.sizes.get(dir) !== size);
      this.sizes = sizes;
      if (changed) this.refreshSoon();
    } finally {
      this.polling = false;
    }
  }

  private watchRoots(): void {
    for (const root of this.roots()) {
      if (this.watchers.has(root)) continue;
      // Rooted at the nearest existing folder: a watcher on a folder that does not exist yet
      // would miss the first run.
      let base = root;
      while (!fs.existsSync(base) && path.dirname(base) !== base) base = path.dirname(base);
      const rel = path.relative(base, root).split(path.sep).filter(Boolean).join('/');
      const glob = `${rel ? `${rel}/` : ''}*/{${[RUN_FILES.config, RUN_FILES.events, RUN_FILES.log].join(',')}}`;
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), glob)));
      for (const on of [watcher.onDidCreate, watcher.onDidChange, watcher.onDidDelete]) this._register(on(() => this.refreshSoon()));
      this.watchers.set(root, watcher);
    }
  }

  getTreeItem(run: RunState): vscode.TreeItem {
    return runTreeItem(run);
  }

  getParent(): undefined {
    return undefined;
  }
}
