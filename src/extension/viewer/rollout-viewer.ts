// The Rollout viewer panel (DESIGN §9). One panel per window; it shows one run at a time, read from
// its run folder and followed there, whoever writes it (this window's trainer, one resumed from a
// terminal, a recording reward server, an import). A trainer started here also reports on stdout:
// that is only a shortcut (its rollouts show before the next poll; the store keeps one copy of a
// step) and, while it lives, the source of the header, which knows exit codes. The host owns the state (run, step, filters, layout) and replays it whenever the webview
// (re)loads: retainContextWhenHidden is off, so a hidden panel costs no memory in the renderer
// (WebviewHost owns the handshake). After a window reload the panel comes back through the
// WebviewPanelSerializer with the run it showed.
import { watch, type FSWatcher } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { EventContext, RolloutGroup } from '../../protocol/trainer-messages';
import { promptHistory } from '../../core/prompt-history';
import {
  DEFAULT_FILTERS,
  defaultViewerState,
  parseViewerToHost,
  type HostToViewer,
  type ShowStepArgs,
  type ViewerRendered,
  type ViewerRun,
  type ViewerState,
  type ViewerToHost,
} from '../../protocol/viewer-messages';
import { RUN_FILES } from '../../rundir/run-files';
import { readBranchStepOffset } from '../metrics/branch-offset';
import { followedFile, RunDirectoryFollower } from '../runs/run-directory-follower';
import { newerOf, readRunDirectory, settleStatus } from '../runs/run-directory-reader';
import type { RunManager } from '../runs/run-manager';
import { initialRunState, reduceRunEvent, type RunState } from '../runs/run-state';
import { WebviewHost } from '../webview-host';
import { chainDocument } from './chain-export';
import { ComparedRun } from './compared-run';
import { IndexedSteps } from './indexed-steps';
import { inlineImages, RolloutStore } from './rollout-store';
import { alignedStep, nearestSteps, pairGroups } from './run-comparison';
import { Coalescer } from '../coalescer';

export const ROLLOUT_VIEWER_TYPE = 'stepgrpo.rolloutViewer';
/** Groups per `history` message: a prompt's 500 steps come in parts, none holding the page's frame. */
const HISTORY_PART = 50;
/**
 * Live changes (steps, the shown step, the run's status) reach the page at most this often: a small
 * run appends dozens of steps a second, and one message per step queued the page minutes behind.
 */
export const LIVE_FLUSH_MS = 100;
/**
 * A run is read whole once the page has shown its first step, so that read never holds up the
 * click; a page that does not say so in this time does not hold up the read either.
 */
const FIRST_STEP_SHOWN_WAIT_MS = 1000;

type Notice = Extract<HostToViewer, { type: 'notice' }>;

export interface ViewerRunRef {
  id: string;
  dir: string;
}

/** What the panel remembers across a window reload (webview state, read back by the serializer). */
export interface ViewerPersisted {
  run?: ViewerRunRef;
  /** The run shown beside it (compare mode). */
  compare?: ViewerRunRef;
}

/** What a chart click asks the panel to show of a run. */
type ShownView = Pick<ViewerState, 'step' | 'history' | 'filters'>;

/** Which run a quick pick of runs is for: the one shown, or the one beside it. */
export type RunPickPurpose = 'show' | 'compare';

/** The run fields the panel shows, from the RunManager's or the run folder's state. */
export function viewerRunOf(ref: ViewerRunRef, run: RunState | undefined, rlStartsAt: number | null): ViewerRun {
  return {
    id: ref.id,
    dir: ref.dir,
    status: run?.status ?? 'completed',
    phase: run?.phase ?? null,
    step: run?.step ?? 0,
    totalSteps: run?.totalSteps ?? null,
    rlStartsAt,
  };
}

