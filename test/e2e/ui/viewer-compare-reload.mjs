// Compare mode across "Developer: Reload Window" in the installed .vsix, driven like a person
// (issue 18 item 4): "StepGRPO: Open Rollout Viewer" on one run folder, "StepGRPO: Compare Rollouts
// with Run…" on another from the palette, then Reload Window. VS Code brings the panel back through
// the extension's serializer with the state its page persisted: the same two runs, side by side,
// both columns filled again. A real reload, because what is under test is that hand-over (the
// page's persisted state, the serializer, the restore), which an extension-host test cannot
// reload through. Saves test-output/e2e-compare-reloaded.png.
import { reloadWindow, runCommand } from '../lib/palette.mjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../lib/until.mjs';
import { openFromPalette, viewerFrame } from './rollout-viewer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SHOWN = 'compare-reload-outcome';
const COMPARED = 'compare-reload-stepgrpo';
/** The two arms: the same prompts at steps 1 and 2, different chains (rollout-fixtures, through tsx). */
function writeRuns(workspace) {
  const dir = (id) => path.join(workspace, '.stepgrpo', 'runs', id);
  const script = [
    `const f = require('./test/support/rollout-fixtures.ts');`,
    `f.writeRecurringRun(${JSON.stringify(dir(SHOWN))}, [1, 2], 2, () => ['wrong-answer', 'correct']);`,
    `f.writeRecurringRun(${JSON.stringify(dir(COMPARED))}, [1, 2], 2, () => ['correct', 'step-gap']);`,
  ].join(' ');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not write the fixture runs: ${r.stderr}`);
}

/** The runs the compare bar names and the chains in each column (null while no frame holds the viewer). */
async function compareShown(page) {
  try {
    const frame = await viewerFrame(page);
    return await frame.evaluate(() => ({
      bar: [...document.querySelectorAll('#compare-bar .compare-run')].map((e) => e.textContent),
      shown: document.querySelectorAll('.compare-col.shown .chain').length,
      compared: document.querySelectorAll('.compare-col.compared .chain').length,
    }));
  } catch {
    return null; // the frame went away (the window reloads)
  }
}

// Chains in each column of the rows on screen (a narrow editor group mounts fewer rows).
const bothColumns = (s) => s !== null && s.bar[0] === SHOWN && s.bar[1] === COMPARED && s.shown > 0 && s.compared > 0;

export async function runCompareReloadScript(page, check, { workspace, screenshotDir, log }) {
  const comparing = await check('"Compare Rollouts with Run…" from the palette shows a second run beside the one in the viewer', async () => {
    writeRuns(workspace);
    await openFromPalette(page, SHOWN);
    await runCommand(page, 'StepGRPO: Compare Rollouts with Run');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Compare Rollouts with Run' }).waitFor({ timeout: 20_000 });
    await page.keyboard.type(COMPARED);
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${COMPARED}"]`, { timeout: 20_000 });
    await page.keyboard.press('Enter');
    return JSON.stringify(await until(() => compareShown(page), bothColumns, 30_000, 'both runs side by side', 200));
  });
  if (!comparing) return;

  await check('after "Developer: Reload Window" the viewer comes back comparing the same two runs, both columns filled', async () => {
    await reloadWindow(page, async () => {
      // Out of the viewer first: runCommand's Escape in the viewer would leave compare mode (its key).
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 20_000 });
    });
    const shown = await until(() => compareShown(page), bothColumns, 60_000, 'both runs side by side after the reload', 200);
    const file = path.join(screenshotDir, 'e2e-compare-reloaded.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return JSON.stringify(shown);
  });
}
