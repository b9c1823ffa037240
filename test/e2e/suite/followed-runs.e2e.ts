// Runs inside VS Code's extension host: runs this window did not start are followed through their
// folder alone, without a reload. A run stopped and then resumed from a terminal (`node dist/cli.js
// train --resume <dir>`) shows its new steps and reads as running in the Runs view, the Rollout
// viewer and the Metrics view; a reward server's recording reads as stopped once the server stops.
// Saves test-output/e2e-terminal-resume.png and e2e-recording-stopped.png.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { StartServerResult } from '../../../src/extension/server/reward-server-controller';
import { clientStepItems } from '../../support/engine-folders';
import { until, withTimeout } from '../lib/until.mjs';
import { activate, extension, screenshot, viewerWhen } from './extension';

let api: StepGrpoApi;
const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const runsRoot = () => path.join(workspace(), '.stepgrpo', 'runs');

/** `stepgrpo train …` as a terminal runs it: a process of its own, not this window's. */
function cliTrain(args: string[]): { child: ChildProcess; exited: Promise<number | null> } {
  const cli = path.join(extension().extensionPath, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'train', ...args], { cwd: workspace(), stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

/** Ctrl-C: the trainer finishes its step, checkpoints and writes `done` stopped. */
async function interrupt(run: { child: ChildProcess; exited: Promise<number | null> }): Promise<void> {
  run.child.kill('SIGINT');
  assert.equal(await withTimeout(run.exited, 60_000, 'the trainer to stop'), 0);
}

const rlSteps = (dir: string): number[] =>
  fs
    .readFileSync(path.join(dir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{"v":1,"type":"rollouts"'))
    .map((l) => (JSON.parse(l) as { step: number }).step);

/** The Runs view's row of a run, as on screen, once its icon (the status) is `icon`. */
const rowWhen = (runId: string, icon: string, what: string) =>
  until(
    () => api.runs.shownItems().find((i) => i.label === runId),
    (item) => (item?.iconPath as vscode.ThemeIcon | undefined)?.id === icon,
    60_000,
    what,
    250,
  );

async function showRunsView(): Promise<void> {
  await vscode.commands.executeCommand('stepgrpo.runs.focus');
}

suite('runs followed through their folder: resumed from a terminal, a stopped recording', () => {
  suiteSetup(async () => {
    api = await activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a run resumed from a terminal appears and updates in the Runs view, the viewer and the metrics view', async function () {
    this.timeout(300_000);
    const runId = 'terminal-resume';
    const dir = path.join(runsRoot(), runId);
    const config = path.join(workspace(), 'terminal-resume.json');
    fs.writeFileSync(config, JSON.stringify({ rl: { steps: 2000 } }));

    // The first session, from a terminal, stopped with Ctrl-C once RL has begun.
    const first = cliTrain(['--preset', 'smoke', '--config', config, '--out', dir]);
    await until(() => fs.existsSync(path.join(dir, 'events.ndjson')) && rlSteps(dir).length >= 2, Boolean, 120_000, 'two RL steps of the first session', 250);
    await interrupt(first);
    const stoppedAt = Math.max(...rlSteps(dir));

    await showRunsView();
    await rowWhen(runId, 'debug-stop', 'the Runs view showing the first session stopped');
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
    await viewerWhen(api, (s) => s.ready && s.state.run?.id === runId && s.state.run.status === 'stopped', 30_000, 'the viewer on the stopped run');
    await vscode.commands.executeCommand('stepgrpo.compareInMetrics', runId);

    // The second session, from a terminal again, while the window stays open.
    const second = cliTrain(['--resume', dir]);
    try {
      const live = await viewerWhen(api, (s) => s.state.run?.status === 'running' && s.steps.some((step) => step > stoppedAt + 1), 120_000, 'the viewer following the resumed run');
      assert.ok(live.postedChains > 0, 'the newest step is on screen');
      const row = await rowWhen(runId, 'sync~spin', 'the Runs view showing the resumed run running');
      assert.match(String(row?.description), /^step \d+\/\d+/);
      await until(
        () => api.metrics.series(runId),
        (chunks) => chunks.some((c) => c.metric === 'reward' && c.steps.some((step) => step > stoppedAt + 1)),
        60_000,
        'the reward of a resumed step in the Metrics view',
      );
      await until(
        () => api.metrics.runInfo(runId)?.status,
        (status) => status === 'running',
        30_000,
        'the Metrics view listing the resumed run as running',
      );
      await screenshot('e2e-terminal-resume.png');
    } finally {
      await interrupt(second);
    }
    await viewerWhen(api, (s) => s.state.run?.status === 'stopped', 30_000, 'the viewer reading the resumed run as stopped again');
  });

  test('a recording reads as stopped, not live, once its reward server stops', async () => {
    const started = await vscode.commands.executeCommand<StartServerResult>('stepgrpo.startRewardServer');
    assert.ok(started.status === 'started', JSON.stringify(started));
    const runDir = started.runDir!;
    const runId = path.basename(runDir);
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir });
    const reply = await fetch(`${started.url}/score_batch`, { method: 'POST', body: JSON.stringify({ items: clientStepItems(0, [1, 2]) }) });
    assert.equal(reply.status, 200, await reply.text());
    await viewerWhen(api, (s) => s.ready && s.state.run?.id === runId && s.state.run.status === 'running' && s.postedChains === 8, 30_000, 'the live recording in the viewer');
    await showRunsView();
    await rowWhen(runId, 'sync~spin', 'the Runs view showing the recording running');

    await vscode.commands.executeCommand('stepgrpo.stopRewardServer');
    await viewerWhen(api, (s) => s.state.run?.status === 'stopped', 30_000, 'the viewer reading the recording as stopped');
    await rowWhen(runId, 'debug-stop', 'the Runs view showing the recording stopped');
    await until(
      () => api.metrics.runInfo(runId)?.status,
      (status) => status === 'stopped',
      30_000,
      'the Metrics view listing the recording as stopped',
    );
    await screenshot('e2e-recording-stopped.png');
  });
});
