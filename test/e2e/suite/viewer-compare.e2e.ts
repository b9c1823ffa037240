// Runs inside VS Code's extension host (issue 18 item 4): two runs side by side in the Rollout
// viewer, driven as a person would (keys pressed in its webview, the quick pick accepted): the
// compared run's group of each prompt at the aligned step, a step it lacks said so with its nearest,
// a branch aligned on its parent's steps, the state replayed when the panel is shown again, Esc to
// leave; screenshots in the dark and the light theme. Expectations come from the fixtures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { ViewerSnapshot } from '../../../src/extension/viewer/rollout-viewer';
import type { RolloutGroup } from '../../../src/protocol/trainer-messages';
import { RUN_FILES } from '../../../src/rundir/run-files';
import { writeRecurringRun, type ChainKind } from '../../support/rollout-fixtures';
import { until } from '../lib/until.mjs';
import { activate, pressKeys, viewerWhen } from './extension';
import { setTheme, viewerScreenshots } from './viewer-screenshots';

let api: StepGrpoApi;
const runsRoot = () => path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.stepgrpo', 'runs');
const rendered = (pred: (r: NonNullable<ViewerSnapshot['rendered']>, s: ViewerSnapshot) => boolean, what: string) =>
  viewerWhen(api, (s) => s.ready && s.rendered !== undefined && pred(s.rendered, s), 20_000, what);

/** Chain keys of a step's groups as the page lists them (`<prefix><step>:<group>/<sample>`). */
const keysOf = (prefix: string, step: number, groups: RolloutGroup[]) => groups.flatMap((g, gi) => g.samples.map((_, i) => `${prefix}${step}:${gi}/${i}`));

