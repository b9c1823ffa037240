// Runs inside VS Code's extension host: starts the real trainer (dist/trainer.js) through the
// palette commands, with an argument instead of the quick pick, and checks the run folder and
// what the Runs view shows.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { until, withTimeout } from '../lib/until.mjs';
import { activate } from './extension';
import type { RunState } from '../../../src/extension/runs/run-state';

let api: StepGrpoApi;

interface StartResult {
  runId: string;
  dir: string;
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder');
  return folder.uri.fsPath;
}

/** A run config in the workspace (the Config file… path of the picker). */
function writeConfig(name: string, config: unknown): string {
  const file = path.join(workspaceRoot(), name);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function treeItem(runId: string): Promise<vscode.TreeItem> {
  const items = await api.runs.treeItems();
  const item = items.find((i) => i.label === runId);
  assert.ok(item, `the Runs view has no ${runId}; it shows ${items.map((i) => i.label).join(', ')}`);
  return item;
}

const iconId = (item: vscode.TreeItem): string => (item.iconPath as vscode.ThemeIcon).id;

function lastEvent(dir: string): { type: string; status?: string } {
  const lines = fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1)!) as { type: string; status?: string };
}

async function start(args: { preset?: string; configFile?: string }): Promise<StartResult> {
  const result = await vscode.commands.executeCommand<StartResult | undefined>('stepgrpo.startRun', args);
  assert.ok(result, 'Start StepGRPO Run returned nothing');
  return result;
}

