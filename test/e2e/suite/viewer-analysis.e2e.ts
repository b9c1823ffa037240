// Runs inside VS Code's extension host (issue 18): the Rollout viewer's analysis driven as a person
// would, with keys pressed in its webview (test/e2e/run.mjs): stepgrpo.viewer.showStep, sort, the
// reward-hacking flag filter with its counts, the group alignment by step with its divergence row,
// a prompt's history, the keyboard, and the header after Stop Reward Server; screenshots in the
// dark and the light theme. Expectations come from the fixture's own scores, not from the page.
import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { StartServerResult } from '../../../src/extension/server/reward-server-controller';
import type { ViewerSnapshot } from '../../../src/extension/viewer/rollout-viewer';
import { hackFlags } from '../../../src/core/reward-hacking';
import type { RolloutGroup } from '../../../src/protocol/trainer-messages';
import { alignChains } from '../../../webview/rollout-viewer/alignment';
import { buildChainModel } from '../../../webview/rollout-viewer/chain-model';
import { applesChain } from '../../fixtures/chain-documents';
import { writeRecurringRun, type ChainKind } from '../../support/rollout-fixtures';
import { activate, pressKeys, screenshot, viewerWhen } from './extension';
import { setTheme, viewerScreenshots } from './viewer-screenshots';

let api: StepGrpoApi;
let dir: string;
let byStep: RolloutGroup[][];
const STEPS = [1, 2, 3];
const KINDS: Record<number, ChainKind[]> = {
  1: ['wrong-answer', 'step-gap', 'wrong-answer', 'missing-rationale'],
  2: ['correct', 'wrong-answer', 'step-gap', 'missing-rationale'],
  3: ['correct', 'correct', 'step-gap', 'correct'],
};

const runsRoot = () => path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.stepgrpo', 'runs');
const rendered = (pred: (r: NonNullable<ViewerSnapshot['rendered']>, s: ViewerSnapshot) => boolean, what: string) =>
  viewerWhen(api, (s) => s.ready && s.rendered !== undefined && pred(s.rendered, s), 20_000, what);
const groupsAt = (step: number) => byStep[STEPS.indexOf(step)]!;