/** What the integration tests read through the extension API. */
export interface ViewerSnapshot {
  open: boolean;
  /** The webview has said `ready` since it last (re)loaded. */
  ready: boolean;
  state: ViewerState;
  steps: number[];
  /** Chains of the shown step that were posted to the webview since its last `ready`. */
  postedChains: number;
  /** How many times the state was replayed to a (re)loaded webview. */
  replays: number;
  /** Live updates (run state, steps, the shown step) flushed to the page since its last `ready`. */
  liveFlushes: number;
  /** The warning or error the banner shows, if any. */
  notice: string | undefined;
  /** What the page last reported it shows (rows, chains, order, flag counts), since its last `ready`. */
  rendered: ViewerRendered | undefined;
  /** When `rendered` arrived (performance.now() of this extension host). */
  renderedAt: number | undefined;
  /** Compare mode: the compared run's step last posted beside the shown one, and how its groups paired. */
  comparison: { shownStep: number; step: number; hasStep: boolean; nearest: number[]; pairs: Record<'same' | 'nearest' | 'none', number> } | undefined;
}

export class RolloutViewer extends WebviewHost<ViewerToHost, HostToViewer> {
  private panel: vscode.WebviewPanel | undefined;
  private state: ViewerState = defaultViewerState();
  private store = new RolloutStore();
  private readonly images = new Map<string, string | null>();
  private postedChains = 0;
  private replays = 0;
  private liveFlushes = 0;
  private rendered: ViewerRendered | undefined;
  private renderedAt: number | undefined;
  /** The last warning or error, replayed with the state so a reloaded panel still shows it. */
  private lastNotice: Notice | undefined;
  /** Until the shown run's index and first step are read (what a replay waits for). */
  private loading: Promise<void> = Promise.resolve();
  /** Until its folder is read whole (what a prompt's history waits for). */
  private wholeRun: Promise<void> = Promise.resolve();
  /** The shown run's steps by the index of its lines, while the whole read goes on. */
  private indexed: IndexedSteps | undefined;
  /** Told each `rendered` report while a whole read waits for the page to show the first step. */
  private onRendered: ((rendered: ViewerRendered) => void) | undefined;
  /** Reads the shown run's folder as it grows. */
  private follower: RunDirectoryFollower | undefined;
  /** The shown run as its folder tells it (its events folded in order). */
  private folderRun: RunState | undefined;
  private live = { run: false, steps: false, step: false, history: false };
  private readonly liveFlush = this._register(new Coalescer(LIVE_FLUSH_MS, () => this.flushLive()));
  /** The rollouts file as read so far, to tell a truncated or rewritten file from a growing one. */
  private readFile: () => { file: string; bytes: number } | null = () => null;
  private folderWatch: vscode.Disposable | undefined;
  private checking: Promise<void> | undefined;
  private recheck = false;
  /** The run shown beside this one (compare mode), followed like it. */
  private compared: ComparedRun | undefined;
  private comparison: ViewerSnapshot['comparison'];

  constructor(
    extensionUri: vscode.Uri,
    private readonly manager: RunManager,
    log: vscode.LogOutputChannel,
    private readonly pickRun: (purpose: RunPickPurpose) => Promise<ViewerRunRef | undefined>,
  ) {
    super(extensionUri, log, 'viewer', parseViewerToHost);
    this._register(
      manager.onDidChange((change) => {
        const shown = this.state.run;
        if (change.run.id !== shown?.id) return;
        if (change.kind === 'event' && change.event.type === 'rollouts') {
          const { step, groups } = change.event;
          void this.loading.then(() => this.addLive(step, groups));
        }
        this.showRunState();
        if (change.kind === 'ended') {
          this.notify({ type: 'notice', level: 'info', message: `Run ${change.run.id} ended: ${change.run.status}${change.run.error ? ` (${change.run.error})` : ''}.` });
        }
      }),
    );
    this._register({ dispose: () => this.folderWatch?.dispose() });
  }