suite('rollout viewer: two runs side by side, aligned by step (issue 18 item 4)', () => {
  let outcome = '';
  let stepgrpo = '';
  let branch = '';
  let byStep: Record<string, RolloutGroup[][]> = {};

  suiteSetup(async () => {
    api = await activate();
    outcome = path.join(runsRoot(), 'compare-outcome-only');
    stepgrpo = path.join(runsRoot(), 'compare-stepgrpo');
    branch = path.join(runsRoot(), 'compare-branch');
    // The ablation's two arms: the same prompts at each step; the StepGRPO arm has no step 3.
    const kinds = (arm: ChainKind[]) => () => arm;
    byStep = {
      outcome: writeRecurringRun(outcome, [1, 2, 3, 4], 2, kinds(['wrong-answer', 'step-gap', 'correct'])),
      stepgrpo: writeRecurringRun(stepgrpo, [1, 2, 4], 2, kinds(['correct', 'correct', 'missing-rationale'])),
      // A branch from step 2 of the outcome-only run: its step 1 is the parent's step 3.
      branch: writeRecurringRun(branch, [1, 2], 2, kinds(['correct', 'wrong-answer'])),
    };
    const configFile = path.join(branch, RUN_FILES.config);
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configFile, JSON.stringify({ ...config, initFrom: path.join(outcome, 'checkpoints', 'step-000002') }));
  });
  suiteTeardown(async () => {
    await setTheme('Default Dark Modern');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Compare Rollouts with Run… shows the other arm’s group of each prompt beside the shown one, at the same step', async () => {
    await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: outcome, step: 2 });
    await rendered((r, s) => s.state.step === 2 && r.mode === 'step' && r.loaded === 2, 'outcome-only at step 2');
    const result = await vscode.commands.executeCommand('stepgrpo.viewer.compareWith', { runDir: stepgrpo });
    assert.deepEqual(result, { shown: 'compare-outcome-only', compared: 'compare-stepgrpo' });
    const s = await rendered((r) => r.mode === 'compare' && r.compared.length > 0, 'the two runs side by side');
    assert.deepEqual(s.rendered!.first, keysOf('', 2, byStep['outcome']![1]!));
    assert.deepEqual(s.rendered!.compared, keysOf('c', 2, byStep['stepgrpo']![1]!));
    assert.deepEqual(s.comparison, { shownStep: 2, step: 2, hasStep: true, nearest: [], pairs: { same: 2, nearest: 0, none: 0 } });
    assert.equal(s.state.compare?.id, 'compare-stepgrpo');
    await viewerScreenshots('compare-same-step');
  });

  test('] to a step the compared run lacks: said so, each prompt from its nearest step; the answer filter applies to both sides', async () => {
    await pressKeys('compare-next', [']']);
    const s = await rendered((r, x) => x.state.step === 3 && r.mode === 'compare' && x.comparison?.shownStep === 3, 'step 3, missing in the StepGRPO arm');
    assert.deepEqual(s.comparison, { shownStep: 3, step: 3, hasStep: false, nearest: [2, 4], pairs: { same: 0, nearest: 2, none: 0 } });
    assert.deepEqual(s.rendered!.compared, keysOf('c', 2, byStep['stepgrpo']![1]!), 'the nearer of 2 and 4 is the earlier');
    await viewerScreenshots('compare-missing-step');
    await pressKeys('compare-wrong', ['a', 'a']);
    // The page's own filters: a report of the rows before the second press can reach the host after its filters.
    const wrong = await rendered((r) => r.filters.correctness === 'incorrect' && r.mode === 'compare', 'wrong answers only');
    // Outcome-only: chain 0 of each group is a wrong answer; the StepGRPO arm has none, so its column says so.
    assert.deepEqual(wrong.rendered!.first, ['3:0/0', '3:1/0']);
    assert.deepEqual(wrong.rendered!.compared, []);
    await pressKeys('compare-any', ['a']);
    await rendered((r) => r.filters.correctness === 'all' && r.mode === 'compare', 'any answer again');
  });

  test('hidden and shown again, the panel comes back in compare mode', async () => {
    const before = api.viewer.snapshot().replays;
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await viewerWhen(api, (x) => !x.ready, 10_000, 'the hidden panel dropping its webview');
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: outcome });
    const s = await rendered((r, x) => x.replays > before && r.mode === 'compare' && x.state.step === 3, 'compare mode replayed');
    assert.equal(s.state.compare?.id, 'compare-stepgrpo');
  });

  test('Esc leaves compare mode; c and the quick pick enter it again', async () => {
    await pressKeys('compare-leave', ['Escape']);
    await rendered((r, x) => x.state.compare === null && r.mode === 'step' && r.compared.length === 0, 'one run again');
    await pressKeys('compare-pick', ['c']);
    // The quick pick lists the other runs; accept its first (whichever it is, it is not the shown run).
    const s = await until(
      async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return api.viewer.snapshot();
      },
      (x: ViewerSnapshot) => x.state.compare !== null,
      20_000,
      'a run picked to compare with',
      250,
    );
    assert.notEqual(s.state.compare?.id, 'compare-outcome-only');
    await pressKeys('compare-leave-again', ['Escape']);
    await rendered((_r, x) => x.state.compare === null, 'one run again');
  });

  test('a branch is compared on its parent’s steps: its step 1 beside the parent’s step 3', async () => {
    await vscode.commands.executeCommand('stepgrpo.viewer.compareWith', { runDir: branch });
    const s = await rendered((r, x) => r.mode === 'compare' && x.state.compare?.id === 'compare-branch' && x.comparison?.shownStep === 3, 'the branch beside its parent');
    assert.deepEqual(s.comparison, { shownStep: 3, step: 1, hasStep: true, nearest: [], pairs: { same: 2, nearest: 0, none: 0 } });
    assert.deepEqual(s.rendered!.compared, keysOf('c', 1, byStep['branch']![0]!));
    await viewerScreenshots('compare-branch');
    await pressKeys('compare-branch-leave', ['Escape']);
    await rendered((_r, x) => x.state.compare === null, 'one run again');
  });
});
