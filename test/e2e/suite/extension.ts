// The extension under test, for every extension-host suite: one id, one way to get its test API.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { ViewerSnapshot } from '../../../src/extension/viewer/rollout-viewer';
import { until } from '../lib/until.mjs';

export const EXTENSION_ID = 'stepgrpo.stepgrpo-studio';

export function extension(): vscode.Extension<StepGrpoApi> {
  const ext = vscode.extensions.getExtension<StepGrpoApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext;
}

export const activate = (): Thenable<StepGrpoApi> => extension().activate();

/** The Rollout viewer's snapshot once `pred` holds. */
export const viewerWhen = (api: StepGrpoApi, pred: (s: ViewerSnapshot) => boolean, ms: number, what: string): Promise<ViewerSnapshot> =>
  until(() => api.viewer.snapshot(), pred, ms, what);

/**
 * Saves the workbench as test-output/<name> (the harness takes it: test/e2e/run.mjs
 * serveScreenshots); resolves to false where no harness serves screenshots (desktop VS Code).
 */
export async function screenshot(name: `${string}.png`): Promise<boolean> {
  const dir = process.env['STEPGRPO_E2E_SCREENSHOTS'];
  if (!dir) return false;
  fs.writeFileSync(path.join(dir, `${name}.request`), '');
  await until(() => fs.existsSync(path.join(dir, `${name}.done`)), Boolean, 20_000, `the screenshot ${name}`, 100);
  return true;
}

/**
 * Presses keys (Playwright names: `j`, `?`, `Escape`) in the Rollout viewer's webview, focused
 * on its list, as a person would (the harness does it: test/e2e/run.mjs serveScreenshots); resolves
 * to false where no harness serves it.
 */
export async function pressKeys(name: string, keys: string[]): Promise<boolean> {
  const dir = process.env['STEPGRPO_E2E_SCREENSHOTS'];
  if (!dir) return false;
  // Written aside, then renamed: the harness polls the folder and must never read half a request.
  fs.writeFileSync(path.join(dir, `${name}.keys.tmp`), JSON.stringify(keys));
  fs.renameSync(path.join(dir, `${name}.keys.tmp`), path.join(dir, `${name}.keys.request`));
  const done = path.join(dir, `${name}.keys.done`);
  await until(() => fs.existsSync(done), Boolean, 20_000, `the key presses ${name}`, 100);
  const problem = fs.readFileSync(done, 'utf8');
  if (problem) throw new Error(`key presses ${name}: ${problem}`);
  return true;
}
