// The command palette, driven like a person: run a command, pick in the quick pick it opens, reload
// the window.
import { until } from './until.mjs';

/**
 * Runs a command from the palette. A notification or a panel opened by the previous step can take
 * the focus and close the palette while it is being typed into, so a closed palette is reopened
 * (a few tries) instead of failing the step.
 */
export async function runCommand(page, command, { tries = 3 } = {}) {
  const label = command.replace(/^.*?: /, '');
  let lastError;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      // Into the input itself, key by key after its ">": a webview that took focus in between got
      // the keystrokes of page.keyboard.type (a viewer's `t` turned its token heat on).
      await input.pressSequentially(command);
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      // The matching row, not whichever is first (a "recently used" entry can precede it).
      await row.click();
      return;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not run "${command}" from the palette in ${tries} tries: ${lastError?.message ?? lastError}`);
}

/**
 * Runs a command from the palette, then picks `item` in the quick pick it opens. That pick can be
 * closed by the same focus thieves (its rows stay in the DOM, hidden), so the command is run again
 * when the item does not show.
 */
export async function runCommandAndPick(page, command, item, { tries = 3 } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= tries; attempt++) {
    await runCommand(page, command);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: item }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await row.click({ timeout: 5_000 });
      return;
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not pick "${item}" after "${command}" in ${tries} tries: ${lastError?.message ?? lastError}`);
}

/**
 * "Developer: Reload Window" from the palette; returns once the new page's workbench is up. A mark
 * on the old page tells them apart (the old page can still show what the new one should). `before`
 * runs after the mark, just before the command.
 */
export async function reloadWindow(page, before = async () => {}) {
  await page.evaluate(() => (globalThis.__beforeReload = true));
  await before();
  await runCommand(page, 'Developer: Reload Window');
  await until(
    () => page.evaluate(() => globalThis.__beforeReload === true).catch(() => true),
    (marked) => !marked,
    60_000,
    'the window reloading',
    200,
  );
  await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
}
