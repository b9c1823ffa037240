// The host side of a webview app (DESIGN §9), shared by the Rollout viewer panel and the Metrics
// view: the HTML under the strict CSP, the ready handshake, replay of the host-owned state when a
// page (re)loads, and posting in order. Neither webview retains its context when hidden: a hidden
// page is destroyed, and when it is shown again it reloads, says `ready`, and gets the state back.
import * as vscode from 'vscode';
import type { GuardResult } from '../protocol/message-guard';
import { describeIssue } from '../protocol/schema';
import { Disposable } from './disposable';
import { createNonce, webviewDocument } from './webview-document';

/** One app of webview/: its bundle is dist/webview/<name>.js, its stylesheet dist/media/<name>.css. */
export interface WebviewApp {
  name: 'metrics' | 'rollout-viewer';
  title: string;
  /** Static markup the app mounts into (no user text ever goes here). */
  body?: string;
  /** Stylesheets of libraries the app uses, as paths under dist/ (e.g. `katex/katex.min.css`). */
  styles?: string[];
}

/** What a WebviewPanel and a WebviewView both are. */
export interface WebviewSurface {
  readonly webview: vscode.Webview;
  readonly visible: boolean;
  readonly onDidDispose: vscode.Event<void>;
}

export abstract class WebviewHost<ToHost extends { type: string }, ToView> extends Disposable {
  private surface: WebviewSurface | undefined;
  private surfaceDisposables: vscode.Disposable[] = [];
  /** The page has said `ready` since it last (re)loaded; until then posts are dropped. */
  protected ready = false;
  private outbox: Promise<void> = Promise.resolve();

  protected constructor(
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: vscode.LogOutputChannel,
    private readonly label: string,
    private readonly parse: (raw: unknown) => GuardResult<ToHost>,
  ) {
    super();
    this._register({ dispose: () => this.detach() });
  }

  /** A surface is attached and on screen. */
  protected get visible(): boolean {
    return this.surface?.visible ?? false;
  }

  protected get attached(): boolean {
    return this.surface !== undefined;
  }

  /** Loads `app` into the surface and listens to it; `onDidChangeVisibility` is the surface's own event. */
  protected attach(surface: WebviewSurface, onDidChangeVisibility: vscode.Event<unknown>, app: WebviewApp): void {
    this.detach();
    this.surface = surface;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const webview = surface.webview;
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    webview.html = webviewDocument({
      title: app.title,
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', `${app.name}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'media', `${app.name}.css`)).toString(),
      extraStyleUris: (app.styles ?? []).map((s) => webview.asWebviewUri(vscode.Uri.joinPath(dist, ...s.split('/'))).toString()),
      nonce: createNonce(),
      ...(app.body ? { body: app.body } : {}),
    });
    this.surfaceDisposables = [
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      onDidChangeVisibility(() => {
        if (!surface.visible) this.ready = false;
      }),
      surface.onDidDispose(() => {
        if (this.surface === surface) this.detach();
      }),
    ];
  }

  private detach(): void {
    for (const d of this.surfaceDisposables.splice(0)) d.dispose();
    this.surface = undefined;
    this.ready = false;
  }

  private receive(raw: unknown): void {
    const parsed = this.parse(raw);
    if (!parsed.ok) {
      this.log.warn(`[${this.label}] ignored a message: ${describeIssue(parsed.issue)}`);
      return;
    }
    if (parsed.value.type === 'ready') {
      this.ready = true;
      this.replay();
    } else this.handle(parsed.value);
  }

  /** Sends everything the page shows (it has just said `ready`). */
  protected abstract replay(): void;

  /** Every message of the page but `ready`. */
  protected abstract handle(message: ToHost): void;

  /**
   * Posts in order. A message built asynchronously (`make`) keeps its place in the queue. Nothing
   * is sent while no page is ready: the next replay carries the state.
   */
  protected post(message: ToView | (() => Promise<ToView>)): void {
    this.outbox = this.outbox
      .then(async () => {
        const m = typeof message === 'function' ? await (message as () => Promise<ToView>)() : message;
        if (this.surface && this.ready) await this.surface.webview.postMessage(m);
      })
      .catch((err: unknown) => this.log.warn(`[${this.label}] could not post to the webview: ${(err as Error).message}`));
  }
}
