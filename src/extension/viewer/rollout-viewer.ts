// The Rollout viewer panel (DESIGN §9). One panel per window; it shows one run at a time, read from
// the run folder and then followed live through the RunManager. The host owns the state (run,
// step, filters, layout) and replays it whenever the webview (re)loads: retainContextWhenHidden
// is off, so a hidden panel costs no memory in the renderer (WebviewHost owns the handshake).
import path from 'node:path';
import * as vscode from 'vscode';
import type { RolloutGroup } from '../../protocol/trainer-messages';
import { defaultViewerState, parseViewerToHost, type HostToViewer, type ViewerState, type ViewerToHost } from '../../protocol/viewer-messages';
import { RunDirectoryFollower } from '../runs/run-directory-follower';
import type { RunManager } from '../runs/run-manager';
import { isTerminal } from '../runs/run-state';
import { WebviewHost } from '../webview-host';
import { inlineImages, RolloutStore } from './rollout-store';

export const ROLLOUT_VIEWER_TYPE = 'stepgrpo.rolloutViewer';

export interface ViewerRunRef {
  id: string;
  dir: string;
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
}

export class RolloutViewer extends WebviewHost<ViewerToHost, HostToViewer> {
  private panel: vscode.WebviewPanel | undefined;
  private state: ViewerState = defaultViewerState();
  private store = new RolloutStore();
  private readonly images = new Map<string, string | null>();
  private postedChains = 0;
  private replays = 0;
  /** The last warning or error, replayed with the state so a reloaded panel still shows it. */
  private lastNotice: HostToViewer | undefined;
  private loading: Promise<void> = Promise.resolve();
  /** Reads a run that another process writes (a recording reward server, a followed import, the CLI). */
  private follower: RunDirectoryFollower | undefined;

  constructor(
    extensionUri: vscode.Uri,
    private readonly manager: RunManager,
    log: vscode.LogOutputChannel,
    private readonly pickRun: () => Promise<ViewerRunRef | undefined>,
  ) {
    super(extensionUri, log, 'viewer', parseViewerToHost);
    this._register(
      manager.onDidChange((change) => {
        if (change.run.id !== this.state.run?.id) return;
        if (change.kind === 'event' && change.event.type === 'rollouts') {
          const { step, groups } = change.event;
          void this.loading.then(() => this.addLive(step, groups));
        } else if (change.kind === 'ended' && this.state.run) {
          this.state.run = { ...this.state.run, live: false };
          this.notify({ type: 'notice', level: 'info', message: `Run ${change.run.id} ended: ${change.run.status}${change.run.error ? ` (${change.run.error})` : ''}.` });
        }
      }),
    );
  }

  snapshot(): ViewerSnapshot {
    return { open: !!this.panel, ready: this.ready, state: structuredClone(this.state), steps: this.store.steps(), postedChains: this.postedChains, replays: this.replays };
  }

  /** Opens (or reveals) the panel on a run; resolves once the run folder has been read. */
  async open(run: ViewerRunRef | undefined): Promise<void> {
    this.ensurePanel();
    if (run && (run.id !== this.state.run?.id || run.dir !== this.state.run.dir)) await this.selectRun(run);
    else await this.loading;
  }

  private ensurePanel(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(ROLLOUT_VIEWER_TYPE, 'Rollout Viewer', vscode.ViewColumn.Active, { retainContextWhenHidden: false });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    this.panel = panel;
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.attach(panel, panel.onDidChangeViewState, { name: 'rollout-viewer', title: 'Rollout Viewer' });
  }

  private async selectRun(run: ViewerRunRef): Promise<void> {
    const live = this.manager.get(run.id);
    this.state = { ...this.state, run: { id: run.id, dir: run.dir, live: !!live && !isTerminal(live.status) }, step: 'latest' };
    this.store = new RolloutStore();
    this.images.clear();
    this.lastNotice = undefined;
    const store = this.store;
    this.follower?.dispose();
    this.follower = undefined;
    if (!live) {
      this.follower = new RunDirectoryFollower(run.dir, {
        onEvents: (events) => {
          for (const e of events) if (e.type === 'rollouts') this.addLive(e.step, e.groups, e.partial);
        },
        onNote: (message) => this.notify({ type: 'notice', level: 'warning', message }),
      });
      this.loading = this.follower.catchUp();
      this.follower.start();
      await this.loading;
      if (this.store === store) this.replayNow();
      return;
    }
    this.loading = (async () => {
      const started = performance.now();
      try {
        const report = await store.load(run.dir);
        this.log.info(`[viewer] ${run.id}: ${store.steps().length} steps of rollouts from ${report.file ?? '(no file yet)'} in ${(performance.now() - started).toFixed(0)} ms`);
        if (report.problems.length) {
          const more = report.moreProblems ? ` (and ${report.moreProblems} more)` : '';
          const message = `Some lines could not be read: ${report.problems.join('; ')}${more}`;
          this.log.warn(`[viewer] ${run.id}: ${message}`);
          this.notify({ type: 'notice', level: 'warning', message });
        }
      } catch (err) {
        const message = `Could not read the rollouts of ${run.dir}: ${(err as Error).message}`;
        this.log.error(`[viewer] ${message}`);
        this.notify({ type: 'notice', level: 'error', message });
      }
    })();
    await this.loading;
    if (this.store === store) this.replayNow();
  }

  private shownStep(): number | undefined {
    return this.state.step === 'latest' ? this.store.latest() : this.state.step;
  }

  /** Sends the whole state and the shown step's groups to a ready webview (once the run folder is read). */
  protected override replay(): void {
    void this.loading.then(() => this.replayNow());
  }

  private replayNow(): void {
    if (!this.ready) return;
    this.replays++;
    this.postedChains = 0;
    this.post({ type: 'state', state: this.state, steps: this.store.steps() });
    if (this.lastNotice) this.post(this.lastNotice);
    this.postStep(false);
  }

  private postStep(append: boolean): void {
    const step = this.shownStep();
    if (step === undefined) return;
    const run = this.state.run;
    const groups = this.store.groups(step);
    this.postedChains += groups.reduce((a, g) => a + g.samples.length, 0);
    this.post(async () => ({ type: 'rollouts', step, append, groups: run ? await inlineImages(groups, run.dir, this.images) : groups }));
  }

  private addLive(step: number, groups: RolloutGroup[], partial = false): void {
    if (!this.store.add(step, groups, partial)) return;
    if (!this.ready) return;
    this.post({ type: 'steps', steps: this.store.steps() });
    if (this.shownStep() === step) {
      this.postedChains = 0;
      this.postStep(false);
    }
  }

  protected override handle(message: ViewerToHost): void {
    switch (message.type) {
      case 'setStep': {
        const before = this.shownStep();
        this.state.step = message.step;
        if (this.shownStep() !== before) {
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
      case 'pickRun':
        void this.pickRun().then((run) => (run ? this.open(run) : undefined));
        break;
    }
  }

  /** A notice; warnings and errors are kept and replayed, so a reloaded panel still shows them. */
  private notify(message: Extract<HostToViewer, { type: 'notice' }>): void {
    if (message.level !== 'info') this.lastNotice = message;
    this.post(message);
  }

  override dispose(): void {
    this.follower?.dispose();
    this.panel?.dispose();
    super.dispose();
  }
}

/** `<dir>` → `{id, dir}`: a run folder's name is its id. */
export function runRefFromDir(dir: string): ViewerRunRef {
  const resolved = path.resolve(dir);
  return { id: path.basename(resolved), dir: resolved };
}
