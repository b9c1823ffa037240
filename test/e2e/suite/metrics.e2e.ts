// Runs inside VS Code's extension host: the Metrics view follows a smoke run started here (live
// events) and overlays a run read back from its folder (Compare in Metrics), each holding exactly
// the points of the run's metrics.jsonl. What the webview draws is checked by the UI script.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { StepGrpoApi } from '../../../src/extension/main';
import { activate } from './extension';

let api: StepGrpoApi;

/** metric → steps, as written in a run's metrics.jsonl. */
function stepsInFile(dir: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { step: number; values: Record<string, number> };
    for (const metric of Object.keys(event.values)) out.set(metric, [...(out.get(metric) ?? []), event.step]);
  }
  return out;
}

function assertHoldsFile(runId: string, dir: string): void {
  const want = stepsInFile(dir);
  // The learning curves per key step and violation type come from rollouts.jsonl, not metrics.jsonl.
  const fromRollouts = (metric: string) => metric.startsWith('key_steps/') || metric.startsWith('violation_rate/');
  const got = new Map(
    api.metrics
      .series(runId)
      .filter((c) => !fromRollouts(c.metric))
      .map((c) => [c.metric, c.steps]),
  );
  for (const metric of ['reward', 'loss', 'kl', 'rewards/step_rar/mean']) assert.ok(want.has(metric), `${metric} is not in metrics.jsonl`);
  assert.deepEqual(new Map([...got].sort()), new Map([...want].map(([m, s]) => [m, [...new Set(s)].sort((a, b) => a - b)] as const).sort()));
}

async function compare(arg: unknown): Promise<string[]> {
  const result = await vscode.commands.executeCommand<{ selected: string[] }>('stepgrpo.compareInMetrics', arg);
  return result.selected;
}

suite('metrics: the Metrics view and Compare in Metrics', () => {
  let runId = '';
  let dir = '';

  suiteSetup(async () => {
    api = await activate();
  });

  test('a run started in this window is selected and charted from its live events', async () => {
    const started = await vscode.commands.executeCommand<{ runId: string; dir: string }>('stepgrpo.startRun', { preset: 'smoke' });
    assert.ok(started);
    ({ runId, dir } = started);
    assert.ok(
      api.metrics.state().selected.some((s) => s.runId === runId),
      'the new run is not selected',
    );
    const end = await api.runs.whenEnded(runId);
    assert.equal(end.status, 'completed', end.error);
    assertHoldsFile(runId, dir);
  });

  test('Compare in Metrics overlays a run read from its folder, in its own colour', async () => {
    assert.ok(runId, 'needs the run of the first test');
    const copy = path.join(path.dirname(dir), 'metrics-cli-copy');
    fs.cpSync(dir, copy, { recursive: true });
    const selected = await compare({ runId: 'metrics-cli-copy' });
    assert.deepEqual(selected.slice(-2).sort(), [runId, 'metrics-cli-copy'].sort());
    assertHoldsFile('metrics-cli-copy', copy);
    const colours = api.metrics.state().selected.map((s) => s.color);
    assert.equal(new Set(colours).size, colours.length, `colours repeat: ${colours}`);
  });
});
