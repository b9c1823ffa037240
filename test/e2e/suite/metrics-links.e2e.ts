// Runs inside VS Code's extension host: from a Metrics chart's point to the Rollout viewer and back,
// the learning curves computed from a run's rollouts, Export PNG (opaque, at the width asked, every
// chart), Export CSV (every point), the CLI on PATH in Open CLI Terminal's shim, and screenshots in
// the light and dark theme.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { until } from '../lib/until.mjs';
import { activate, screenshot } from './extension';

const SHOW_STEP = 'stepgrpo.viewer.showStep';
let api: StepGrpoApi;

suite('metrics links: chart point ↔ viewer, learning curves, export, CLI terminal', () => {
  let runId = '';
  let dir = '';
  const shown: unknown[] = [];
  let stub: vscode.Disposable | undefined;

  suiteSetup(async () => {
    api = await activate();
    // The viewer's showStep lives on the viewer's branch; until it is there, record what Metrics asks of it.
    if (!(await vscode.commands.getCommands(true)).includes(SHOW_STEP)) stub = vscode.commands.registerCommand(SHOW_STEP, (args: unknown) => shown.push(args));
    const started = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.startRun', { preset: 'smoke' });
    ({ runId, dir } = started);
    const end = await api.runs.whenEnded(runId);
    assert.equal(end.status, 'completed', end.error);
    await vscode.commands.executeCommand('stepgrpo.compareInMetrics', { runId });
  });

  suiteTeardown(() => stub?.dispose());

  test('Start opens the Rollout viewer on the new run (stepgrpo.viewer.openOnStart, on by default)', async () => {
    await until(
      () => api.viewer.snapshot().state.run?.id,
      (id: string | undefined) => id === runId,
      10_000,
      'the viewer on the started run',
    );
  });

  test('learning curves per key step and violation type are charted from the rollouts', async () => {
    const names = await until(
      () => api.metrics.series(runId).map((c) => c.metric),
      (n: string[]) => n.some((m) => m.startsWith('key_steps/')),
      20_000,
      'key-step curves',
    );
    const steps = new Set(
      fs
        .readFileSync(path.join(dir, 'rollouts.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { step: number }).step),
    );
    const curve = api.metrics.series(runId).find((c) => c.metric === 'key_steps/1/match_rate')!;
    assert.deepEqual(new Set(curve.steps), steps, `curves: ${names.filter((m) => m.includes('/')).join(', ')}`);
  });

  test('a chart point opens that run at that step in the viewer, and the viewer marks it back in Metrics', async () => {
    const step = api.metrics
      .series(runId)
      .find((c) => c.metric === 'reward')!
      .steps.at(-1)!;
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const args = await api.metrics.openStep(runId, step, i % 2 ? 'reward' : 'violation_rate/MISSING_SECTION');
      assert.equal(args?.step, step);
      samples.push(api.metrics.lastOpenedStep()!.ms);
    }
    samples.sort((a, b) => a - b);
    console.log(
      `[metrics-links] chart click → ${SHOW_STEP} resolved: median ${samples[3]!.toFixed(1)} ms, max ${samples[6]!.toFixed(1)} ms (${stub ? 'recorded by a stand-in: the viewer command is not on this branch' : 'the viewer'})`,
    );
    if (stub) assert.deepEqual(shown.at(-1), { runDir: dir, step, filter: { violation: 'MISSING_SECTION' } });
    const marked = await vscode.commands.executeCommand<{ runId: string; step: number }>('stepgrpo.metrics.showStep', { runDir: dir, step });
    assert.deepEqual(marked, { runId, step });
  });

  test('Export PNG writes every chart at the width asked on an opaque background', async () => {
    const file = path.join(os.tmpdir(), `stepgrpo-export-${process.pid}.png`);
    assert.equal(await api.metrics.exportPng(1000, file), file);
    const png = fs.readFileSync(file);
    // The IHDR width: 1000 CSS pixels times the page's pixel ratio.
    assert.ok(png.readUInt32BE(16) >= 1000 && png.readUInt32BE(16) % 1000 === 0, `width ${png.readUInt32BE(16)}`);
    fs.copyFileSync(file, path.resolve(__dirname, '../../../../test-output/metrics-export.png'));
  });

  test('Export CSV writes every point of the selected run, one row per metric and step', async () => {
    const file = path.join(os.tmpdir(), `stepgrpo-export-${process.pid}.csv`);
    assert.equal(await api.metrics.exportCsv(file), file);
    const [header, ...all] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(header, 'run,metric,step,value');
    // Earlier suites may have left other runs selected: this run's rows are checked.
    const rows = all.filter((r) => r.startsWith(`${runId},`));
    const written = new Map(
      rows.map((r) => {
        const [run, metric, step, value] = r.split(',');
        return [`${run}|${metric}|${step}`, Number(value)];
      }),
    );
    const series = api.metrics.series(runId);
    assert.ok(series.some((c) => c.metric === 'reward'));
    const expected = series.flatMap((c) => c.steps.map((step, i) => [`${runId}|${c.metric}|${step}`, c.values[i]!] as const));
    assert.equal(rows.length, expected.length, 'one row per point');
    for (const [key, value] of expected) assert.equal(written.get(key), value, key);
  });

  test('Open CLI Terminal puts a working stepgrpo first on PATH', async () => {
    const shim = await vscode.commands.executeCommand<{ binDir: string; file: string }>('stepgrpo.openCliTerminal');
    assert.ok(vscode.window.terminals.some((t) => t.name === 'StepGRPO CLI'));
    const help = execFileSync(shim.file, ['--help'], { encoding: 'utf8', env: { ...process.env, PATH: `${shim.binDir}${path.delimiter}${process.env['PATH']}` } });
    assert.match(help, /train/);
  });

  test('screenshots of the Metrics view in the dark and light theme', async () => {
    const config = vscode.workspace.getConfiguration('workbench');
    await vscode.commands.executeCommand('stepgrpo.metrics.focus');
    for (const [theme, kind, name] of [
      ['Default Light Modern', vscode.ColorThemeKind.Light, 'metrics-links-light.png'],
      ['Default Dark Modern', vscode.ColorThemeKind.Dark, 'metrics-links-dark.png'],
    ] as const) {
      await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await until(
        () => vscode.window.activeColorTheme.kind,
        (k: vscode.ColorThemeKind) => k === kind,
        10_000,
        theme,
      );
      await screenshot(name);
    }
    await config.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });
});
