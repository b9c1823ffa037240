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