  snapshot(): ViewerSnapshot {
    return {
      open: !!this.panel,
      ready: this.ready,
      state: structuredClone(this.state),
      steps: this.steps(),
      postedChains: this.postedChains,
      replays: this.replays,
      liveFlushes: this.liveFlushes,
      notice: this.lastNotice?.message,
      rendered: this.rendered && structuredClone(this.rendered),
      renderedAt: this.renderedAt,
      comparison: this.comparison && structuredClone(this.comparison),
    };
  }

  /**
   * Opens (or reveals) the panel on a run folder at one step, optionally on one prompt's groups
   * and with filters (the rest default): `stepgrpo.viewer.showStep`, e.g. from a chart point.
   */
  async showStep(run: ViewerRunRef, args: Omit<ShowStepArgs, 'runDir'>): Promise<void> {
    const view: ShownView = {
      step: args.step,
      history: null,
      filters: { ...DEFAULT_FILTERS, ...args.filter, ...(args.promptId !== undefined ? { promptId: args.promptId } : {}) },
    };
    this.ensurePanel();
    // A run not shown yet is read with that step first, and shown once (not its latest step before).
    if (run.id !== this.state.run?.id || run.dir !== this.state.run.dir) return this.selectRun(run, view);
    await this.loading;
    if (this.state.run?.dir !== run.dir) return;
    Object.assign(this.state, view);
    this.replayNow();
  }

  /** Opens (or reveals) the panel on a run; resolves once the run folder has been read. */
  async open(run: ViewerRunRef | undefined): Promise<void> {
    this.ensurePanel();
    if (run && (run.id !== this.state.run?.id || run.dir !== this.state.run.dir)) await this.selectRun(run);
    else await this.loading;
  }

  /** A panel VS Code brought back after a reload (WebviewPanelSerializer): adopt it and show its run again. */
  async restore(panel: vscode.WebviewPanel, persisted: ViewerPersisted | undefined): Promise<void> {
    if (this.panel) {
      // One panel per window: a second restored one is not needed.
      panel.dispose();
      return;
    }
    this.adopt(panel);
    const isRef = (ref: ViewerRunRef | undefined): ref is ViewerRunRef => typeof ref?.dir === 'string' && typeof ref.id === 'string';
    if (isRef(persisted?.run)) await this.selectRun(persisted.run);
    if (isRef(persisted?.compare)) await this.compareWith(persisted.compare);
  }

  /**
   * Shows `run` beside the shown one, step by step (a quick pick of the runs when undefined);
   * resolves once its folder has been read. `stepgrpo.viewer.compareWith`, and the page's
   * "Compare with run…" (key c).
   */
  async compareWith(run: ViewerRunRef | undefined): Promise<void> {
    const shown = this.state.run;
    if (!shown) {
      this.notify({ type: 'notice', level: 'info', message: 'Choose a run to show first; then compare another run with it.' });
      return;
    }
    const picked = run ?? (await this.pickRun('compare'));
    if (!picked) return;
    if (picked.dir === shown.dir) {
      this.notify({ type: 'notice', level: 'warning', message: `${picked.id} is the run shown; compare it with another run.` });
      return;
    }
    this.compared?.dispose();
    const compared = new ComparedRun(picked, () => this.manager.get(picked.id), {
      onAdded: (step) => this.comparedGrew(compared, step),
      onRun: () => this.comparedRunChanged(compared),
      onNote: (message) => {
        this.log.warn(`[viewer] compared run ${message}`);
        this.notify({ type: 'notice', level: 'warning', message });
      },
    });
    this.compared = compared;
    await compared.load();
    if (this.compared !== compared) return;
    this.state.compare = compared.run();
    this.state.history = null;
    this.log.info(`[viewer] comparing ${shown.id} with ${picked.id}: ${compared.store.steps().length} steps of rollouts, offset ${compared.offset}`);
    this.replayNow();
  }