suite('runs: Start StepGRPO Run, Stop Run, Open Run Folder, Runs view', () => {
  suiteSetup(async () => {
    api = await activate();
  });

  let completed: RunState | undefined;

  test('the smoke preset runs to completion in <workspace>/.stepgrpo/runs and the Runs view shows it completed', async () => {
    const { runId, dir } = await start({ preset: 'smoke' });
    assert.equal(path.dirname(dir), path.join(workspaceRoot(), '.stepgrpo', 'runs'));
    assert.match(runId, /^smoke-\d{8}-\d{6}/);
    completed = await withTimeout(api.runs.whenEnded(runId), 50_000, 'the smoke run ending');
    assert.equal(completed.status, 'completed', completed.error);
    assert.equal(completed.step, completed.totalSteps);

    for (const f of ['config.json', 'events.ndjson', 'metrics.jsonl', 'rollouts.jsonl', 'policy.onnx', 'trainer.log', 'checkpoints/latest']) {
      assert.ok(fs.existsSync(path.join(dir, f)), `${f} is missing from the run folder`);
    }
    const last = lastEvent(dir);
    assert.deepEqual([last.type, last.status], ['done', 'completed']);

    const item = await treeItem(runId);
    assert.equal(iconId(item), 'pass');
    assert.equal(item.contextValue, 'stepgrpoRun.ended');
    assert.equal(item.description, `step ${completed.step}/${completed.step} · reward ${completed.lastReward!.toFixed(3)}`);
    assert.match(String(item.accessibilityInformation?.label), /completed/);
  });

  test('Stop Run stops a running run after its current step; it checkpoints and ends as stopped', async () => {
    const configFile = writeConfig('long-sft.json', { sft: { steps: 2000 } });
    const { runId, dir } = await start({ preset: 'smoke', configFile });
    await until(
      () => api.runs.get(runId)?.step ?? 0,
      (step) => step >= 1,
      50_000,
      'the first metrics event',
    );

    const running = await treeItem(runId);
    assert.equal(running.contextValue, 'stepgrpoRun.running');
    assert.equal(iconId(running), 'sync~spin');

    const stop = await vscode.commands.executeCommand<{ runId: string; stopped: boolean }>('stepgrpo.stopRun', { runId });
    assert.deepEqual(stop, { runId, stopped: true });
    const end = await withTimeout(api.runs.whenEnded(runId), 30_000, 'the stopped run exiting');
    assert.equal(end.status, 'stopped', end.error);
    assert.ok(end.step < 2000, `the run went on to step ${end.step}`);
    const last = lastEvent(dir);
    assert.deepEqual([last.type, last.status], ['done', 'stopped']);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoints', 'latest')), 'no checkpoint after stop');
    assert.equal(iconId(await treeItem(runId)), 'debug-stop');
  });

  test('a config file with a wrong field is refused before a trainer starts, with a diagnostic on the field', async () => {
    const before = fs.readdirSync(path.join(workspaceRoot(), '.stepgrpo', 'runs')).length;
    const configFile = writeConfig('bad-group.json', { rl: { groupSize: '4' } });
    const result = await vscode.commands.executeCommand<{ configIssues: { path: string; message: string }[] }>('stepgrpo.startRun', { preset: 'smoke', configFile });
    assert.equal(result.configIssues[0]?.path, 'rl.groupSize');
    const diagnostics = vscode.languages.getDiagnostics(vscode.Uri.file(configFile));
    assert.ok(
      diagnostics.some((d) => d.message.startsWith('rl.groupSize: expected an integer')),
      diagnostics.map((d) => d.message).join('; '),
    );
    assert.equal(fs.readdirSync(path.join(workspaceRoot(), '.stepgrpo', 'runs')).length, before, 'no run folder was made');
  });

  test("an error only the trainer can see fails the run with the trainer's message", async () => {
    const configFile = writeConfig('bad-heads.json', { model: { dModel: 30, nHeads: 4 } });
    const { runId } = await start({ preset: 'smoke', configFile });
    const end = await withTimeout(api.runs.whenEnded(runId), 30_000, 'the failing run ending');
    assert.equal(end.status, 'failed');
    assert.match(end.error ?? '', /dModel 30 is not divisible by nHeads 4/);
    const item = await treeItem(runId);
    assert.equal(iconId(item), 'error');
  });

  test('a *.stepgrpo.json file with a typo gets a diagnostic from the contributed schema', async () => {
    const file = writeConfig('typo.stepgrpo.json', { rl: { grupSize: 4 } });
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const found = await until(
      () => vscode.languages.getDiagnostics(vscode.Uri.file(file)),
      (ds) => ds.some((d) => /grupSize/.test(d.message)),
      30_000,
      'a schema diagnostic naming grupSize',
    );
    assert.ok(found.length >= 1);
  });

  test('New Run Config writes a starting file with the defaults and opens it', async () => {
    const file = path.join(workspaceRoot(), 'starter.stepgrpo.json');
    const made = await vscode.commands.executeCommand<{ file: string }>('stepgrpo.newRunConfig', { file });
    assert.equal(made.file, file);
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { rl: { groupSize: number } };
    assert.equal(config.rl.groupSize, 8);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
  });

  test('Open Run Folder reveals the run in the Explorer and opens its config.json', async () => {
    assert.ok(completed, 'needs the smoke run of the first test');
    const opened = await vscode.commands.executeCommand<{ dir: string; opened?: string; revealed: boolean }>('stepgrpo.openRunFolder', { runId: completed.id });
    assert.equal(opened.dir, completed.dir);
    assert.equal(opened.revealed, true);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, path.join(completed.dir, 'config.json'));
  });

  test('a run folder written outside this window (e.g. by the CLI) appears in the Runs view', async () => {
    assert.ok(completed, 'needs the smoke run of the first test');
    const copy = path.join(path.dirname(completed.dir), 'cli-copy');
    fs.cpSync(completed.dir, copy, { recursive: true });
    const item = await treeItem('cli-copy');
    assert.equal(iconId(item), 'pass');
    assert.match(String(item.description), /^step (\d+)\/\1 · reward/);
  });

  test('Pause, Checkpoint Now and Resume change the run state and the run directory', async () => {
    const configFile = writeConfig('long-sft-2.json', { sft: { steps: 2000 } });
    const { runId, dir } = await start({ preset: 'smoke', configFile });
    await until(
      () => api.runs.get(runId)?.step ?? 0,
      (step) => step >= 1,
      50_000,
      'the first SFT step',
    );
    const events = () => fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8');
    await vscode.commands.executeCommand('stepgrpo.pauseRun', { runId });
    await until(
      () => api.runs.get(runId)?.status,
      (s) => s === 'paused',
      30_000,
      'the run paused',
    );
    assert.match(events(), /"type":"paused"/);
    assert.equal((await treeItem(runId)).contextValue, 'stepgrpoRun.paused');
    assert.match(api.runs.statusBar() ?? '', new RegExp(`^\\$\\(debug-pause\\) ${runId}: step \\d+/2002 · [\\d,]+ tok/s · paused$`));
    // The viewer's header and SFT banner follow the same state (no rollouts before RL).
    await vscode.commands.executeCommand('stepgrpo.openRolloutViewer', { runId });
    const shown = await until(
      () => api.viewer.snapshot().state.run,
      (r) => r?.status === 'paused',
      20_000,
      'the viewer showing the paused run',
    );
    assert.deepEqual([shown!.phase, shown!.rlStartsAt, shown!.totalSteps], ['sft', 2000, 2002]);
    const pausedAt = api.runs.get(runId)!.step;

    await vscode.commands.executeCommand('stepgrpo.checkpointNow', { runId });
    const ckpt = path.join(dir, 'checkpoints', `step-${String(pausedAt).padStart(6, '0')}`);
    await until(() => fs.existsSync(path.join(ckpt, 'state.json')), Boolean, 30_000, `${path.basename(ckpt)} written while paused`);
    assert.equal(fs.readFileSync(path.join(dir, 'checkpoints', 'latest'), 'utf8').trim(), path.basename(ckpt));
    assert.equal(api.runs.get(runId)!.status, 'paused');
    assert.equal(api.runs.get(runId)!.step, pausedAt, 'a paused run takes no step');

    await vscode.commands.executeCommand('stepgrpo.unpauseRun', { runId });
    await until(
      () => api.runs.get(runId),
      (r) => r?.status === 'running' && r.step > pausedAt,
      30_000,
      'the run going on after Resume',
    );
    assert.match(events(), /"type":"resumed"/);
    await vscode.commands.executeCommand('stepgrpo.stopRun', { runId });
    assert.equal((await withTimeout(api.runs.whenEnded(runId), 60_000, 'the run stopping')).status, 'stopped');
  });

  test('a trainer killed mid-run reads interrupted; Resume Run continues it in the same folder to completion', async () => {
    const configFile = writeConfig('kill-me.json', { rl: { steps: 60 }, checkpointEvery: 5 });
    const { runId, dir } = await start({ preset: 'smoke', configFile });
    const running = await until(
      () => api.runs.get(runId),
      (r) => (r?.checkpoint ?? '').endsWith('step-000008') || (r?.step ?? 0) >= 9,
      60_000,
      'an RL checkpoint',
    );
    process.kill(running!.pid!, 'SIGKILL');
    const killed = await withTimeout(api.runs.whenEnded(runId), 30_000, 'the killed run ending');
    assert.equal(killed.status, 'interrupted', killed.error);
    assert.match(killed.error ?? '', /SIGKILL/);
    assert.equal((await treeItem(runId)).contextValue, 'stepgrpoRun.resumable');

    const resumed = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.resumeRun', { runId });
    assert.deepEqual(resumed, { runId, dir });
    const end = await withTimeout(api.runs.whenEnded(runId), 120_000, 'the resumed run completing');
    assert.equal(end.status, 'completed', end.error);
    assert.equal(end.step, end.totalSteps);
    const item = await treeItem(runId);
    assert.equal(iconId(item), 'pass');
    const last = lastEvent(dir);
    assert.deepEqual([last.type, last.status], ['done', 'completed']);
  });
});
