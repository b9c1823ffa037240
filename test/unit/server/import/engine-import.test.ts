// Importing verl and TRL rollout folders: rows rescored exactly as `stepgrpo score` scores them,
// grouped by prompt, the engine's numbers kept beside ours, per-step metrics; and follow mode
// appends each new step file to the run directory that the viewer follows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineFolderImport } from '../../../../src/server/import/engine-folder-import';
import { messageText } from '../../../../src/server/import/engine-rollouts';
import { RunDirectoryFollower } from '../../../../src/extension/runs/run-directory-follower';
import { readRolloutStore } from '../../../support/rollout-fixtures';
import type { TrainerEvent } from '../../../../src/protocol/trainer-messages';
import { runCli } from '../../../support/cli-harness';
import { engineRows, writeTrlStep, writeVerlStep } from '../../../support/engine-folders';

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `stepgrpo-${name}-`));
const jsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function importOnce(source: string) {
  const runDir = tmp('run');
  const run = await EngineFolderImport.create({ source, runDir, preset: 'stepgrpo', settleMs: 0 }, false);
  const steps = await run.poll();
  await run.finish();
  const { store } = await readRolloutStore(runDir);
  return { run, runDir, steps, store };
}

describe('engine folder import', () => {
  it('verl rollout_data_dir: every {step}.jsonl, rewards equal `stepgrpo score`, verl score beside them', async () => {
    const source = tmp('verl');
    writeVerlStep(source, 1);
    const stepFile = writeVerlStep(source, 2);
    const { run, runDir, steps, store } = await importOnce(source);
    assert.equal(run.kind, 'verl');
    assert.deepEqual(
      steps.map((s) => [s.step, s.chains]),
      [
        [1, 8],
        [2, 8],
      ],
    );
    assert.deepEqual(store.steps(), [1, 2]);
    const groups = store.groups(2);
    assert.equal(groups.length, 2, 'grouped by the prompt (`input`)');
    const scored = tmp('score');
    const cli = await runCli(['score', '--in', stepFile, '--out', path.join(scored, 'out.jsonl')]);
    assert.equal(cli.code, 0, cli.stderr);
    const expected = jsonl(path.join(scored, 'out.jsonl')).map((r) => r.rewards.total);
    assert.deepEqual(
      groups.flatMap((g) => g.samples.map((s) => s.rewards.total)),
      expected,
    );
    assert.deepEqual(groups[0]!.samples[0]!.engine, { score: 0.5, acc: 0 });
    const metrics = jsonl(path.join(runDir, 'metrics.jsonl'));
    assert.deepEqual(
      metrics.map((m) => m.step),
      [1, 2],
    );
    assert.equal(metrics[0].values['engine/score'], 4);
    assert.equal(metrics[0].values.chains, 8);
    assert.equal(jsonl(path.join(runDir, 'events.ndjson')).at(-1).type, 'done');
  });

  it('TRL completions/*.parquet: prompt and completion, reference from log_extra columns, reward columns beside ours, at the step the rewards were computed', async () => {
    const source = tmp('trl');
    writeTrlStep(source, 5);
    writeTrlStep(source, 10);
    const { run, store } = await importOnce(source);
    assert.equal(run.kind, 'trl');
    assert.deepEqual(store.steps(), [4, 9], "the file's step is global_step after the update; the reward function saw the one before");
    assert.match(run.coverage ?? '', /only the last generation batch of each logged step \(one step in 5: logging_steps\)/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(run.runDir, 'config.json'), 'utf8')).imported.coverage, run.coverage);
    const rows = engineRows(10, 2);
    const samples = store.groups(9).flatMap((g) => g.samples);
    assert.deepEqual(
      samples.map((s) => s.text),
      rows.map((r) => r.completion),
    );
    const verlLike = tmp('trl-score');
    fs.writeFileSync(path.join(verlLike, 'in.jsonl'), rows.map((r) => JSON.stringify({ completion: r.completion, answer: r.answer, key_steps: r.keySteps })).join('\n'));
    await runCli(['score', '--in', path.join(verlLike, 'in.jsonl'), '--out', path.join(verlLike, 'out.jsonl')]);
    assert.deepEqual(
      samples.map((s) => s.rewards.total),
      jsonl(path.join(verlLike, 'out.jsonl')).map((r) => r.rewards.total),
    );
    assert.deepEqual(samples[1]!.engine, { stepgrpo_reward: 1.1, advantage: -0.5 });
    assert.equal(store.groups(9)[0]!.reference.answer, rows[0]!.answer);
  });

  it('conversational cells: the last message, text parts joined', () => {
    assert.equal(messageText([{ role: 'user', content: 'q' }]), 'q');
    assert.equal(messageText([{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'How many?' }] }]), 'How many?');
    assert.equal(messageText(3), undefined);
  });

  it('follow mode: new step files are appended as the engine writes them; the viewer follower sees them', async () => {
    const source = tmp('verl-follow');
    writeVerlStep(source, 1);
    const runDir = tmp('run-follow');
    const run = await EngineFolderImport.create({ source, runDir, preset: 'stepgrpo', settleMs: 0 }, true);
    assert.equal((await run.poll()).length, 1);
    const seen: TrainerEvent[] = [];
    const follower = new RunDirectoryFollower(runDir, { onEvents: (e) => seen.push(...e) });
    await follower.catchUp();
    assert.deepEqual(
      seen.flatMap((e) => (e.type === 'rollouts' ? [e.step] : [])),
      [1],
    );
    writeVerlStep(source, 2);
    assert.deepEqual(
      (await run.poll()).map((s) => s.step),
      [2],
    );
    assert.deepEqual(await run.poll(), [], 'a file is imported once');
    await follower.catchUp();
    assert.deepEqual(
      seen.flatMap((e) => (e.type === 'rollouts' ? [e.step] : [])),
      [1, 2],
    );
    await run.finish('stopped');
    follower.dispose();
    const events = jsonl(path.join(runDir, 'events.ndjson'));
    assert.equal(events[0].type, 'hello');
    assert.deepEqual(events.at(-1).status, 'stopped');
  });

  it('a folder without step files is refused with what was expected', async () => {
    await assert.rejects(
      EngineFolderImport.create({ source: tmp('empty'), runDir: tmp('run'), preset: 'stepgrpo' }, false),
      /holds no step files yet: expected verl's \{step\}\.jsonl/,
    );
  });
});