  /** Back to the shown run alone. */
  endCompare(): void {
    if (!this.compared && !this.state.compare) return;
    this.compared?.dispose();
    this.compared = undefined;
    this.comparison = undefined;
    this.state.compare = null;
    this.replayNow();
  }

  private comparedGrew(compared: ComparedRun, step: number): void {
    if (this.compared !== compared || !this.ready || this.state.history !== null) return;
    const last = this.comparison;
    // Only the aligned step, or a step that may be nearer to a prompt, changes the pairs.
    if (!last || last.step === step || !last.hasStep || last.pairs.nearest + last.pairs.none > 0) this.postComparison();
  }

  private comparedRunChanged(compared: ComparedRun): void {
    if (this.compared !== compared || !this.state.compare) return;
    const next = compared.run();
    // Its step shows with the rollouts it brings (comparedGrew); a new status is posted here.
    if (next.status === this.state.compare.status) return;
    this.state.compare = next;
    if (this.ready) this.postComparison();
  }

  /** The compared run's groups beside the shown step's: the step they line up at, paired by prompt. */
  private postComparison(): void {
    const compared = this.compared;
    const shownStep = this.shownStep();
    const shown = this.state.run;
    if (!compared || !shown || shownStep === undefined || this.state.history !== null) return;
    const shownOffset = readBranchStepOffset(shown.dir);
    const step = alignedStep(shownStep, shownOffset, compared.offset);
    const steps = compared.store.steps();
    const hasStep = compared.store.groups(step).length > 0;
    const pairs = pairGroups(this.store.groups(shownStep), compared.store, step);
    const count = (at: 'same' | 'nearest' | 'none') => pairs.filter((p) => p.at === at).length;
    this.comparison = {
      shownStep,
      step,
      hasStep,
      nearest: hasStep ? [] : nearestSteps(steps, step),
      pairs: { same: count('same'), nearest: count('nearest'), none: count('none') },
    };
    const { nearest } = this.comparison;
    const run = compared.run();
    this.post(async () => {
      const paired = pairs.map((p) => p.compared?.group ?? null).filter((g) => g !== null);
      const inlined = await inlineImages(paired, compared.ref.dir, this.images);
      let at = 0;
      return {
        type: 'compare',
        comparison: {
          run,
          shownStep,
          step,
          shownOffset,
          comparedOffset: compared.offset,
          hasStep,
          nearest,
          pairs: pairs.map((p) => (p.compared ? { ...p, compared: { ...p.compared, group: inlined[at++]! } } : p)),
        },
      };
    });
  }

  private ensurePanel(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.adopt(vscode.window.createWebviewPanel(ROLLOUT_VIEWER_TYPE, 'Rollout Viewer', vscode.ViewColumn.Active, { retainContextWhenHidden: false }));
  }

