// The extension under test, for every extension-host suite: one id, one way to get its test API.
import assert from 'node:assert/strict';
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
