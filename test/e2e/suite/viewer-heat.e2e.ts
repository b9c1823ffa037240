// Runs inside VS Code's extension host (issue 18 item 6): the token heat overlay on a run this
// extension's trainer wrote (one real RL step at the demo's settings from the shipped SFT
// checkpoint, whose rollouts carry per-token log-prob, entropy and advantage), toggled with its key
// in the viewer's webview; the coloured token spans counted in the page and screenshots taken in
// the dark and the light theme.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { ViewerSnapshot } from '../../../src/extension/viewer/rollout-viewer';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { activate, extension, pressKeys, viewerWhen } from './extension';
import { setTheme, viewerScreenshots } from './viewer-screenshots';

let api: StepGrpoApi;
const rendered = (pred: (r: NonNullable<ViewerSnapshot['rendered']>, s: ViewerSnapshot) => boolean, what: string) =>
  viewerWhen(api, (s) => s.ready && s.rendered !== undefined && pred(s.rendered, s), 20_000, what);

suite('rollout viewer: token heat overlay on a trained run (issue 18)', () => {
  let dir = '';
  let lastStep = 0;

  suiteSetup(async function () {
    this.timeout(180_000);
    api = await activate();
    // Two prompts of eight chains, no evaluation: seconds, and chains a trained policy writes.
    const configFile = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'token-heat-run.json');
    const initFrom = path.join(extension().extensionPath, 'media', 'sft-demo');
    fs.writeFileSync(configFile, JSON.stringify({ initFrom, sft: { steps: 0 }, rl: { steps: 1, promptsPerStep: 2 }, eval: { every: 0, prompts: 1 } }));
    const started = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.startRun', { configFile });
    const end = await api.runs.whenEnded(started.runId);
    assert.equal(end.status, 'completed', end.error);
    dir = started.dir;
    const steps = fs
      .readFileSync(path.join(dir, RUN_FILES.rollouts), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"tokenHeat"'))
      .map((l) => (JSON.parse(l) as { step: number }).step);
    assert.ok(steps.length > 0, 'the trainer wrote token heat');
    lastStep = Math.max(...steps);
  });
  suiteTeardown(async () => {
    await setTheme('Default Dark Modern');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('t colours the chains token by token (log-prob, entropy, advantage), and t again turns it off', async () => {
    await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: dir, step: lastStep });
    await rendered((r, s) => s.state.step === lastStep && r.mounted > 0 && r.heat === null, 'the trained run’s last step');
    for (const mode of ['logp', 'entropy', 'advantage']) {
      await pressKeys(`heat-${mode}`, ['t']);
      const s = await rendered((r) => r.heat === mode && r.heatSpans > 0, `the ${mode} overlay`);
      assert.ok(s.rendered!.heatSpans >= s.rendered!.chains, `${s.rendered!.heatSpans} coloured spans in ${s.rendered!.chains} chains`);
      if (mode === 'logp') await viewerScreenshots('token-heat');
    }
    await pressKeys('heat-off', ['t']);
    await rendered((r) => r.heat === null && r.heatSpans === 0, 'the overlay off');
  });
});