suite('rollout viewer analysis: showStep, sort, flags, alignment, history, keyboard (issue 18)', () => {
  suiteSetup(async () => {
    api = await activate();
    dir = path.join(runsRoot(), 'viewer-analysis');
    byStep = writeRecurringRun(dir, STEPS, 3, (step) => KINDS[step]!);
  });
  suiteTeardown(async () => {
    await setTheme('Default Dark Modern');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('stepgrpo.viewer.showStep opens the run at a step; with a prompt and filters it shows just those chains', async () => {
    const shown = await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: dir, step: 2 });
    assert.deepEqual(shown, { runId: 'viewer-analysis', dir, step: 2 });
    const at2 = await rendered((r, s) => s.state.step === 2 && r.mode === 'step' && r.loaded === 3, 'step 2 shown');
    assert.equal(at2.rendered!.chains, 12);
    await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: dir, step: 2, promptId: 'fixture-1', filter: { correctness: 'incorrect' } });
    const one = await rendered((r, s) => s.state.filters.promptId === 'fixture-1' && r.chains === 1, 'one prompt, wrong answers');
    assert.deepEqual(one.rendered!.first, ['2:1/1'], 'the wrong-answer chain of fixture-1');
    assert.equal(await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: dir, step: 'two' }), undefined, 'a bad argument is refused');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('stepgrpo.viewer.showStep', { runDir: dir, step: 2 });
    await rendered((r, s) => s.state.filters.promptId === null && r.chains === 12, 'the filters back to their defaults');
  });

  test('keys: [ and ] step through the steps, j and l move the cursor by group and by chain', async () => {
    await pressKeys('steps', ['[']);
    await rendered((r, s) => s.state.step === 1 && r.loaded === 3, 'step 1 after [');
    await pressKeys('steps-back', [']']);
    await rendered((r, s) => s.state.step === 2 && r.loaded === 3 && r.cursor === null, 'step 2 after ]');
    await pressKeys('cursor', ['j', 'j', 'l']);
    const s = await rendered((r, x) => x.state.step === 2 && r.cursor === '2:1/1', 'the cursor on group 2, chain 2');
    assert.equal(s.rendered!.cursor, '2:1/1');
  });

  test('s sorts the step’s chains by total reward, one chain a row, highest first', async () => {
    await pressKeys('sort', ['s']);
    const s = await rendered((r, x) => x.state.sort.key === 'total' && r.rows === 12, 'sorted by total');
    const expected = groupsAt(2)
      .flatMap((g, gi) => g.samples.map((x, i) => ({ key: `2:${gi}/${i}`, total: x.rewards.total })))
      .sort((a, b) => b.total - a.total)
      .map((x) => x.key);
    assert.deepEqual(s.rendered!.first, expected);
    await viewerScreenshots('sorted');
  });

  test('f filters by the reward-hacking flag "valid format, wrong answer"; the counts are the fixture’s own', async () => {
    const flagged = groupsAt(2).flatMap((g) => g.samples.filter((x) => hackFlags({ text: x.text, rewards: x.rewards, prompt: g.prompt }).includes('format-wrong-answer')));
    assert.ok(flagged.length > 0);
    await pressKeys('flag', ['f']);
    const s = await rendered((r, x) => x.state.filters.flag === 'format-wrong-answer' && r.chains === flagged.length, 'the flag filter');
    assert.equal(s.rendered!.flagCounts['format-wrong-answer'], flagged.length);
    assert.equal(s.rendered!.chains, flagged.length);
    // Back: every flag (f cycles through the four and none), unsorted (s through every key).
    await pressKeys('flag-off', ['f', 'f', 'f', 'f', 's', 's', 's', 's', 's', 's']);
    await rendered((r, x) => x.state.filters.flag === null && x.state.sort.key === 'none' && r.rows === 3, 'no flag, unsorted');
  });

  test('g g lays each group out by step; the divergence row is the fixture’s', async () => {
    await pressKeys('align', ['g', 'g']);
    const s = await rendered((r, x) => x.state.layout === 'aligned' && r.layout === 'aligned' && r.divergence.length === 3, 'aligned by step');
    const expected = groupsAt(2).map((g) => {
      const a = alignChains(g.samples.map((x) => ({ model: buildChainModel(x.text, x.rewards), correct: x.rewards.answer_correct })));
      return a.divergence === null ? null : a.rows[a.divergence]!.label;
    });
    assert.deepEqual(s.rendered!.divergence, expected);
    assert.ok(expected.every((d) => d !== null));
    await viewerScreenshots('aligned');
  });

  test('p shows the cursor’s prompt across every step with its chart; Esc goes back to the step', async () => {
    await pressKeys('history', ['j', 'p']);
    const s = await rendered((r, x) => x.state.history === 'fixture-0' && r.mode === 'history' && r.loaded === 3, 'the prompt history');
    assert.equal(s.rendered!.historySteps, 3);
    await viewerScreenshots('history');
    await pressKeys('history-back', ['Escape']);
    await rendered((r, x) => x.state.history === null && r.mode === 'step', 'back to the step');
    await pressKeys('layout-back', ['g']);
    await rendered((_r, x) => x.state.layout === 'columns', 'side by side again');
  });

  test('? shows the keyboard help', async () => {
    await pressKeys('help', ['?']);
    await screenshot('e2e-viewer-help.png');
    await pressKeys('help-off', ['Escape']);
  });

  test('after Stop Reward Server, the header of its recording is no longer live', async () => {
    const started = await vscode.commands.executeCommand<StartServerResult>('stepgrpo.startRewardServer');
    assert.ok(started.status === 'started' && started.runDir, JSON.stringify(started));
    const reply = await fetch(`${started.url}/score`, { method: 'POST', body: JSON.stringify({ completion: applesChain(), answer: '7' }) });
    assert.equal(reply.status, 200);
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: started.runDir });
    await viewerWhen(api, (s) => s.ready && s.state.run?.dir === started.runDir && s.state.run?.status === 'running', 20_000, 'the recording shown live');
    await vscode.commands.executeCommand('stepgrpo.stopRewardServer');
    const s = await viewerWhen(api, (x) => x.state.run?.status === 'stopped', 20_000, 'the header after Stop Reward Server');
    assert.equal(s.state.run?.id, path.basename(started.runDir));
  });
});
