// A followed import across "Developer: Reload Window" in the installed .vsix, driven like a person
// (issue 18 item 9): Import Rollouts → "Follow a verl or TRL folder live" on a verl
// rollout_data_dir picked in the folder dialog, a step file written while following, then Reload
// Window: the new window says it follows the folder again, and step files written across and after
// the reload are imported, each chain once. Saves test-output/e2e-followed-import-reloaded.png.
import { runCommand, runCommandAndPick } from '../lib/palette.mjs';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../lib/until.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SOURCE = 'verl-follow-ui';

/** verl's dump of one step (test/support/engine-folders.ts, through tsx). */
function writeVerlStep(dir, step) {
  const script = `require('./test/support/engine-folders.ts').writeVerlStep(${JSON.stringify(dir)}, ${step})`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not write verl step ${step}: ${r.stderr}`);
}

/** Chains per step over every `rollouts` event of the run (a step imported twice counts twice). */
function chainsPerStep(runDir) {
  const counts = {};
  const file = path.join(runDir, 'events.ndjson');
  if (!fs.existsSync(file)) return counts;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line);
    if (e.type === 'rollouts') counts[e.step] = (counts[e.step] ?? 0) + e.groups.reduce((n, g) => n + g.samples.length, 0);
  }
  return counts;
}

function followedRunDir(workspace) {
  const runs = path.join(workspace, '.stepgrpo', 'runs');
  const name = fs.existsSync(runs) ? fs.readdirSync(runs).find((n) => n.startsWith(`import-${SOURCE}-`)) : undefined;
  return name ? path.join(runs, name) : undefined;
}

const stepIn = (runDir, step) =>
  until(
    () => chainsPerStep(runDir)[step] ?? 0,
    (n) => n > 0,
    30_000,
    `step ${step} imported into ${path.basename(runDir)}`,
  );

export async function runFollowedImportScript(page, check, { workspace, screenshotDir, log }) {
  const source = path.join(workspace, SOURCE);
  let runDir;
  const following = await check('Import Rollouts → "Follow a verl or TRL folder live" on a folder picked in the dialog follows it', async () => {
    writeVerlStep(source, 1);
    await runCommandAndPick(page, 'StepGRPO: Import Rollouts', 'Follow a verl or TRL folder live');
    // code-server's folder dialog is a quick input holding a path and listing that folder's folders:
    // typed, it goes into the folder (the workspace's folders leave the list), then its OK button
    // ("Follow") picks it.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: SOURCE }).first().waitFor({ timeout: 20_000 });
    await input.fill(`${source}/`);
    await until(
      async () => ({ workspaceRows: await rows.filter({ hasText: 'engines' }).count(), rows: await rows.count() }),
      (n) => n.workspaceRows === 0 && n.rows > 0,
      20_000,
      `the folder dialog to list ${SOURCE}`,
      100,
    );
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'Follow' }).first().click({ timeout: 20_000 });
    await page
      .locator('.notification-toast', { hasText: `following ${SOURCE}` })
      .first()
      .waitFor({ timeout: 30_000 });
    runDir = await until(() => followedRunDir(workspace), Boolean, 20_000, 'the followed run folder');
    await stepIn(runDir, 1);
    writeVerlStep(source, 2);
    await stepIn(runDir, 2);
    return path.basename(runDir);
  });
  if (!following) return;

  await check('after "Developer: Reload Window" the folder is followed again: steps written across and after the reload come in, each chain once', async () => {
    await runCommand(page, 'Developer: Reload Window');
    writeVerlStep(source, 3); // while the window reloads
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 60_000 });
    await page
      .locator('.notification-toast', { hasText: `following ${SOURCE} again after the window reloaded` })
      .first()
      .waitFor({ timeout: 60_000 });
    await stepIn(runDir, 3);
    writeVerlStep(source, 4);
    await stepIn(runDir, 4);
    const counts = chainsPerStep(runDir);
    if (JSON.stringify(counts) !== JSON.stringify({ 1: 8, 2: 8, 3: 8, 4: 8 })) throw new Error(`chains per step: ${JSON.stringify(counts)}`);
    const file = path.join(screenshotDir, 'e2e-followed-import-reloaded.png');
    await page.screenshot({ path: file });
    log(`screenshot: ${path.relative(process.cwd(), file)}`);
    return JSON.stringify(counts);
  });
}
