// Runs inside VS Code's extension host: a remote run seen live. Start Reward Server records into
// .stepgrpo/runs/serve-<stamp>/; chains posted by a test client (as verl/TRL clients send them, with
// step, group and prompt) stream into the Rollout viewer and the Metrics view without a reload.
// Then follow mode: Import Rollouts {folder, follow} on a verl rollout_data_dir, and a step file
// written afterwards appears in the viewer; the followed run is live in the Runs view with Stop,
// which ends following, and Resume Run follows it again from its cursor (no chain twice).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import type { ImportCommandResult } from '../../../src/extension/import/import-command';
import type { StartServerResult } from '../../../src/extension/server/reward-server-controller';
import { clientStepItems, writeVerlStep } from '../../support/engine-folders';
import { readRolloutStore } from '../../support/rollout-fixtures';
import { until } from '../lib/until.mjs';
import { activate, viewerWhen } from './extension';

let api: StepGrpoApi;
const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

async function post(url: string, body: unknown): Promise<void> {
  const reply = await fetch(`${url}/score_batch`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(reply.status, 200, await reply.text());
}

suite('remote runs: recording reward server and followed folders', () => {
  suiteSetup(async () => {
    api = await activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('stepgrpo.stopRewardServer');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Start Reward Server records; posted chains stream into the viewer and the metrics view', async () => {
    const started = await vscode.commands.executeCommand<StartServerResult>('stepgrpo.startRewardServer');
    assert.ok(started.status !== 'failed', JSON.stringify(started));
    const runDir = started.runDir!;
    assert.equal(path.dirname(runDir), path.join(workspace(), '.stepgrpo', 'runs'));
    const runId = path.basename(runDir);
    assert.match(runId, /^serve-\d{8}-\d{6}/);

    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir });
    await post(started.url, { items: clientStepItems(0, [1, 2]) });
    const first = await viewerWhen(api, (s) => s.ready && s.steps.includes(0) && s.postedChains === 8, 20_000, 'step 0 with 8 chains in the viewer');
    assert.equal(first.state.run?.id, runId);

    // The next step arrives while the viewer is open: it streams in, and step 0's metrics are written.
    await post(started.url, { items: clientStepItems(1, [3, 4, 5]) });
    await viewerWhen(api, (s) => s.steps.join(',') === '0,1' && s.postedChains === 12, 20_000, 'step 1 (12 chains) streaming in');

    await vscode.commands.executeCommand('stepgrpo.compareInMetrics', runId);
    const series = await until(
      () => api.metrics.series(runId),
      (chunks) => chunks.some((c) => c.metric === 'reward' && c.steps.includes(0)),
      20_000,
      'the reward of step 0 in the Metrics view',
    );
    assert.ok(
      series.some((c) => c.metric === 'validity_rate'),
      JSON.stringify(series).slice(0, 500),
    );

    const items = await api.runs.treeItems();
    const row = items.find((i) => i.id === runId || String(i.label) === runId);
    assert.ok(row, `the Runs view lists ${runId}: ${items.map((i) => i.label).join(', ')}`);
  });

  test('Import Rollouts {folder, follow}: a verl step file written later appears in the viewer', async () => {
    const source = path.join(workspace(), 'verl-rollouts');
    fs.rmSync(source, { recursive: true, force: true });
    writeVerlStep(source, 1);
    // Older than the importer's settle time, as a step written a while ago.
    const past = new Date(Date.now() - 5000);
    fs.utimesSync(path.join(source, '1.jsonl'), past, past);
    const result = await vscode.commands.executeCommand<ImportCommandResult | undefined>('stepgrpo.importRollouts', { folder: source, follow: true });
    assert.ok(result?.following, JSON.stringify(result));
    assert.equal(result.chains, 8);
    await viewerWhen(api, (s) => s.state.run?.id === result.runId && s.steps.join(',') === '1', 20_000, 'the followed run with step 1');

    writeVerlStep(source, 2);
    await viewerWhen(api, (s) => s.steps.join(',') === '1,2' && s.postedChains === 8, 30_000, 'step 2, written after the import started, in the viewer');

    // Live in the Runs view with Stop only (a followed import has no Pause or Checkpoint Now).
    const rowOf = async () => (await api.runs.treeItems()).find((i) => i.label === result.runId);
    await until(rowOf, (row) => row?.contextValue === 'stepgrpoRun.stopOnly', 20_000, 'the followed run live with Stop in the Runs view');
    const stopped = await vscode.commands.executeCommand('stepgrpo.stopRun', { runId: result.runId });
    assert.deepEqual(stopped, { runId: result.runId, stopped: true });
    const last = JSON.parse(fs.readFileSync(path.join(result.dir, 'events.ndjson'), 'utf8').trim().split('\n').at(-1)!) as { type: string; status?: string };
    assert.deepEqual([last.type, last.status], ['done', 'stopped']);
    assert.equal((await rowOf())?.contextValue, 'stepgrpoRun.resumable', 'stopped, Resume Run is offered');

    // Resume Run follows the folder again from its cursor: the step written meanwhile comes in, once.
    writeVerlStep(source, 3);
    const resumed = await vscode.commands.executeCommand<ImportCommandResult | undefined>('stepgrpo.resumeRun', { runId: result.runId });
    assert.deepEqual([resumed?.dir, resumed?.following], [result.dir, true]);
    await viewerWhen(api, (s) => s.state.run?.id === result.runId && s.steps.join(',') === '1,2,3', 30_000, 'step 3, written while stopped, after Resume Run');
    const { store } = await readRolloutStore(result.dir);
    assert.deepEqual(
      store.steps().map((step) => store.groups(step).flatMap((g) => g.samples).length),
      [8, 8, 8],
      'every chain once',
    );
    await until(rowOf, (row) => row?.contextValue === 'stepgrpoRun.stopOnly', 20_000, 'the followed run live again');
    assert.deepEqual(await vscode.commands.executeCommand('stepgrpo.stopRun', { runId: result.runId }), { runId: result.runId, stopped: true });
  });
});
