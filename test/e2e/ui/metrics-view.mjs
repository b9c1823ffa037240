// The Metrics view in the real workbench, after the palette's smoke run: finds the view's webview
// (the inner frame that holds #metrics-app), checks that the `reward` and `loss` charts hold
// points and painted pixels, hovers the reward chart for its read-out, saves a screenshot, and
// exports the points through the Export CSV button and the save dialog;
// at the end of the palette flow, overlays a copy of that run with another reward definition.
import fs from 'node:fs';
import path from 'node:path';
import { reloadWindow } from '../lib/palette.mjs';
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
    const readout = frame.locator('.chart[data-metric="reward"] .readout');
    // Points arriving repaint the chart and its read-out: hover again until the read-out holds them.
    let nudge = 0;
    const text = await until(
      async () => {
        const box = await plot.boundingBox();
        if (!box) return '';
        await page.mouse.move(box.x + box.width * 0.9 - (nudge++ % 2), box.y + box.height * 0.5);
        return (await readout.innerText().catch(() => '')).replace(/\s+/g, ' ');
      },
      (t) => /step \d+/.test(t) && /smoke-/.test(t),
      10_000,
      "the reward chart's read-out naming the step and the smoke run",
      200,
    );
    const file = path.join(screenshotDir, 'e2e-metrics.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return text;
  });

  await check("Export CSV's button and save dialog write every point of the smoke run", async () => {
    frame = await metricsFrame(page, 20_000);
    await frame.locator('button.export', { hasText: 'Export CSV' }).click();
    // In the browser VS Code's save dialog is a quick input holding the proposed path (beside the runs).
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    const proposed = await until(
      () => input.inputValue().catch(() => ''),
      (v) => /metrics-smoke-[^/\\]*\.csv$/.test(v),
      10_000,
      'the save dialog proposing metrics-<run>.csv',
    );
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'StepGRPO: metrics saved to' }).first();
    await toast.waitFor({ timeout: 20_000 });
    const saved = (await toast.innerText()).match(/metrics saved to (\S+\.csv)/)?.[1];
    if (!saved || !fs.existsSync(saved)) throw new Error(`the toast names ${JSON.stringify(saved)} (proposed ${proposed})`);
    const [header, ...rows] = fs.readFileSync(saved, 'utf8').trimEnd().split('\n');
    if (header !== 'run,metric,step,value') throw new Error(`header ${JSON.stringify(header)}`);
    const reward = rows.filter((r) => /^smoke-[^,]+,reward,\d+,-?[\d.e-]+$/.test(r));
    if (reward.length === 0) throw new Error(`no reward rows among ${rows.length}: ${rows.slice(0, 3).join(' | ')}`);
    return `${rows.length} rows (${reward.length} of reward) in ${path.basename(saved)}`;
  });
}

/**
 * Overlays a copy of the palette's smoke run whose config names another reward definition: the
 * note above the charts says so, reward-dependent charts carry ⚠ (their hover says why), the
 * metrics comparable across definitions come first, and each chart's hover explains its metric.
 */
export async function checkRewardMismatch(page, check, { workspace, screenshotDir, log }) {
  await check('a run with another reward definition, overlaid: ⚠ note and marks, comparable metrics first, descriptions on hover', async () => {
    const runsRoot = path.join(workspace, '.stepgrpo', 'runs');
    const smoke = fs.readdirSync(runsRoot).find((n) => n.startsWith('smoke-') && fs.existsSync(path.join(runsRoot, n, 'metrics.jsonl')));
    if (!smoke) throw new Error(`no smoke run with metrics in ${runsRoot}`);
    // The Runs view collapsed, then a window reload: its tree is not asked for children again, so
    // what tells the Metrics view of new runs must not wait for it (it did).
    const runsHeader = page.locator('.pane-header[aria-label^="Runs"]').first();
    if ((await runsHeader.getAttribute('aria-expanded')) === 'true') await runsHeader.click();
    await reloadWindow(page);
    const header = page.locator('.pane-header[aria-label^="Metrics"]').first();
    await header.waitFor({ timeout: 20_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const frame = await metricsFrame(page, 30_000);
    const listed = () => frame.locator('.run-row').evaluateAll((rows) => rows.map((r) => r.dataset.runId));
    // Copied only once the view has listed its runs: a folder there before is found by that first scan.
    try {
      await until(listed, (ids) => ids.includes(smoke), 30_000, `the Metrics view listing ${smoke}`, 250);
    } catch (err) {
      await page.screenshot({ path: path.join(screenshotDir, 'e2e-metrics-reload-failed.png') });
      const shown = await frame
        .locator('#metrics-app')
        .innerText()
        .catch((e) => `(unreadable: ${e.message})`);
      throw new Error(`${err.message}; the view shows ${JSON.stringify(shown.slice(0, 300))}; frames ${page.frames().length}`);
    }
    const copy = 'outcome-copy';
    fs.cpSync(path.join(runsRoot, smoke), path.join(runsRoot, copy), { recursive: true });
    const configFile = path.join(runsRoot, copy, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), reward: 'grpo-outcome' }));
    // A run written by another process (here, copied in) is listed with the Runs view collapsed.
    await until(listed, (ids) => ids.includes(copy), 20_000, `the Metrics view listing ${copy}`, 250);
    for (const run of [smoke, copy]) {
      const box = frame.locator(`.run-row[data-run-id="${run}"] input[type="checkbox"]`);
      if (!(await box.isChecked())) await box.check();
    }
    // The copy's definition arrives with its run state, after its row.
    const note = frame.locator('#reward-note');
    await until(
      () => note.innerText().catch(() => ''),
      (t) => t.includes('different reward definitions') && t.includes(`${copy}: grpo-outcome`),
      20_000,
      `the note naming ${copy}'s reward definition`,
      250,
    );
    const overflow = await note.evaluate((el) => el.scrollWidth - el.clientWidth);
    if (overflow > 0) throw new Error(`the note overflows the view by ${overflow} px`);
    const reward = frame.locator('.chart[data-metric="reward"] .chart-title');
    await until(
      () => reward.innerText(),
      (t) => t.startsWith('⚠'),
      10_000,
      'the reward chart marked ⚠',
    );
    const rewardHover = await reward.getAttribute('title');
    if (!rewardHover.startsWith('The overlaid runs use different reward definitions')) throw new Error(`the reward chart's hover says ${JSON.stringify(rewardHover)}`);
    const firstGroup = await frame.locator('section.group').first().getAttribute('data-group');
    if (firstGroup !== 'Comparable across reward definitions') throw new Error(`the first group is ${JSON.stringify(firstGroup)}`);
    const common = frame.locator('section.group').first().locator('.chart-title').first();
    const commonTitle = await common.innerText();
    const commonHover = await common.getAttribute('title');
    if (commonTitle.startsWith('⚠') || !commonHover.startsWith(`${commonTitle}: `) || commonHover.length < commonTitle.length + 20) {
      throw new Error(`the first comparable chart is ${JSON.stringify(commonTitle)}, hover ${JSON.stringify(commonHover)}`);
    }
    const file = path.join(screenshotDir, 'e2e-metrics-reward-mismatch.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return `${commonTitle} first; reward hover: ${rewardHover.slice(0, 60)}…`;
  });
}
