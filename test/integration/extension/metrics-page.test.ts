// The Metrics view's page (dist/webview/metrics.js) in headless Chromium at a sidebar's size: the
// exported PNG shows the points the charts hold even for charts scrolled out of view (it painted
// stale canvases before: 18 of 28 charts showed one point), on an opaque background, at the width
// asked; the Export buttons stay whole at a narrow sidebar; a click on a point asks for its step.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostToMetricsMessage, SeriesChunk } from '../../../src/protocol/metrics-messages';
import { openWebviewPage, type ViewerPage } from '../../support/viewer-page';
import { noisyCurve } from '../../unit/metrics/fixtures';

const root = path.resolve(__dirname, '../../..');
const BUNDLE = path.join(root, 'dist/webview/metrics.js');
const CSS = path.join(root, 'media/metrics.css');
const BACKGROUND = [0x1f, 0x1f, 0x1f]; // THEMES.dark editor-background
const METRICS = Array.from({ length: 28 }, (_, i) => `metric_${String(i).padStart(2, '0')}`);
const why = fs.existsSync(BUNDLE) && fs.existsSync(path.join(root, 'test/e2e/node_modules/playwright-core')) ? null : 'needs `node esbuild.js` and playwright-core (test/e2e)';

const state = { selected: [{ runId: 'run-a', color: 0 }], smoothing: 0, hidden: [] };
const ALL: SeriesChunk[] = METRICS.map((metric, i) => ({ runId: 'run-a', metric, ...noisyCurve(96, i + 1) }));
/** The first `n` points of every series. */
const first = (n: number): SeriesChunk[] => ALL.map((c) => ({ ...c, steps: c.steps.slice(0, n), values: c.values.slice(0, n) }));

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function open(width: number): Promise<ViewerPage<HostToMetricsMessage>> {
  return openWebviewPage<HostToMetricsMessage>({ bundle: BUNDLE, css: CSS, viewport: { width, height: 500 }, body: '<div id="metrics-app"></div>' });
}

const pointsShown = (p: ViewerPage<HostToMetricsMessage>) => p.page.evaluate(`[...document.querySelectorAll('.chart')].map((c) => Number(c.dataset.points))`) as Promise<number[]>;

async function exportPng(p: ViewerPage<HostToMetricsMessage>, width: number): Promise<string> {
  await p.send({ type: 'composePng', requestId: 7, width });
  const posted = await until(p.posted, (m) => m.some((x) => (x as { type: string }).type === 'png'), 'the png message');
  return (posted.find((x) => (x as { type: string }).type === 'png') as { dataUri: string }).dataUri;
}

describe('Metrics view page (headless Chromium)', { skip: why ?? false }, () => {
  let grown: ViewerPage<HostToMetricsMessage>;
  let whole: ViewerPage<HostToMetricsMessage>;
  before(async () => {
    [grown, whole] = await Promise.all([open(300), open(300)]);
  });
  after(async () => {
    await Promise.all([grown?.close(), whole?.close()]);
  });

  it('exports what the charts hold, also the charts out of view, opaque, at the width asked', async () => {
    // One point each, drawn; then 95 more arrive while most charts are scrolled out of view.
    await grown.send({ type: 'snapshot', state, runs: [], series: first(1) });
    await until(
      () => pointsShown(grown),
      (p) => p.length === 28 && p.every((n) => n === 1),
      'one point per chart',
    );
    await grown.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await grown.send({ type: 'update', append: ALL.map((c) => ({ ...c, steps: c.steps.slice(1), values: c.values.slice(1) })) });
    await until(
      () => pointsShown(grown),
      (p) => p.every((n) => n === 96),
      '96 points per chart',
    );
    await whole.send({ type: 'snapshot', state, runs: [], series: ALL });
    await until(
      () => pointsShown(whole),
      (p) => p.length === 28 && p.every((n) => n === 96),
      '96 points per chart (second page)',
    );

    const [a, b] = [await exportPng(grown, 800), await exportPng(whole, 800)];
    const diff = (await grown.page.evaluate(`(async () => {
      const load = async (uri) => { const img = new Image(); img.src = uri; await img.decode(); const c = document.createElement('canvas'); c.width = img.width; c.height = img.height; const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0); return ctx.getImageData(0, 0, c.width, c.height).data; };
      const [x, y] = [await load(${JSON.stringify(a)}), await load(${JSON.stringify(b)})];
      let n = 0, first = -1; for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) { n++; if (first < 0) first = i; }
      return { n, firstRow: Math.floor(first / 4 / 800) };
    })()`)) as { n: number; firstRow: number };
    assert.equal(diff.n, 0, `the export of the page that grew differs from one painted from the same points: ${JSON.stringify(diff)}`);
    const pixels = (await grown.page.evaluate(`(async () => {
      const img = new Image(); img.src = ${JSON.stringify(a)}; await img.decode();
      const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
      const ctx = c.getContext('2d'); ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let translucent = 0; for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) translucent++;
      return { width: img.width, translucent, corner: [d[0], d[1], d[2]] };
    })()`)) as { width: number; translucent: number; corner: number[] };
    assert.deepEqual(pixels, { width: 800, translucent: 0, corner: BACKGROUND });
  });

  it('keeps both Export buttons whole and on screen at a narrow sidebar', async () => {
    for (const width of [200, 260, 300]) {
      const p = await open(width);
      try {
        const boxes = (await p.page.evaluate(
          `[...document.querySelectorAll('.export')].map((b) => { const r = b.getBoundingClientRect(); return { left: r.left, right: r.right, height: r.height, line: parseFloat(getComputedStyle(b).fontSize) * 1.6 }; })`,
        )) as { left: number; right: number; height: number; line: number }[];
        assert.equal(boxes.length, 2);
        for (const box of boxes) assert.ok(box.left >= 0 && box.right <= width && box.height > 0 && box.height < box.line, `at ${width} px: ${JSON.stringify(boxes)}`);
      } finally {
        await p.close();
      }
    }
  });

  it('a click on a point asks the host to open that run at that step', async () => {
    const p = await open(300);
    try {
      await p.send({ type: 'snapshot', state, runs: [], series: [{ runId: 'run-a', metric: 'reward', steps: [1, 2, 3], values: [0, 0.5, 1] }] });
      await until(
        () => pointsShown(p),
        (n) => n[0] === 3,
        'the reward chart',
      );
      await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const at = (await p.page.evaluate(
        `(() => { const r = document.querySelector('.chart .plot').getBoundingClientRect(); return { x: r.left + r.width / 2 + 10, y: r.top + r.height / 2 - 5 }; })()`,
      )) as { x: number; y: number };
      await p.page.evaluate(`document.querySelector('.chart .plot').dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: ${at.x}, clientY: ${at.y} }))`);
      const posted = await until(p.posted, (m) => m.some((x) => (x as { type: string }).type === 'openStep'), 'openStep');
      assert.deepEqual(
        posted.find((x) => (x as { type: string }).type === 'openStep'),
        { type: 'openStep', runId: 'run-a', step: 2, metric: 'reward' },
      );
    } finally {
      await p.close();
    }
  });
});
