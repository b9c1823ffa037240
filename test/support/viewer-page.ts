// The built Rollout viewer bundle (dist/webview/rollout-viewer.js) in headless Chromium, outside
// VS Code: a fake acquireVsCodeApi records what the page posts, and host messages are delivered as
// window `message` events, as the real webview receives them. Used by the benchmark.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { HostToViewer } from '../../src/protocol/viewer-messages';

const root = path.resolve(__dirname, '../..');
export const VIEWER_BUNDLE = path.join(root, 'dist/webview/rollout-viewer.js');
const CSS = path.join(root, 'media/rollout-viewer.css');
const PLAYWRIGHT = path.join(root, 'test/e2e/node_modules/playwright-core');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** Why the page cannot be opened here, or null. */
export function viewerPageUnavailable(): string | null {
  if (!fs.existsSync(VIEWER_BUNDLE)) return `${path.relative(root, VIEWER_BUNDLE)} is missing (run \`node esbuild.js\`)`;
  if (!fs.existsSync(PLAYWRIGHT)) return 'playwright-core is not installed in test/e2e/node_modules (run the e2e suite once)';
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  return null;
}

// A dark theme's variables, as VS Code sets them on the webview's <html>.
const THEME = `html { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 12px;
  --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e; --vscode-panel-border: #444; --vscode-textLink-foreground: #3794ff; }`;

/** What the callers use of playwright-core's Page (it lives in test/e2e/node_modules, outside tsc's reach). */
export interface PageLike {
  evaluate(expression: string): Promise<unknown>;
  screenshot(options: { path: string }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  context(): { newCDPSession(page: PageLike): Promise<{ send(method: string, params?: object): Promise<unknown> }> };
}

interface ChromiumLike {
  launch(options: object): Promise<{
    newPage(options: object): Promise<PageLike & { setContent(html: string): Promise<void>; addScriptTag(o: { content: string }): Promise<unknown> }>;
    close(): Promise<void>;
  }>;
}

export interface ViewerPage<In = HostToViewer> {
  page: PageLike;
  send(message: In): Promise<void>;
  posted(): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function openViewerPage(viewport = { width: 1400, height: 900 }): Promise<ViewerPage> {
  return openWebviewPage({ bundle: VIEWER_BUNDLE, css: CSS, viewport });
}

/** Any webview app's bundle in headless Chromium: `body` is its static markup, `theme` the workbench's variables (a dark theme by default). */
export async function openWebviewPage<In = HostToViewer>(o: {
  bundle: string;
  css: string;
  viewport: { width: number; height: number };
  body?: string;
  theme?: string;
}): Promise<ViewerPage<In>> {
  const { chromium } = createRequire(__filename)(PLAYWRIGHT) as { chromium: ChromiumLike };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const page = await browser.newPage({ viewport: o.viewport });
  await page.setContent(
    `<!DOCTYPE html><html><head><meta charset="UTF-8"><style>${o.theme ?? THEME}\n${fs.readFileSync(o.css, 'utf8')}</style></head><body>${o.body ?? ''}</body></html>`,
  );
  // Page code is passed as strings: tsx rewrites function bodies with helpers the page lacks.
  await page.evaluate(`window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), setState: (s) => (window.__state = s) });`);
  await page.addScriptTag({ content: fs.readFileSync(o.bundle, 'utf8') });
  return {
    page,
    send: async (message) => {
      await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    },
    posted: async () => (await page.evaluate('window.__posted')) as unknown[],
    close: () => browser.close(),
  };
}
