// The built Rollout viewer bundle (dist/webview/rollout-viewer.js) in headless Chromium, outside
// VS Code, in the very document the extension serves (webview-document.ts: strict CSP with a nonce,
// KaTeX's and the viewer's stylesheets): a fake acquireVsCodeApi records what the page posts, and
// host messages are delivered as window `message` events, as the real webview receives them. Console
// errors (a CSP violation among them) are collected. Used by the benchmark and the page tests.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HostToViewer } from '../../src/protocol/viewer-messages';
import { createNonce, webviewDocument } from '../../src/extension/webview-document';

const root = path.resolve(__dirname, '../..');
export const VIEWER_BUNDLE = path.join(root, 'dist/webview/rollout-viewer.js');
const CSS = path.join(root, 'media/rollout-viewer.css');
const KATEX_CSS = path.join(root, 'dist/katex/katex.min.css');
/** Where the page pretends to be served from (requests there are answered from the files above). */
const ORIGIN = 'https://webview.test';
const PLAYWRIGHT = path.join(root, 'test/e2e/node_modules/playwright-core');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the page cannot be opened here, or null. */
export function viewerPageUnavailable(): string | null {
  if (!fs.existsSync(VIEWER_BUNDLE)) return `${path.relative(root, VIEWER_BUNDLE)} is missing (run \`node esbuild.js\`)`;
  if (!fs.existsSync(PLAYWRIGHT)) return 'playwright-core is not installed in test/e2e/node_modules (run the e2e suite once)';
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  return null;
}

/** A theme's variables and body class, as VS Code sets them on the webview's <html> and <body> (Dark Modern / Light Modern). */
export const THEMES = {
  dark: {
    kind: 'vscode-dark',
    vars: {
      foreground: '#cccccc',
      'editor-background': '#1f1f1f',
      'editorWidget-background': '#202020',
      'panel-border': '#2b2b2b',
      'textLink-foreground': '#4daafc',
      descriptionForeground: '#9d9d9d',
    },
  },
  light: {
    kind: 'vscode-light',
    vars: {
      foreground: '#3b3b3b',
      'editor-background': '#ffffff',
      'editorWidget-background': '#f8f8f8',
      'panel-border': '#e5e5e5',
      'textLink-foreground': '#005fb8',
      descriptionForeground: '#3b3b3b',
      'dropdown-background': '#ffffff',
      'dropdown-foreground': '#3b3b3b',
      'dropdown-border': '#cecece',
      'input-background': '#ffffff',
      'input-foreground': '#3b3b3b',
      'checkbox-background': '#f8f8f8',
      'checkbox-foreground': '#3b3b3b',
      'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b',
    },
  },
} as const;

/** What the callers use of playwright-core's Page (it lives in test/e2e/node_modules, outside tsc's reach). */
export interface PageLike {
  evaluate(expression: string): Promise<unknown>;
  screenshot(options: { path: string }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  context(): { newCDPSession(page: PageLike): Promise<{ send(method: string, params?: object): Promise<unknown> }> };
}

interface RouteLike {
  request(): { url(): string };
  fulfill(o: { status: number; contentType?: string; body: string | Buffer }): Promise<void>;
}

interface ChromiumLike {
  launch(options: object): Promise<{
    newPage(options: object): Promise<
      PageLike & {
        on(event: 'console', f: (m: { type(): string; text(): string }) => void): void;
        on(event: 'pageerror', f: (e: Error) => void): void;
        route(url: string, handler: (route: RouteLike) => Promise<void>): Promise<void>;
        addInitScript(script: string): Promise<void>;
        goto(url: string): Promise<unknown>;
        waitForFunction(expression: string): Promise<unknown>;
      }
    >;
    close(): Promise<void>;
  }>;
}

export interface ViewerPage<In = HostToViewer> {
  page: PageLike;
  send(message: In): Promise<void>;
  posted(): Promise<unknown[]>;
  /** Console errors and uncaught exceptions so far (a CSP violation is one). */
  errors(): string[];
  close(): Promise<void>;
}

export async function openViewerPage(viewport = { width: 1400, height: 900 }, theme: keyof typeof THEMES = 'dark'): Promise<ViewerPage> {
  return openWebviewPage({ bundle: VIEWER_BUNDLE, css: CSS, title: 'Rollout Viewer', viewport, theme, katex: true });
}

/** Any webview app's bundle in the document the extension serves: `body` is its static markup, `theme` the workbench's (dark by default). */
export async function openWebviewPage<In = HostToViewer>(o: {
  bundle: string;
  css: string;
  viewport: { width: number; height: number };
  title?: string;
  body?: string;
  theme?: keyof typeof THEMES;
  katex?: boolean;
}): Promise<ViewerPage<In>> {
  const { chromium } = createRequire(__filename)(PLAYWRIGHT) as { chromium: ChromiumLike };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: o.viewport });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const files: Record<string, { file: string; type: string }> = {
    '/app.js': { file: o.bundle, type: 'text/javascript' },
    '/app.css': { file: o.css, type: 'text/css' },
    '/katex.css': { file: KATEX_CSS, type: 'text/css' },
  };
  const html = webviewDocument({
    title: o.title ?? 'Webview',
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/app.js`,
    styleUri: `${ORIGIN}/app.css`,
    extraStyleUris: o.katex && fs.existsSync(KATEX_CSS) ? [`${ORIGIN}/katex.css`] : [],
    body: o.body,
    nonce: createNonce(),
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const served = files[url.pathname];
    if (url.pathname === '/') await route.fulfill({ status: 200, contentType: 'text/html', body: html });
    else if (served && fs.existsSync(served.file)) await route.fulfill({ status: 200, contentType: served.type, body: fs.readFileSync(served.file) });
    else await route.fulfill({ status: 404, body: '' });
  });
  // Before the page's own scripts (an init script is not subject to the page's CSP): the VS Code API
  // and the theme, set through the CSSOM as VS Code does.
  const { kind, vars } = THEMES[o.theme ?? 'dark'];
  await page.addInitScript(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), setState: (s) => (window.__state = s), getState: () => undefined });
    document.addEventListener('DOMContentLoaded', () => {
      const root = document.documentElement.style;
      for (const [k, v] of Object.entries(${JSON.stringify({ 'font-family': 'sans-serif', 'font-size': '13px', 'editor-font-family': 'monospace', 'editor-font-size': '12px', ...vars })})) root.setProperty('--vscode-' + k, v);
      document.body.classList.add(${JSON.stringify(kind)});
    });`);
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction('window.__posted.some((m) => m.type === "ready")');
  return {
    page,
    send: async (message) => {
      await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    },
    posted: async () => (await page.evaluate('window.__posted')) as unknown[],
    errors: () => [...errors],
    close: () => browser.close(),
  };
}
