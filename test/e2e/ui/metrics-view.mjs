// The Metrics view in the real workbench, after the palette's smoke run: finds the view's webview
// (the inner frame that holds #metrics-app), checks that the `reward` and `loss` charts hold
// points and painted pixels, hovers the reward chart for its read-out, and saves a screenshot.
import path from 'node:path';
import { until } from '../lib/until.mjs';

/** The webview frame of the Metrics view: nested iframes, the inner one holds the page. */
async function metricsFrame(page, timeoutMs) {
  const find = async () => {
    for (const frame of page.frames()) {
      if (!frame.url().includes('fake.html') && !frame.url().includes('index.html')) continue;
      if (await frame.$('#metrics-app').catch(() => null)) return frame;
    }
    return undefined;
  };
  return until(find, Boolean, timeoutMs, 'a webview frame holding #metrics-app', 200);
}

/** Painted (non-transparent) pixels of a chart's line canvas, and its point count. */
function chartInk(frame, metric) {
  return frame.evaluate((m) => {
    const card = document.querySelector(`.chart[data-metric="${CSS.escape(m)}"]`);
    const canvas = card?.querySelector('canvas');
    if (!card || !canvas || !canvas.width) return { points: 0, ink: 0 };
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
    return { points: Number(card.dataset.points ?? 0), ink };
  }, metric);
}

export async function checkMetricsView(page, check, { screenshotDir, log }) {
  let frame;
  const found = await check('the Metrics view (under Runs) loads its webview', async () => {
    const header = page.locator('.pane-header[aria-label^="Metrics"]').first();
    await header.waitFor({ timeout: 20_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    frame = await metricsFrame(page, 30_000);
  });
  if (!found) return;

  await check('the reward and loss charts of the smoke run render with points', async () => {
    const result = {};
    for (const metric of ['reward', 'loss']) {
      await frame.waitForSelector(`.chart[data-metric="${metric}"][data-points]:not([data-points="0"])`, { timeout: 30_000 });
      result[metric] = await chartInk(frame, metric);
      if (!(result[metric].points > 0 && result[metric].ink > 200)) throw new Error(`${metric}: ${JSON.stringify(result[metric])}`);
    }
    const row = await frame.locator('.run-row', { hasText: 'smoke-' }).first().innerText();
    if (!/smoke-/.test(row)) throw new Error(`the run picker shows ${JSON.stringify(row)}`);
    return JSON.stringify(result);
  });

  await check("hovering the reward chart shows the step and each run's value; screenshot saved", async () => {
    // Give the Metrics view the sidebar's height so the screenshot shows the charts.
    const runsHeader = page.locator('.pane-header[aria-label^="Runs"]').first();
    if ((await runsHeader.getAttribute('aria-expanded').catch(() => null)) === 'true') {
      await runsHeader.click();
      await until(
        () => runsHeader.getAttribute('aria-expanded').catch(() => null),
        (v) => v === 'false',
        10_000,
        'the Runs view collapsing',
      );
    }
    frame = await metricsFrame(page, 20_000);
    await frame.waitForSelector('.chart[data-metric="reward"][data-points]:not([data-points="0"])', { timeout: 20_000 });
    const plot = frame.locator('.chart[data-metric="reward"] .plot');
    const box = await plot.boundingBox();
    if (!box) throw new Error('the reward chart has no box');
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5);
    const readout = frame.locator('.chart[data-metric="reward"] .readout');
    await readout.waitFor({ state: 'visible', timeout: 10_000 });
    const text = (await readout.innerText()).replace(/\s+/g, ' ');
    if (!/step \d+/.test(text) || !/smoke-/.test(text)) throw new Error(`read-out says ${JSON.stringify(text)}`);
    const file = path.join(screenshotDir, 'e2e-metrics.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return text;
  });
}
