// Runs inside VS Code's extension host: Start StepGRPO Run on a Hugging Face model folder (a tiny
// Qwen3-shaped model with the real Qwen3 tokenizer, written into the workspace by run.mjs). The run
// config is written where the user can edit it, the trainer trains the model, and its chains reach
// the Rollout viewer without the chat template's special tokens.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { activate, viewerWhen } from './extension';

let api: StepGrpoApi;
const workspaceRoot = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

suite('a Hugging Face model: Start StepGRPO Run → trainer → Rollout viewer', () => {
  suiteSetup(async () => {
    api = await activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('{hf: folder, preset: smoke} writes .stepgrpo/configs/<model>.stepgrpo.json, trains the model and streams its chains', async () => {
    const model = path.join(workspaceRoot(), 'models', 'tiny-qwen3');
    const started = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.startRun', { hf: model, preset: 'smoke' });
    assert.ok(started, 'Start StepGRPO Run returned nothing');
    const configFile = path.join(workspaceRoot(), '.stepgrpo', 'configs', 'tiny-qwen3.stepgrpo.json');
    const written = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { model: { hf: string }; data: { sceneInPrompt: boolean } };
    assert.equal(written.model.hf, model);
    assert.equal(written.data.sceneInPrompt, true);
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runId: started.runId });
    const end = await api.runs.whenEnded(started.runId);
    assert.equal(end.status, 'completed', end.error);
    const log = fs.readFileSync(path.join(started.dir, 'events.ndjson'), 'utf8');
    assert.match(log, /qwen3 32d × 2 layers/, 'the run log names the model it trained');
    const rollouts = fs
      .readFileSync(path.join(started.dir, 'rollouts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; groups: { samples: { text: string }[] }[] });
    const texts = rollouts.flatMap((r) => r.groups.flatMap((g) => g.samples.map((s) => s.text)));
    assert.ok(texts.length > 0);
    assert.ok(!texts.some((t) => t.includes('<|im_end|>') || t.includes('<|im_start|>')), 'chat special tokens are not part of the chains');
    // Start opened the written config in an editor, which can cover the panel: show the viewer again.
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runId: started.runId });
    const s = await viewerWhen(api, (x) => x.ready && x.steps.length === rollouts.length && x.postedChains > 0, 30_000, 'the HF run in the viewer');
    assert.deepEqual(
      s.steps,
      rollouts.map((r) => r.step),
    );
  });
});
