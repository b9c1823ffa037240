// The Rollout viewer in the installed .vsix, driven like a person: "StepGRPO: Open Rollout Viewer"
// from the palette, the run chosen in its quick pick, then the text inside the webview's inner frame
// is read: chains, a key-step highlight, a violation underline with its message, and hostile chain
// text shown as text. Saves test-output/e2e-rollout-viewer.png.
import { runCommand } from '../lib/palette.mjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../lib/until.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE_RUN = 'fixture-apples';

/** A CLI-style run folder with scored chains (test/support/rollout-fixtures.ts, through tsx). */
function writeFixtureRun(workspace) {
  const dir = path.join(workspace, '.stepgrpo', 'runs', FIXTURE_RUN);
  const script = `require('./test/support/rollout-fixtures.ts').writeFixtureRun(${JSON.stringify(dir)}, [1, 2], 6, ['correct', 'step-gap', 'wrong-answer', 'hostile']);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not write the fixture run: ${r.stderr}`);
  return dir;
}

/** The webview's inner frame (the one that holds the viewer's list). */
export async function viewerFrame(page) {
  const find = async () => {
    for (const f of page.frames()) if (await f.$('#list').catch(() => null)) return f;
    return undefined;
  };
  return until(find, Boolean, 30_000, 'a webview frame holding #list', 100);
}

// A run that has just started can take the focus (its notification, the viewer it opens) and close
// the run picker before it is typed into; a closed picker is reopened, as runCommand does.
/**
 * Waits for `selector` in the viewer's frame. On a timeout it saves `<name>-failed.png` and fails
 * with what the viewer shows instead (its status, run, step and the chains' highlight counts), so an
 * intermittent failure says which part was missing.
 */
export async function waitInViewer(page, frame, selector, timeout, { screenshotDir, name }) {
  try {
    return await frame.waitForSelector(selector, { timeout });
  } catch (err) {
    await page.screenshot({ path: path.join(screenshotDir, `${name}-failed.png`) }).catch(() => undefined);
    const shown = await frame
      .evaluate(() => {
        const count = (s) => document.querySelectorAll(s).length;
        const text = (id) => document.getElementById(id)?.textContent?.trim();
        return {
          status: text('status'),
          run: text('run-label'),
          step: text('step-label'),
          chains: count('.chain'),
          keySteps: count('.chain .ks'),
          violations: count('.chain .viol'),
          math: count('.chain .math'),
          heat: count('.chain .heat'),
          firstChain: document.querySelector('.chain')?.textContent?.slice(0, 160),
        };
      })
      .catch((e) => `(unreadable: ${e.message})`);
    throw new Error(`${err.message.split('\n')[0]}; the viewer shows ${JSON.stringify(shown)}`);
  }
}

export async function openFromPalette(page, runLabel, { tries = 3 } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      await runCommand(page, 'StepGRPO: Open Rollout Viewer');
      await pickRun(page, runLabel, { timeout: 10_000 });
      return;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not open the Rollout viewer on "${runLabel}" in ${tries} tries: ${lastError?.message ?? lastError}`);
}

export async function pickRun(page, runLabel, { timeout = 20_000 } = {}) {
  // The run picker (its title) replaces the palette; type only once it is there.
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Open Rollout Viewer' }).waitFor({ timeout });
  await page.keyboard.type(runLabel);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${runLabel}"]`, { timeout });
  await page.keyboard.press('Enter');
}

export async function runViewerScript(page, check, { workspace, screenshotDir, log }) {
  const smoke = await check('"StepGRPO: Open Rollout Viewer" from the palette shows the smoke run\'s chains with their violations', async () => {
    await openFromPalette(page, 'smoke-');
    const frame = await viewerFrame(page);
    await frame.waitForSelector('.chain', { timeout: 30_000 });
    const status = await frame.locator('#status').innerText();
    if (!/^\d+ of \d+ chains/.test(status) || status.startsWith('0 of')) throw new Error(`status says ${JSON.stringify(status)}`);
    const violations = await frame.locator('.chain .violations li').count();
    if (violations === 0) throw new Error('no violation listed under any chain of the smoke run');
    return `${status}; ${violations} violations listed`;
  });
  if (!smoke) return;

  let dir;
  const shown = await check('"Choose run…" in the panel picks a CLI run folder and its chains are shown', async () => {
    dir = writeFixtureRun(workspace);
    // This time through the panel's own "Choose run…" button (the webview's pickRun message).
    let frame = await viewerFrame(page);
    await frame.locator('vscode-button', { hasText: 'Choose run' }).click();
    await pickRun(page, FIXTURE_RUN);
    frame = await viewerFrame(page);
    await frame.waitForFunction((id) => document.getElementById('run-label')?.textContent?.startsWith(id), FIXTURE_RUN, { timeout: 30_000 });
    await frame.waitForSelector('.chain', { timeout: 30_000 });
    return path.relative(workspace, dir);
  });

  if (!shown) return;
  await check('key-step matches are highlighted and a STEP_GAP violation is underlined with its message', async () => {
    const frame = await viewerFrame(page);
    const ks = frame.locator('.chain .ks').first();
    const ksText = await ks.innerText();
    if (!/^\d+ - \d+ = \d+$|^\d+ apples$/.test(ksText)) throw new Error(`first highlight is ${JSON.stringify(ksText)}`);
    const viol = frame.locator('.chain .viol[title*="STEP_GAP"]').first();
    const title = await viol.getAttribute('title');
    if (!/STEP_GAP: Expected Step 2/.test(title ?? '')) throw new Error(`violation title is ${JSON.stringify(title)}`);
    return `highlight "${ksText}", underline "${await viol.innerText()}" — ${title}`;
  });

  await check('chain text with <script> and "><img onerror> is shown as text, never run', async () => {
    const frame = await viewerFrame(page);
    const state = await frame.evaluate(() => ({
      pwned: window.__pwned ?? null,
      injected: document.querySelectorAll('.chain script, .chain img').length,
      shown: [...document.querySelectorAll('.chain .section-body')].some((b) => b.textContent.includes('<script>window.__pwned = 1</script> "><img src=x onerror=')),
    }));
    if (state.pwned !== null || state.injected !== 0 || !state.shown) throw new Error(JSON.stringify(state));
  });

  await check('after a resize the group rows are re-measured and laid end to end; the screenshot is saved', async () => {
    // Give the panel the window: close the sidebar (widened by the Runs view check).
    await page.keyboard.press('Control+B');
    await page.mouse.move(10, 10);
    await until(
      () => page.locator('.part.sidebar').isVisible(),
      (visible) => !visible,
      10_000,
      'the sidebar closing',
    );
    // The panel got wider: rows must be re-measured and laid end to end (no gaps, no overlap).
    const frame = await viewerFrame(page);
    const measure = () =>
      frame.evaluate(() =>
        [...document.querySelectorAll('.virtual-row')].map((r) => ({ top: r.getBoundingClientRect().top, height: r.getBoundingClientRect().height })).sort((a, b) => a.top - b.top),
      );
    const contiguous = (rows) => rows.length >= 2 && rows.every((r, i) => i === 0 || Math.abs(r.top - (rows[i - 1].top + rows[i - 1].height)) <= 1.5);
    await until(measure, contiguous, 10_000, 'at least two group rows laid end to end after the resize', 100);
    const file = path.join(screenshotDir, 'e2e-rollout-viewer.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
  });
}
