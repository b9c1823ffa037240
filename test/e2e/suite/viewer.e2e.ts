// Runs inside VS Code's extension host: the Rollout viewer on a run folder written like a CLI run
// (scored fixture chains) and on a live smoke run of the real trainer; checks what the host holds
// and posts, the ready handshake and the replay when the panel is shown again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { activate, viewerWhen } from './extension';
import { fixtureRollouts, writeFixtureRun } from '../../support/rollout-fixtures';
import { RunWriter } from '../../../src/rundir/run-writer';
import { LIVE_FLUSH_MS } from '../../../src/extension/viewer/rollout-viewer';

let api: StepGrpoApi;

const runsRoot = () => path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.stepgrpo', 'runs');

suite('rollout viewer: Open Rollout Viewer on a run folder and on a live run', () => {
  suiteSetup(async () => {
    api = await activate();
  });
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('{runDir}: a CLI-style run folder is read, the webview says ready and gets the latest step', async () => {
    const dir = path.join(runsRoot(), 'viewer-fixture');
    writeFixtureRun(dir, [2, 5], 3);
    const opened = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.openRolloutViewer', { runDir: dir });
    assert.deepEqual(opened, { runId: 'viewer-fixture', dir });
    const s = await viewerWhen(api, (x) => x.ready && x.postedChains > 0, 20_000, 'the webview handshake');
    assert.deepEqual(s.steps, [2, 5]);
    assert.equal(s.state.step, 'latest');
    assert.equal(s.postedChains, 12, '3 groups of 4 chains at step 5');
    assert.equal(s.state.run?.status, 'completed');
  });

  test('hidden and shown again, the panel is replayed the host-owned state (retainContextWhenHidden is off)', async () => {
    const before = api.viewer.snapshot().replays;
    await vscode.commands.executeCommand('workbench.action.files.newUntitledFile');
    await viewerWhen(api, (x) => !x.ready, 10_000, 'the hidden panel dropping its webview');
    const dir = api.viewer.snapshot().state.run!.dir;
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
    const s = await viewerWhen(api, (x) => x.ready && x.replays > before && x.postedChains === 12, 20_000, 'the replay after reveal');
    assert.equal(s.state.run?.id, 'viewer-fixture');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('{runId} of a live smoke run: rollouts arrive as the trainer emits them', async () => {
    const started = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.startRun', { preset: 'smoke' });
    assert.ok(started);
    const opened = await vscode.commands.executeCommand<{ runId: string }>('stepgrpo.openRolloutViewer', { runId: started.runId });
    assert.equal(opened?.runId, started.runId);
    const end = await api.runs.whenEnded(started.runId);
    assert.equal(end.status, 'completed', end.error);
    const lines = fs
      .readFileSync(path.join(started.dir, 'rollouts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; groups: { samples: unknown[] }[] });
    const last = lines.at(-1)!;
    const s = await viewerWhen(
      api,
      (x) => x.ready && x.steps.length === lines.length && x.rendered?.first[0]?.startsWith(`${last.step}:`) === true,
      20_000,
      'every rollouts event in the viewer and the last step on the page',
    );
    assert.deepEqual(
      s.steps,
      lines.map((l) => l.step),
    );
    assert.equal(
      s.postedChains,
      last.groups.reduce((a, g) => a + g.samples.length, 0),
    );
    assert.equal(s.state.run?.status, 'completed', 'the header follows the run to its end');
  });

  test('a folder that does not exist is an error, not a blank panel', async () => {
    const result = await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: path.join(runsRoot(), 'no-such-run') });
    assert.equal(result, undefined);
    assert.equal(api.viewer.snapshot().state.run?.id !== 'no-such-run', true);
  });

  test('a run folder truncated, then deleted, under the open panel: the panel stays and its banner says what happened', async () => {
    const dir = path.join(runsRoot(), 'viewer-shrinks');
    writeFixtureRun(dir, [1, 2], 2);
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
    await viewerWhen(api, (x) => x.ready && x.state.run?.id === 'viewer-shrinks' && x.postedChains > 0, 20_000, 'the folder shown');
    // The hello and step 1 stay: the log the viewer follows, rewritten shorter.
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const truncated = await viewerWhen(api, (x) => /truncated or rewritten/.test(x.notice ?? ''), 20_000, 'the truncation banner');
    assert.deepEqual(truncated.steps, [1], 'the rewritten file was read again');
    fs.rmSync(dir, { recursive: true, force: true });
    const deleted = await viewerWhen(api, (x) => /was deleted/.test(x.notice ?? ''), 20_000, 'the deletion banner');
    assert.equal(deleted.state.run?.id, 'viewer-shrinks', 'the panel keeps showing what it had');
    assert.ok(deleted.ready);
  });

  test('a run appending hundreds of steps a second: the page gets coalesced updates and shows the last step and the end at once', async () => {
    const dir = path.join(runsRoot(), 'viewer-fast');
    const steps = 600;
    // A live folder run: its hello names a living pid (this extension host).
    const writer = RunWriter.create(dir, { sft: { steps: 0 }, rl: { steps } });
    writer.append({ v: 1, type: 'hello', pid: process.pid, version: 'fixture', device: { ep: 'cpu', threads: 1 }, config: {} });
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runDir: dir });
    await viewerWhen(api, (x) => x.ready && x.state.run?.id === 'viewer-fast' && x.state.run.status === 'running', 20_000, 'the live folder run shown');
    const started = Date.now();
    for (let step = 1; step <= steps; step++) {
      writer.append(fixtureRollouts(step, 2));
      if (step % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    writer.append({ v: 1, type: 'done', status: 'completed', summary: { steps } });
    const s = await viewerWhen(
      api,
      (x) => x.state.run?.status === 'completed' && x.rendered?.first[0]?.startsWith(`${steps}:`) === true,
      20_000,
      'the page showing the last step of the completed run',
    );
    const flushBound = Math.ceil((Date.now() - started) / LIVE_FLUSH_MS) + 2;
    assert.equal(s.steps.length, steps);
    assert.ok(s.liveFlushes <= flushBound, `${s.liveFlushes} live flushes for ${steps} steps (at most ${flushBound} expected)`);
  });
});
