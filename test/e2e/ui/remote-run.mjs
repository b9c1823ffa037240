// A remote run watched live in the installed .vsix, driven like a person: "StepGRPO: Start Reward
// Server" from the palette, chains posted by a test client (as verl/TRL clients send them), the
// notification's "Open Rollout Viewer", the next step streaming in, then the run ticked in the
// Metrics view. Saves test-output/e2e-remote-run-{viewer,metrics}.png (the ones in docs/images/ are
// copies of them).
import { runCommand } from '../lib/palette.mjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../lib/until.mjs';
import { waitInViewer } from './rollout-viewer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** /score_batch bodies for one step (test/support/engine-folders.ts, through tsx). */
function stepBody(step, prompts) {
  const script = `process.stdout.write(JSON.stringify({items: require('./test/support/engine-folders.ts').clientStepItems(${step}, ${JSON.stringify(prompts)})}))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not build the chains: ${r.stderr}`);
  return r.stdout;
}

async function post(url, body) {
  const reply = await fetch(`${url}/score_batch`, { method: 'POST', body });
  if (reply.status !== 200) throw new Error(`POST /score_batch: HTTP ${reply.status} ${await reply.text()}`);
}

async function frameWith(page, selector, what) {
  const find = async () => {
    for (const f of page.frames()) if (await f.$(selector).catch(() => null)) return f;
    return undefined;
  };
  return until(find, Boolean, 30_000, what, 100);
}

async function screenshot(page, name, screenshotDir, log) {
  const file = path.join(screenshotDir, name);
  await page.screenshot({ path: file });
  log(`screenshot: ${path.relative(root, file)}`);
}

export async function runRemoteRunScript(page, check, { screenshotDir, log }) {
  let url;
  const started = await check('the palette runs "StepGRPO: Start Reward Server"; the notification says it records into serve-<stamp>', async () => {
    await runCommand(page, 'StepGRPO: Start Reward Server');
    const toast = page.locator('.notification-toast', { hasText: 'reward server listening at' }).first();
    await toast.waitFor({ timeout: 30_000 });
    const text = await toast.innerText();
    url = /http:\/\/127\.0\.0\.1:\d+/.exec(text)?.[0];
    if (!url || !/recording into serve-\d{8}-\d{6}/.test(text)) throw new Error(`notification says ${JSON.stringify(text)}`);
    return text.replace(/\s+/g, ' ');
  });
  if (!started) return;

  const shown = await check('chains posted by a client appear in the Rollout viewer opened from the notification', async () => {
    await post(url, stepBody(0, [1, 2]));
    const toast = page.locator('.notification-toast', { hasText: 'reward server listening at' }).first();
    await toast.locator('.monaco-button', { hasText: 'Open Rollout Viewer' }).click({ timeout: 20_000 });
    const frame = await frameWith(page, '#list', 'the Rollout viewer webview');
    await frame.waitForFunction(() => document.getElementById('run-label')?.textContent?.startsWith('serve-'), undefined, { timeout: 30_000 });
    await frame.waitForFunction(() => /^8 of 8 chains/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    return await frame.locator('#status').innerText();
  });
  if (!shown) return;

  await check('the next step streams in while the viewer is open; screenshot saved', async () => {
    await post(url, stepBody(1, [3, 4, 5]));
    const frame = await frameWith(page, '#list', 'the Rollout viewer webview');
    await frame.waitForFunction(() => /^12 of 12 chains/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 30_000 });
    await waitInViewer(page, frame, '.chain .ks', 10_000, { screenshotDir, name: 'e2e-remote-run-viewer' });
    await screenshot(page, 'e2e-remote-run-viewer.png', screenshotDir, log);
    return await frame.locator('#status').innerText();
  });

  await check("ticked in the Metrics view, the recorded run's reward and validity charts fill; screenshot saved", async () => {
    await page.locator('.part.activitybar .action-label[aria-label^="StepGRPO"]').first().click({ timeout: 20_000 });
    const header = page.locator('.pane-header[aria-label^="Metrics"]').first();
    await header.waitFor({ timeout: 20_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const frame = await frameWith(page, '#metrics-app', 'the Metrics webview');
    await frame.waitForSelector('.run-row[data-run-id^="serve-"] input', { timeout: 30_000 });
    // Show the recorded run alone: untick the others (the view re-renders its rows on each change).
    await frame.evaluate(() => {
      for (const box of document.querySelectorAll('.run-row input')) {
        const serve = box.closest('.run-row').dataset.runId.startsWith('serve-');
        if (box.checked !== serve) box.click();
      }
    });
    // Step 0 ends when step 1 has begun; step 1 after the quiet gap (5 s).
    const charted = async () => {
      await frame.waitForSelector('.chart[data-metric="validity_rate"][data-runs="1"][data-points="2"]', { timeout: 40_000 });
      await frame.waitForSelector('.chart[data-metric="reward"][data-runs="1"][data-points="2"]', { timeout: 10_000 });
    };
    await charted();
    // Still there a moment later (no re-render pending), for the screenshot.
    await new Promise((r) => setTimeout(r, 1500));
    await charted();
    await screenshot(page, 'e2e-remote-run-metrics.png', screenshotDir, log);
  });
}
