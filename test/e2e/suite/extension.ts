// The extension under test, for every extension-host suite: one id, one way to get its test API.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';

export const EXTENSION_ID = 'stepgrpo.stepgrpo-studio';

export function extension(): vscode.Extension<StepGrpoApi> {
  const ext = vscode.extensions.getExtension<StepGrpoApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded`);
  return ext;
}

export const activate = (): Thenable<StepGrpoApi> => extension().activate();
