// Drives the real workbench like a person: opens a chain from Quick Open, runs
// "StepGRPO: Score Reasoning Chain in Editor" from the command palette, checks what appears on
// screen (notification, CodeLens, squiggles) and saves a screenshot; then starts a smoke run from
// the palette (the trainer of the installed .vsix) and looks at the Runs view. Returns one check
// per step.
import { runCommand } from '../lib/palette.mjs';
import path from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { until } from '../lib/until.mjs';
import { checkMetricsView, checkRewardMismatch } from './metrics-view.mjs';
import { runRemoteRunScript } from './remote-run.mjs';
import { runExperienceScript } from './run-experience.mjs';
import { runFollowedImportScript } from './followed-import.mjs';
import { runViewerScript } from './rollout-viewer.mjs';
import { runCompareReloadScript } from './viewer-compare-reload.mjs';

const FIXTURE = 'apples-step-gap.md';

export async function runPaletteScript({ base, workspace, screenshotDir, log }) {
  const checks = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      checks.push({ name, ok: true, detail });
      return true;
    } catch (err) {
      checks.push({ name, ok: false, detail: err?.message ?? String(err) });
      return false;
    }
  };
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const started = Date.now();
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    const loaded = await check('workbench loads with the installed .vsix', async () => {
      await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
      log(`workbench visible ${Date.now() - started} ms after navigation`);
    });
    if (!loaded) return checks;
    // The extension's contributions are registered once its activity bar entry shows.
    await until(
      () => page.locator('.activitybar [aria-label^="StepGRPO"]').count(),
      (n) => n > 0,
      30_000,
      'the StepGRPO activity bar entry',
    );

    await check(`Quick Open opens ${FIXTURE}`, async () => {
      await page.keyboard.press('Control+P');
      await page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible', timeout: 20_000 });
      await page.keyboard.type(FIXTURE);
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${FIXTURE}"]`, { timeout: 20_000 });
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.tabs-container .tab[aria-label*="${FIXTURE}"]`, { timeout: 20_000 });
      await page.waitForSelector('.monaco-editor .view-lines', { timeout: 20_000 });
    });

    await check('the palette lists "StepGRPO: Score Reasoning Chain in Editor"', async () => {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget .quick-input-box input', { state: 'visible', timeout: 20_000 });
      await page.keyboard.type('StepGRPO: Score Reasoning Chain');
      const row = page.locator('.quick-input-list .monaco-list-row').first();
      await row.waitFor({ timeout: 20_000 });
      const text = await row.innerText();
      if (!text.includes('Score Reasoning Chain in Editor')) throw new Error(`first palette row is ${JSON.stringify(text)}`);
      await page.keyboard.press('Enter');
    });

    await check('running it shows the reward summary notification', async () => {
      const toast = page.locator('.notification-toast', { hasText: 'StepGRPO: answer' }).first();
      await toast.waitFor({ timeout: 30_000 });
      const text = await toast.innerText();
      if (!/answer ✓ · key steps 2\/2 · StepRVR ✗/.test(text)) throw new Error(`notification says ${JSON.stringify(text)}`);
      return text;
    });

    await check('the CodeLens summarises the reward above the chain', async () => {
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'StepGRPO:' }).first();
      await lens.waitFor({ timeout: 20_000 });
      const text = await lens.innerText();
      if (!text.includes('StepRVR ✗')) throw new Error(`CodeLens says ${JSON.stringify(text)}`);
    });

    await check('the step-gap violation is underlined in the editor', async () => {
      await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 20_000 });
    });

    await check('a screenshot is saved under test-output/', async () => {
      const file = path.join(screenshotDir, 'e2e-score-chain.png');
      await page.screenshot({ path: file });
      log(`screenshot: ${path.relative(process.cwd(), file)}`);
    });

    const smokeRan = await runFromPalette(page, check, { screenshotDir, log });
    if (smokeRan) {
      await checkMetricsView(page, check, { screenshotDir, log });
      await runViewerScript(page, check, { workspace, screenshotDir, log });
      await runExperienceScript(page, check, { workspace, screenshotDir, log });
    }
    await runRemoteRunScript(page, check, { screenshotDir, log });
    await runFollowedImportScript(page, check, { workspace, screenshotDir, log });
    await runCompareReloadScript(page, check, { workspace, screenshotDir, log });
    // Last: the copied run it adds would be one more run for the scripts above.
    if (smokeRan) await checkRewardMismatch(page, check, { workspace, screenshotDir, log });
  } finally {
    await browser.close().catch(() => {});
  }
  return checks;
}

/** Start StepGRPO Run → smoke from the quick pick, wait for the outcome, then the Runs view. */
async function runFromPalette(page, check, { screenshotDir, log }) {
  const started = await check('the palette runs "StepGRPO: Start StepGRPO Run" and its quick pick offers the presets', async () => {
    await runCommand(page, 'StepGRPO: Start StepGRPO Run');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="grpo-outcome"]', { timeout: 20_000 });
    await page.keyboard.type('smoke');
    await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="smoke"]', { timeout: 10_000 });
    await page.keyboard.press('Enter');
  });
  if (!started) return false;

  await check('the smoke run of the installed extension completes and says so', async () => {
    const toast = page.locator('.notification-toast', { hasText: /StepGRPO run smoke-\S+ (completed|failed|stopped)/ }).first();
    await toast.waitFor({ timeout: 120_000 });
    const text = await toast.innerText();
    if (!/completed/.test(text)) throw new Error(`notification says ${JSON.stringify(text)}`);
    return text;
  });

  return check('the Runs view (StepGRPO activity bar container) lists the run as completed', async () => {
    await page.locator('.part.activitybar .action-label[aria-label^="StepGRPO"]').first().click({ timeout: 20_000 });
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'smoke-' }).first();
    await row.waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll('.pane-body .monaco-list-row')].some((r) => /step (\d+)\/\1/.test(r.textContent ?? '') && r.querySelector('.codicon-pass')),
      undefined,
      { timeout: 20_000 },
    );
    // Widen the sidebar (drag its sash) so the screenshot shows the step and reward, not an ellipsis.
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const x = sidebar.x + sidebar.width + 1;
      await page.mouse.move(x, sidebar.y + sidebar.height / 2);
      await page.mouse.down();
      await page.mouse.move(x + 160, sidebar.y + sidebar.height / 2, { steps: 8 });
      await page.mouse.up();
    }
    await row.hover();
    await row.locator('.action-label').first().waitFor({ state: 'visible', timeout: 10_000 });
    const file = path.join(screenshotDir, 'e2e-runs-view.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return (await row.innerText()).replace(/\s+/g, ' ');
  });
}
