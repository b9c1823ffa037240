// Runs a command from the palette. A notification or a panel opened by the previous step can take
// the focus and close the palette while it is being typed into, so a closed palette is reopened
// (a few tries) instead of failing the step.
export async function runCommand(page, command, { tries = 3 } = {}) {
  const label = command.replace(/^.*?: /, '');
  let lastError;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: 20_000 });
      await page.keyboard.type(command);
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
