// The Rollout viewer panel (DESIGN §9). One panel per window; it shows one run at a time, read from
// the run folder and then followed live through the RunManager. The host owns the state (run,
// step, filters, layout) and replays it whenever the webview (re)loads: retainContextWhenHidden
// is off, so a hidden panel costs no memory in the renderer.
import { describeIssue } from '../../protocol/schema';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RolloutGroup } from '../../protocol/trainer-messages';
import { defaultViewerState, parseViewerToHost, type HostToViewer, type ViewerState, type ViewerToHost } from '../../protocol/viewer-messages';
import { Disposable } from '../disposable';
import type { RunManager } from '../runs/run-manager';
import { isTerminal } from '../runs/run-state';
import { inlineImages, RolloutStore } from './rollout-store';
import { rolloutViewerHtml } from './rollout-viewer-html';

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

export class RolloutViewer extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private state: ViewerState = defaultViewerState();
  private store = new RolloutStore();
  private readonly images = new Map<string, string | null>();
  private ready = false;
  private postedChains = 0;
  private replays = 0;
  /** The last warning or error, replayed with the state so a reloaded panel still shows it. */
  private lastNotice: HostToViewer | undefined;
  private loading: Promise<void> = Promise.resolve();
  /** Serialises posts so a step's groups never overtake the state that precedes them. */
  private outbox: Promise<void> = Promise.resolve();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly manager: RunManager,
    private readonly log: vscode.LogOutputChannel,
    private readonly pickRun: () => Promise<ViewerRunRef | undefined>,
  ) {
    super();
    this._register(manager.onDidChange((change) => {
      if (change.run.id !== this.state.run?.id) return;
      if (change.kind === 'event' && change.event.type === 'rollouts') {
        const { step, groups } = change.event;
        void this.loading.then(() => this.addLive(step, groups));
      } else if (change.kind === 'ended' && this.state.run) {
        this.state.run = { ...this.state.run, live: false };
        this.post({ type: 'notice', level: 'info', message: `Run ${change.run.id} ended: ${change.run.status}${change.run.error ? ` (${change.run.error})` : ''}.` });
      }
    }));
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
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(ROLLOUT_VIEWER_TYPE, 'Rollout Viewer', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
      retainContextWhenHidden: false,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    panel.webview.html = rolloutViewerHtml(panel.webview, dist, vscode.Uri.joinPath);
    this.panel = panel;
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // A hidden webview is destroyed; it says `ready` again when shown and gets the state replayed.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.ready = false;
      }),
    ];
  }

  private async selectRun(run: ViewerRunRef): Promise<void> {
    const live = this.manager.get(run.id);
    this.state = { ...this.state, run: { id: run.id, dir: run.dir, live: !!live && !isTerminal(live.status) }, step: 'latest' };
    this.store = new RolloutStore();
    this.images.clear();
    this.lastNotice = undefined;
    const store = this.store;
    this.loading = (async () => {
      const started = performance.now();
      try {
        const report = await store.load(run.dir);
        this.log.info(`[viewer] ${run.id}: ${store.steps().length} steps of rollouts from ${report.file ?? '(no file yet)'} in ${(performance.now() - started).toFixed(0)} ms`);
        if (report.problems.length) {
          const more = report.moreProblems ? ` (and ${report.moreProblems} more)` : '';
          const message = `Some lines could not be read: ${report.problems.join('; ')}${more}`;
          this.log.warn(`[viewer] ${run.id}: ${message}`);
          this.post({ type: 'notice', level: 'warning', message });
        }
      } catch (err) {
        const message = `Could not read the rollouts of ${run.dir}: ${(err as Error).message}`;
        this.log.error(`[viewer] ${message}`);
        this.post({ type: 'notice', level: 'error', message });
      }
    })();
    await this.loading;
    if (this.store === store) this.replay();
  }

  private shownStep(): number | undefined {
    return this.state.step === 'latest' ? this.store.latest() : this.state.step;
  }

  /** Sends the whole state and the shown step's groups to a ready webview. */
  private replay(): void {
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
    this.enqueue(async () => ({ type: 'rollouts', step, append, groups: run ? await inlineImages(groups, run.dir, this.images) : groups }));
  }

  private addLive(step: number, groups: RolloutGroup[]): void {
    if (!this.store.add(step, groups)) return;
    if (!this.ready) return;
    this.post({ type: 'steps', steps: this.store.steps() });
    if (this.state.step === 'latest') {
      this.postedChains = 0;
      this.postStep(false);
    }
  }

  private receive(raw: unknown): void {
    const parsed = parseViewerToHost(raw);
    if (!parsed.ok) {
      this.log.warn(`[viewer] ${describeIssue(parsed.issue)}`);
      return;
    }
    this.handle(parsed.value);
  }

  private handle(message: ViewerToHost): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        void this.loading.then(() => this.replay());
        break;
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

  private post(message: HostToViewer): void {
    if (message.type === 'notice' && message.level !== 'info') this.lastNotice = message;
    this.enqueue(async () => message);
  }

  private enqueue(make: () => Promise<HostToViewer>): void {
    this.outbox = this.outbox.then(async () => {
      const message = await make();
      if (this.panel && this.ready) await this.panel.webview.postMessage(message);
    }).catch((err: unknown) => this.log.warn(`[viewer] could not post to the webview: ${(err as Error).message}`));
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}

/** `<dir>` → `{id, dir}`: a run folder's name is its id. */
export function runRefFromDir(dir: string): ViewerRunRef {
  const resolved = path.resolve(dir);
  return { id: path.basename(resolved), dir: resolved };
}
