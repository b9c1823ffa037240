// `stepgrpo import` in process: verl dumps of both trainers and TRL parquet folders imported
// headless (progress on stderr, summary on stdout), bad rows and files named and the rest imported,
// and a second import into the same run going on from the cursor without a chain twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { groupAdvantages } from '../../../src/core/grpo';
import { scoreChain } from '../../../src/core/reward';
import { readRunDirectory } from '../../../src/extension/runs/run-directory-reader';
import { runCli } from '../../support/cli-harness';
import { engineRows, writeTrlStep, writeVerlStep, writeVerlV1Step } from '../../support/engine-folders';
import { readRolloutStore } from '../../support/rollout-fixtures';

const tmp = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `stepgrpo-cli-import-${name}-`));
const jsonl = (file: string): any[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function importInto(source: string, runDir: string, ...flags: string[]) {
  const result = await runCli(['import', source, '--out', runDir, ...flags]);
  assert.equal(result.code, 0, result.stderr);
  const { store, problems } = await readRolloutStore(runDir);
  assert.deepEqual(problems, []);
  return { ...result, store };
}

describe('stepgrpo import', () => {
  it("verl's legacy dump: reward_extra_info columns and request_id, grouped by prompt, rescored", async () => {
    const source = tmp('verl-legacy');
    writeVerlStep(source, 1);
    writeVerlStep(source, 2);
    const { stdout, stderr, store } = await importInto(source, path.join(tmp('out'), 'run'));
    assert.match(stderr, /^1\.jsonl: step 1, 8 chains · 8 chains in [\d.]+ s\n2\.jsonl: step 2, 8 chains · 16 chains in [\d.]+ s\n$/);
    assert.match(stdout, /^imported 16 chains from 2 step files \(verl\) of .* into .*run\n$/);
    const rows = engineRows(2, 2);
    const samples = store.groups(2).flatMap((g) => g.samples);
    assert.deepEqual(
      samples.map((s) => s.rewards),
      rows.map((r) => scoreChain(r.completion, { answer: r.answer, keySteps: r.keySteps })),
    );
    assert.deepEqual(samples[1]!.engine, { score: 1.5, acc: 1 });
    assert.equal(store.groups(2).length, 2);
  });

  it("verl's v1 dump (v0.9 default): only input, output, gts, score, step, uid; the prompt uid groups, not the text", async () => {
    const source = tmp('verl-v1');
    const file = writeVerlV1Step(source, 3);
    // Two dataset rows with the same text are two prompts: their uids differ.
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const sameText = lines.map((l) => JSON.stringify({ ...JSON.parse(l), input: 'the same prompt' }));
    fs.writeFileSync(file, `${sameText.join('\n')}\n`);
    const { store } = await importInto(source, path.join(tmp('out'), 'run'));
    const groups = store.groups(3);
    assert.equal(groups.length, 2);
    for (const g of groups) {
      assert.equal(g.samples.length, 4);
      assert.match(g.promptId, /-prompt-uid$/);
      assert.deepEqual(
        g.samples.map((s) => s.advantage),
        groupAdvantages(
          g.samples.map((s) => s.rewards.total),
          4,
        ),
      );
    }
  });

  it('TRL parquet: steps at the reward step, and the summary says only the last batch of every Nth step is there', async () => {
    const source = tmp('trl');
    writeTrlStep(source, 10);
    writeTrlStep(source, 20);
    const runDir = path.join(tmp('out'), 'run');
    const { stdout, store } = await importInto(source, runDir);
    assert.deepEqual(store.steps(), [9, 19]);
    assert.match(stdout, /imported 16 chains from 2 step files \(trl\)/);
    assert.match(stdout, /\nnote: TRL keeps only the last generation batch of each logged step \(one step in 10: logging_steps\)/);
    assert.match(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')).imported.coverage, /one step in 10/);
    assert.match((await readRunDirectory(runDir, { isAlive: () => false }))?.coverage ?? '', /only the last generation batch/, "the Runs view's tooltip row");
  });

  it('a corrupt row, a truncated last line and a broken parquet file are named (file and line), the rest imported', async () => {
    const verl = tmp('verl-bad');
    const file = writeVerlStep(verl, 1);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    lines[2] = '{"input": "p", "output": ';
    fs.writeFileSync(file, `${lines.join('\n')}\n${lines[3]!.slice(0, 40)}`);
    const bad = await importInto(verl, path.join(tmp('out'), 'run'));
    assert.match(bad.stderr, /^1\.jsonl:3: not valid JSON .*; skipped$/m);
    assert.match(bad.stderr, /^1\.jsonl:9: not valid JSON .*; skipped$/m, 'the truncated last line, read as a line at the end');
    assert.equal(bad.store.groups(1).flatMap((g) => g.samples).length, 7);

    const trl = tmp('trl-bad');
    writeTrlStep(trl, 1);
    writeTrlStep(trl, 2);
    fs.writeFileSync(path.join(trl, 'completions', 'completions_00002.parquet'), 'not parquet');
    const broken = await importInto(trl, path.join(tmp('out'), 'run'));
    assert.match(broken.stderr, /^completions_00002\.parquet: cannot be read \(.*\); skipped after 1 try/m);
    assert.deepEqual(broken.store.steps(), [0]);
  });

  it('importing the same folder into the same run again goes on from the cursor: every chain once, metrics over the whole step', async () => {
    const source = tmp('verl-resume');
    const file = writeVerlStep(source, 1);
    const text = fs.readFileSync(file, 'utf8');
    const cut = text.indexOf('\n', text.length / 2) + 1;
    fs.writeFileSync(file, text.slice(0, cut));
    const runDir = path.join(tmp('out'), 'run');
    await importInto(source, runDir);
    const cursor = JSON.parse(fs.readFileSync(path.join(runDir, 'import-cursor.json'), 'utf8'));
    const firstLines = text.slice(0, cut).split('\n').length - 1;
    assert.deepEqual(cursor.files, { '1.jsonl': { bytes: cut, lines: firstLines } });

    fs.writeFileSync(file, text);
    writeVerlStep(source, 2);
    const again = await importInto(source, runDir);
    assert.match(again.stderr, /^going on from the import cursor in .* \(1 step file read before\)$/m);
    assert.match(again.stdout, new RegExp(`^imported ${16 - firstLines} chains from 2 step files`));
    const texts = [1, 2].flatMap((step) => again.store.groups(step).flatMap((g) => g.samples.map((s) => `${step}:${s.text}`)));
    assert.equal(texts.length, 16);
    assert.equal(new Set(texts).size, 16, 'no chain twice');
    const metrics = jsonl(path.join(runDir, 'metrics.jsonl'));
    assert.equal(metrics.filter((m) => m.step === 1).at(-1).values.chains, 8, "step 1's metrics cover the rows of both imports");
    assert.equal(jsonl(path.join(runDir, 'events.ndjson')).filter((e) => e.type === 'done').length, 2);

    const other = tmp('other');
    writeVerlStep(other, 1);
    const refused = await runCli(['import', other, '--out', runDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds an import of .*verl-resume.*, not of .*other/);
  });

  it('usage errors name the flag', async () => {
    const file = path.join(tmp('file'), 'x.jsonl');
    fs.writeFileSync(file, '{}\n');
    for (const [argv, message] of [
      [['import', file], /--out RUN_DIR is required/],
      [['import', '--out', 'x'], /give the SOURCE/],
      [['import', file, '--out', 'x', '--follow'], /--follow takes a verl or TRL folder/],
      [['import', file, '--out', 'x', '--preset', 'nope'], /--preset: unknown preset "nope"/],
    ] as const) {
      const result = await runCli([...argv]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    }
  });
});