  private adopt(panel: vscode.WebviewPanel): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.attach(panel, panel.onDidChangeViewState, { name: 'rollout-viewer', title: 'Rollout Viewer', styles: ['katex/katex.min.css'] });
  }

  /**
   * Shows `run` (at `view`, else its latest step): its lines are indexed and the shown step read
   * alone, then the panel is replayed; the rest of the folder is read in the background and then
   * followed. Resolves once the shown step is on its way to the page.
   */
  private async selectRun(run: ViewerRunRef, view?: ShownView): Promise<void> {
    if (this.compared?.ref.dir === run.dir) this.endCompare();
    this.state = {
      ...this.state,
      run: viewerRunOf(run, this.manager.get(run.id), null),
      step: 'latest',
      history: null,
      filters: { ...this.state.filters, promptId: null },
      ...view,
    };
    this.store = new RolloutStore();
    this.indexed = undefined;
    this.images.clear();
    this.lastNotice = undefined;
    this.readFile = () => null;
    this.watchFolder(run.dir);
    const store = this.store;
    this.follower?.dispose();
    this.follower = undefined;
    this.folderRun = undefined;
    const started = performance.now();
    let totalSteps: number | undefined;
    const context = () => ({ maxStep: totalSteps });
    const failed = (err: unknown) => {
      const message = `Could not read the rollouts of ${run.dir}: ${(err as Error).message}`;
      this.log.error(`[viewer] ${message}`);
      this.notify({ type: 'notice', level: 'error', message });
    };
    this.loading = (async () => {
      try {
        const [onDisk, rlStartsAt] = await Promise.all([readRunDirectory(run.dir), readSftSteps(run.dir)]);
        if (this.store !== store) return;
        this.state.run = viewerRunOf(run, this.manager.get(run.id) ?? onDisk, rlStartsAt);
        totalSteps = onDisk?.totalSteps;
        this.folderRun = initialRunState(run.id, run.dir, { totalSteps, startedAt: onDisk?.startedAt });
        const file = await followedFile(run.dir);
        const indexed = file ? await IndexedSteps.open(file, store, context) : undefined;
        if (this.store !== store || !indexed) return;
        this.indexed = indexed;
        this.readFile = () => indexed.position();
        const first = this.shownStep();
        if (first !== undefined) await indexed.load(first);
        this.log.info(`[viewer] ${run.id}: ${indexed.steps().length} steps indexed, step ${first ?? '-'} read, in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (err) {
        failed(err);
      }
    })();
    await this.loading;
    if (this.store !== store) return;
    this.replayNow();
    this.wholeRun = this.firstStepShown()
      .then(() => this.readWholeRun(run, store, context))
      .catch(failed);
  }

  /** Until the page reports the shown step's groups loaded: at once while no page is ready, at most FIRST_STEP_SHOWN_WAIT_MS. */
  private firstStepShown(): Promise<void> {
    if (!this.ready) return Promise.resolve();
    const step = this.shownStep();
    const groups = step === undefined ? 0 : this.store.groups(step).length;
    return new Promise((resolve) => {
      const shown = () => {
        clearTimeout(timer);
        if (this.onRendered === onRendered) this.onRendered = undefined;
        resolve();
      };
      const onRendered = (rendered: ViewerRendered) => {
        if (rendered.loaded >= groups) shown();
      };
      const timer = setTimeout(shown, FIRST_STEP_SHOWN_WAIT_MS);
      this.onRendered = onRendered;
    });
  }

  /** The shown run's folder read whole (the steps read alone are skipped), then followed. */
  private async readWholeRun(run: ViewerRunRef, store: RolloutStore, context: () => EventContext): Promise<void> {
    // Another run was chosen, or the panel's host disposed, while it waited for the page.
    if (this.store !== store || this.isDisposed) return;
    const started = performance.now();
    const indexed = this.indexed;
    let caughtUp = false;
    const follower = new RunDirectoryFollower(run.dir, {
      context,
      onEvents: (events) => {
        if (this.store !== store) return;
        // From here the store gets every step from this read: a step still being read alone adds nothing.
        indexed?.close();
        for (const e of events) {
          this.folderRun = reduceRunEvent(this.folderRun!, e);
          // Opened at Start, the panel may have looked before the trainer wrote config.json.
          if (e.type === 'hello' && this.state.run?.rlStartsAt === null) void this.readRlStartAgain(run.dir, store);
          if (e.type !== 'rollouts') continue;
          if (caughtUp) this.addLive(e.step, e.groups, e.partial);
          else if (!indexed?.skips(e)) store.add(e.step, e.groups, e.partial);
        }
      },
      onRead: () => {
        if (caughtUp && this.store === store) this.showRunState();
      },
      onNote: (message) => {
        this.log.warn(`[viewer] ${run.id}: ${message}`);
        this.notify({ type: 'notice', level: 'warning', message });
      },
      onRewritten: () => this.checkSoon(run.dir),
    });
    this.follower = follower;
    await follower.catchUp();
    caughtUp = true;
    indexed?.close();
    if (this.store !== store) return;
    this.indexed = undefined;
    // What the index could not tell (a line it skipped, a line appended since) now reaches the page.
    this.live.steps = true;
    const shown = this.shownStep();
    if (this.state.history === null && shown !== undefined && this.store.chainCount(shown) !== this.postedChains) this.live.step = true;
    this.showRunState();
    this.liveFlush.request();
    follower.start();
    this.readFile = () => follower.position();
    this.log.info(`[viewer] ${run.id}: ${store.steps().length} steps of rollouts read whole in ${(performance.now() - started).toFixed(0)} ms, followed`);
  }

  /**
   * The run folder changing under the panel: deleted, or its rollouts file truncated or rewritten
   * (smaller than when read). The panel keeps what it shows and says so in its banner; a rewrite is
   * read again in the background. Appends (a growing file) are the live run and need nothing.
   */
  private watchFolder(dir: string): void {
    this.folderWatch?.dispose();
    this.folderWatch = undefined;
    // fs.watch on the one folder (inotify here): the workspace watcher may not cover a run folder
    // outside the workspace, and a deleted folder must still be noticed.
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, () => this.checkSoon(dir));
    } catch {
      return;
    }
    watcher.on('error', () => this.checkSoon(dir));
    this.folderWatch = { dispose: () => watcher.close() };
  }

  /** One check at a time; events during it ask for one more (a live run appends on every step). */
  private checkSoon(dir: string): void {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = this.checkFolder(dir).finally(() => {
      this.checking = undefined;
      if (this.recheck) {
        this.recheck = false;
        this.checkSoon(dir);
      }
    });
  }

  private async checkFolder(dir: string): Promise<void> {
    if (this.state.run?.dir !== dir) return;
    const exists = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) {
      this.notify({ type: 'notice', level: 'error', message: `The run folder ${dir} was deleted. The chains already read stay on screen; choose another run to go on.` });
      return;
    }
    const read = this.readFile();
    if (!read) return;
    const size = await fs.stat(read.file).then(
      (s) => s.size,
      () => -1,
    );
    if (size >= read.bytes) return;
    const name = path.basename(read.file);
    this.notify({
      type: 'notice',
      level: 'warning',
      message:
        size < 0 ? `${name} was deleted; the chains already read stay on screen.` : `${name} was truncated or rewritten (${size} bytes, was ${read.bytes}); reading it again.`,
    });
    if (size >= 0) {
      const ref = { id: this.state.run.id, dir };
      const notice = this.lastNotice;
      await this.selectRun(ref);
      if (notice) this.notify(notice);
    } else this.readFile = () => null;
  }

  private async readRlStartAgain(dir: string, store: RolloutStore): Promise<void> {
    const rlStartsAt = await readSftSteps(dir);
    const shown = this.state.run;
    if (rlStartsAt === null || this.store !== store || !shown || shown.rlStartsAt !== null) return;
    this.state.run = { ...shown, rlStartsAt };
    this.post({ type: 'run', run: this.state.run });
  }

  /**
   * Phase, step, pause, stop, end and a resume: from the trainer this window started, else from the
   * folder (whose unfinished run is live while the pid of its last `hello` is).
   */
  private showRunState(post = true): void {
    const shown = this.state.run;
    if (!shown) return;
    const source = newerOf(this.manager.get(shown.id), this.folderRun && settleStatus(this.folderRun));
    if (!source) return;
    const next = viewerRunOf(shown, source, shown.rlStartsAt);
    if (next.status === shown.status && next.phase === shown.phase && next.step === shown.step && next.totalSteps === shown.totalSteps) return;
    this.state.run = next;
    if (!post) return;
    this.live.run = true;
    this.liveFlush.request();
  }

  /** The shown run's steps with rollouts: by its index until its folder is read whole. */
  private steps(): number[] {
    return this.indexed?.steps() ?? this.store.steps();
  }

  private shownStep(): number | undefined {
    return this.state.step === 'latest' ? this.steps().at(-1) : this.state.step;
  }

  /** Sends the whole state and the shown step's groups to a ready webview (once the run folder is read). */
  protected override replay(): void {
    void this.loading.then(() => this.replayNow());
  }

  private replayNow(): void {
    if (!this.ready) return;
    this.replays++;
    this.liveFlushes = 0;
    this.postedChains = 0;
    this.rendered = undefined;
    this.post({ type: 'state', state: this.state, steps: this.steps() });
    if (this.lastNotice) this.post(this.lastNotice);
    if (this.state.history !== null) this.postHistory(this.state.history);
    else this.postStep(false);
  }

  /** The prompt's groups across every step and its chart points. */
  private postHistory(promptId: string): void {
    if (this.indexed) {
      // A prompt's history spans every step: it comes once the folder is read whole.
      void this.wholeRun.then(() => {
        if (this.state.history === promptId && !this.indexed) this.postHistory(promptId);
      });
      return;
    }
    const run = this.state.run;
    const found = this.store.history(promptId);
    const points = promptHistory(found.map(({ step, group }) => ({ step, samples: group.samples })));
    this.postedChains = found.reduce((a, g) => a + g.group.samples.length, 0);
    for (let at = 0; at === 0 || at < found.length; at += HISTORY_PART) {
      const part = found.slice(at, at + HISTORY_PART);
      const groups = part.map((f) => f.group);
      this.post(async () => ({
        type: 'history',
        promptId,
        points,
        append: at > 0,
        groups: (run ? await inlineImages(groups, run.dir, this.images) : groups).map((group, i) => ({ step: part[i]!.step, index: part[i]!.index, group })),
      }));
    }
  }

  private async pickPrompt(): Promise<void> {
    await this.wholeRun;
    const prompts = this.store.prompts();
    if (prompts.length === 0) {
      this.notify({ type: 'notice', level: 'info', message: 'This run has no rollouts yet, so no prompt has a history.' });
      return;
    }
    const picked = await vscode.window.showQuickPick(
      prompts.map((p) => ({
        label: p.promptId,
        description: `${p.steps} step${p.steps === 1 ? '' : 's'}`,
        detail: p.prompt.replace(/\s+/g, ' ').slice(0, 200),
        promptId: p.promptId,
      })),
      { title: 'Prompt history', placeHolder: 'Follow which prompt through training? (type to search ids and prompt text)', matchOnDetail: true },
    );
    if (picked) this.showHistory(picked.promptId);
  }

  private showHistory(promptId: string | null): void {
    this.state.history = promptId;
    this.rendered = undefined;
    if (promptId !== null) this.postHistory(promptId);
    else this.postStep(false);
  }

  private postStep(append: boolean): void {
    const step = this.shownStep();
    if (step === undefined) return;
    const indexed = this.indexed;
    if (indexed && !indexed.has(step)) {
      // Not read yet: read alone, then posted if still the one shown.
      void indexed.load(step).then(
        () => {
          if (this.shownStep() === step && this.state.history === null) this.postStep(append);
        },
        (err: Error) => this.log.warn(`[viewer] could not read step ${step}: ${err.message}`),
      );
      return;
    }
    const run = this.state.run;
    const groups = this.store.groups(step);
    this.postedChains += groups.reduce((a, g) => a + g.samples.length, 0);
    this.post(async () => ({ type: 'rollouts', step, append, groups: run ? await inlineImages(groups, run.dir, this.images) : groups }));
    this.postComparison();
  }

  private addLive(step: number, groups: RolloutGroup[], partial = false): void {
    if (!this.store.add(step, groups, partial)) return;
    this.live.steps = true;
    const history = this.state.history;
    if (history !== null) this.live.history ||= groups.some((g) => g.promptId === history);
    else this.live.step ||= this.shownStep() === step;
    this.liveFlush.request();
  }

  /** What changed since the last flush, in one message each; a page not ready gets it all on `ready`. */
  private flushLive(): void {
    const live = this.live;
    this.live = { run: false, steps: false, step: false, history: false };
    if (!this.ready) return;
    this.liveFlushes++;
    if (live.run && this.state.run) this.post({ type: 'run', run: this.state.run });
    if (live.steps) this.post({ type: 'steps', steps: this.steps() });
    if (live.history && this.state.history !== null) this.postHistory(this.state.history);
    else if (live.step && this.state.history === null) {
      this.postedChains = 0;
      this.postStep(false);
    }
  }

  protected override handle(message: ViewerToHost): void {
    switch (message.type) {
      case 'setStep': {
        const before = this.shownStep();
        const fromHistory = this.state.history !== null;
        this.state.step = message.step;
        this.state.history = null;
        if (this.shownStep() !== before || fromHistory) {
          this.postedChains = 0;
          this.postStep(false);
        }
        break;
      }
      case 'setFilters':
        this.state.filters = message.filters;
        break;
      case 'setLayout':
        this.state.layout = message.layout;
        break;
      case 'setSort':
        this.state.sort = message.sort;
        break;
      case 'showHistory':
        this.showHistory(message.promptId);
        break;
      case 'pickPrompt':
        void this.pickPrompt();
        break;
      case 'rendered':
        this.rendered = message.rendered;
        this.renderedAt = performance.now();
        this.onRendered?.(message.rendered);
        break;
      case 'pickRun':
        void this.pickRun('show').then((run) => (run ? this.open(run) : undefined));
        break;
      case 'pickCompare':
        void this.compareWith(undefined);
        break;
      case 'endCompare':
        this.endCompare();
        break;
      case 'openInEditor':
        void this.openInEditor(message.step, message.group, message.sample, message.compared === true);
        break;
    }
  }

  /** An untitled Markdown document with the chain and its reference in front matter: the inline annotations score it. */
  private async openInEditor(step: number, group: number, sample: number, compared: boolean): Promise<vscode.TextEditor | undefined> {
    const source = compared && this.compared ? { store: this.compared.store, run: this.compared.ref } : { store: this.store, run: this.state.run };
    const g = source.store.groups(step)[group];
    const chain = g?.samples[sample];
    if (!g || !chain) {
      this.notify({ type: 'notice', level: 'warning', message: `Step ${step} has no chain #${sample + 1} in group ${group + 1} any more.` });
      return undefined;
    }
    const reward = source.run ? await readRunReward(source.run.dir) : undefined;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: chainDocument(g, chain, { run: source.run?.id ?? null, step, reward }) });
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  /** A notice; warnings and errors are kept and replayed, so a reloaded panel still shows them. */
  private notify(message: Notice): void {
    if (message.level !== 'info') this.lastNotice = message;
    this.post(message);
  }

  override dispose(): void {
    this.follower?.dispose();
    this.compared?.dispose();
    this.panel?.dispose();
    super.dispose();
  }
}

/** The config's SFT steps: the step at which rollouts start (null when the folder has no config yet). */
async function readSftSteps(dir: string): Promise<number | null> {
  try {
    const config = JSON.parse(await fs.readFile(path.join(dir, RUN_FILES.config), 'utf8')) as { sft?: { steps?: unknown } };
    return typeof config.sft?.steps === 'number' ? config.sft.steps : null;
  } catch {
    return null;
  }
}

/** The run's reward (config.json `reward`), or undefined when the folder has none. */
async function readRunReward(dir: string): Promise<unknown> {
  try {
    return (JSON.parse(await fs.readFile(path.join(dir, RUN_FILES.config), 'utf8')) as { reward?: unknown }).reward;
  } catch {
    return undefined;
  }
}

/** `<dir>` → `{id, dir}`: a run folder's name is its id. */
export function runRefFromDir(dir: string): ViewerRunRef {
  const resolved = path.resolve(dir);
  return { id: path.basename(resolved), dir: resolved };
}
