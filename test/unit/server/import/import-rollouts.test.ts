import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { groupAdvantages } from '../../../../src/core/grpo';
import { scoreChain } from '../../../../src/core/reward';
import { writeImportedRun } from '../../../../src/server/import/imported-run';
import { readRunDirectory } from '../../../../src/extension/runs/run-directory-reader';
import { convertRolloutLines, ImportError, type ImportOptions } from '../../../../src/server/import/rollout-import';
import { chainRecord, fixtureRollouts, jsonl, promptGroups, promptOf, scoredRecord, verlRecord } from '../../../support/import-fixtures';
import { problemOf, readRolloutStore, referenceOf } from '../../../support/rollout-fixtures';

const options = (extra: Partial<ImportOptions> = {}): ImportOptions => ({ file: '/data/chains.jsonl', preset: 'stepgrpo', ...extra });

describe('import rollouts: chain records', () => {
  it('groups records by prompt, scores them and gives each group GRPO advantages', () => {
    const records = promptGroups([1, 2, 3]);
    const result = convertRolloutLines(jsonl(records), options());
    assert.equal(result.events.length, 1);
    const [event] = result.events;
    assert.equal(event!.step, 0);
    assert.equal(event!.groups.length, 3);
    assert.equal(result.records, 12);
    assert.equal(result.chains, 12);
    assert.deepEqual(result.skipped, []);
    for (const [g, i] of event!.groups.map((group, n) => [group, [1, 2, 3][n]!] as const)) {
      assert.equal(g.prompt, promptOf(i));
      assert.equal(g.reference.answer, referenceOf(problemOf(i)).answer);
      const expected = g.samples.map((s) => scoreChain(s.text, { answer: g.reference.answer, keySteps: referenceOf(problemOf(i)).keySteps }, 'stepgrpo'));
      assert.deepEqual(
        g.samples.map((s) => s.rewards),
        expected,
      );
      assert.deepEqual(
        g.samples.map((s) => s.advantage),
        groupAdvantages(
          expected.map((r) => r.total),
          4,
        ),
      );
    }
    // The fixture kinds differ in reward, so the advantages carry signal.
    assert.ok(event!.groups[0]!.samples.some((s) => s.advantage > 0) && event!.groups[0]!.samples.some((s) => s.advantage < 0));
  });

  it('groups interleaved records by prompt, in order of first appearance; group size is the group’s own', () => {
    const records = [chainRecord(1, 'correct'), chainRecord(2, 'correct'), chainRecord(1, 'wrong-answer'), chainRecord(2, 'step-gap'), chainRecord(1, 'step-gap')];
    const [event] = convertRolloutLines(jsonl(records), options()).events;
    assert.deepEqual(
      event!.groups.map((g) => [g.prompt, g.samples.length]),
      [
        [promptOf(1), 3],
        [promptOf(2), 2],
      ],
    );
    const totals = event!.groups[0]!.samples.map((s) => s.rewards.total);
    assert.deepEqual(
      event!.groups[0]!.samples.map((s) => s.advantage),
      groupAdvantages(totals, 3),
    );
  });

  it('keeps stored rewards (stepgrpo score output) instead of re-scoring, under another preset too', () => {
    const records = [scoredRecord(1, 'correct'), scoredRecord(1, 'wrong-answer')];
    const [event] = convertRolloutLines(jsonl(records), options({ preset: 'grpo-outcome' })).events;
    assert.deepEqual(
      event!.groups[0]!.samples.map((s) => s.rewards),
      records.map((r) => r.rewards),
    );
  });

  it('scores with the preset it is given', () => {
    const [event] = convertRolloutLines(jsonl([chainRecord(1, 'correct'), chainRecord(1, 'missing-rationale')]), options({ preset: 'grpo-outcome' })).events;
    assert.deepEqual(
      event!.groups[0]!.samples.map((s) => s.rewards.total),
      [1, 1],
      'outcome-only: both answers are right',
    );
    assert.deepEqual(
      event!.groups[0]!.samples.map((s) => s.advantage),
      [0, 0],
    );
  });

  it('a prompt seen once is a singleton group with advantage 0', () => {
    const [event] = convertRolloutLines(jsonl([chainRecord(7, 'correct')]), options()).events;
    assert.equal(event!.groups[0]!.samples[0]!.advantage, 0);
  });

  it('records without a prompt: one group per record by default, per N consecutive records with groupSize', () => {
    const records = [1, 1, 1, 2, 2].map((i, n) => verlRecord(i, n % 2 ? 'wrong-answer' : 'correct'));
    const single = convertRolloutLines(jsonl(records), options()).events[0]!;
    assert.equal(single.groups.length, 5);
    assert.ok(single.groups.every((g) => g.samples.length === 1 && g.samples[0]!.advantage === 0));
    assert.equal(single.groups[0]!.reference.answer, referenceOf(problemOf(1)).answer, 'verl gts.answer');
    assert.equal(single.groups[0]!.samples[0]!.rewards.key_step_ratio, 1, 'verl gts.key_steps');

    const byThree = convertRolloutLines(jsonl(records), options({ groupSize: 3 })).events[0]!;
    assert.deepEqual(
      byThree.groups.map((g) => g.samples.length),
      [3, 2],
    );
    assert.deepEqual(
      byThree.groups.map((g) => g.promptId),
      ['import-0-0', 'import-0-1'],
    );
    const totals = byThree.groups[0]!.samples.map((s) => s.rewards.total);
    assert.deepEqual(
      byThree.groups[0]!.samples.map((s) => s.advantage),
      groupAdvantages(totals, 3),
    );
  });

  it('question, promptId and uid name groups; verl gts may be a plain answer string', () => {
    const records = [
      { question: 'Q?', output: '### The final answer is: 3', gts: '3' },
      { question: 'Q?', output: '### The final answer is: 4', gts: '3' },
      { uid: 'u-1', response: 'x', answer: '1' },
      { promptId: 'p-9', prompt: 'Shown prompt', completion: 'y' },
    ];
    const [event] = convertRolloutLines(jsonl(records), options()).events;
    assert.deepEqual(
      event!.groups.map((g) => [g.promptId, g.prompt, g.samples.length]),
      [
        ['Q?', 'Q?', 2],
        ['u-1', 'u-1', 1],
        ['p-9', 'Shown prompt', 1],
      ],
    );
    assert.deepEqual(
      event!.groups[0]!.samples.map((s) => s.rewards.answer_correct),
      [true, false],
    );
  });

  it('a step field makes one rollouts event per step, ascending', () => {
    const records = [chainRecord(1, 'correct', { step: 5 }), chainRecord(1, 'wrong-answer', { step: 2 }), chainRecord(1, 'step-gap', { step: 5 })];
    const result = convertRolloutLines(jsonl(records), options());
    assert.deepEqual(
      result.events.map((e) => [e.step, e.groups[0]!.samples.length]),
      [
        [2, 1],
        [5, 2],
      ],
    );
  });

  it('relative image paths are resolved against the imported file; data URIs are kept', () => {
    const records = [chainRecord(1, 'correct', { image: 'img/1.png' }), chainRecord(2, 'correct', { images: ['data:image/png;base64,AA=='] })];
    const [event] = convertRolloutLines(jsonl(records), options()).events;
    assert.deepEqual(
      event!.groups.map((g) => g.image),
      [{ path: path.resolve('/data/img/1.png') }, { dataUri: 'data:image/png;base64,AA==' }],
    );
  });
});

describe('import rollouts: trainer events', () => {
  it('passes rollouts events through and ignores other event types', () => {
    const lines = [
      { v: 1, type: 'hello', pid: 1, version: 'x', device: { ep: 'cpu', threads: 1 }, config: {} },
      fixtureRollouts(3, 2),
      fixtureRollouts(1, 1),
      { v: 1, type: 'metrics', step: 3, phase: 'rl', values: { reward: 1 } },
    ];
    const result = convertRolloutLines(jsonl(lines as Record<string, unknown>[]), options());
    assert.deepEqual(result.events, [fixtureRollouts(1, 1), fixtureRollouts(3, 2)]);
    assert.equal(result.records, 2);
    assert.deepEqual(result.skipped, []);
  });

  it('events and chain records of the same step end up in one event', () => {
    const result = convertRolloutLines(jsonl([fixtureRollouts(0, 1) as unknown as Record<string, unknown>, chainRecord(1, 'correct')]), options());
    assert.equal(result.events.length, 1);
    assert.equal(result.events[0]!.groups.length, 2);
  });
});

describe('import rollouts: bad lines', () => {
  it('reports each bad line with its number and field, and imports the rest', () => {
    const broken = fixtureRollouts(0, 1) as unknown as { groups: { samples: { advantage: unknown }[] }[] };
    broken.groups[0]!.samples[1]!.advantage = 'high';
    const lines = [
      chainRecord(1, 'correct'),
      '{"completion": "torn',
      chainRecord(1, 'wrong-answer', { key_steps: 42 }),
      '',
      { prompt: 'no chain here' },
      chainRecord(1, 'step-gap', { completion: 17 }),
      '[1, 2]',
      chainRecord(1, 'correct', { rewards: { total: 'one' } }),
      chainRecord(1, 'correct', { step: -1 }),
      chainRecord(1, 'correct', { prompt: ['a', 'list'] }),
      JSON.stringify(broken),
      { v: 2, type: 'rollouts', step: 0, groups: [] },
      chainRecord(1, 'missing-rationale'),
    ];
    const result = convertRolloutLines(jsonl(lines), options());
    assert.deepEqual(
      result.skipped.map((s) => [s.line, s.field]),
      [
        [2, '(line)'],
        [3, 'key_steps'],
        [5, 'completion'],
        [6, 'completion'],
        [7, '(line)'],
        [8, 'rewards.total'],
        [9, 'step'],
        [10, 'prompt'],
        [11, 'groups[0].samples[1].advantage'],
        [12, 'v'],
      ],
    );
    assert.match(result.skipped[0]!.message, /not valid JSON/);
    assert.equal(result.records, 2);
    assert.deepEqual(
      result.events[0]!.groups.map((g) => g.samples.length),
      [2],
    );
  });

  it('nothing to import is an error naming the file and the first problem', () => {
    assert.throws(
      () => convertRolloutLines('', options()),
      (e: unknown) => e instanceof ImportError && /\/data\/chains\.jsonl: the file is empty/.test(e.message),
    );
    assert.throws(
      () => convertRolloutLines('not json\n{"x": 1}\n', options()),
      (e: unknown) => e instanceof ImportError && /chains\.jsonl: 2 of 2 lines skipped; first: line 1: not valid JSON/.test(e.message),
    );
    const onlyMetrics = jsonl([{ v: 1, type: 'metrics', step: 1, phase: 'rl', values: {} }]);
    assert.throws(() => convertRolloutLines(onlyMetrics, options()), /no line holds a rollouts event or a chain record/);
  });

  it('refuses a groupSize that is not a positive integer', () => {
    assert.throws(() => convertRolloutLines(jsonl([chainRecord(1, 'correct')]), options({ groupSize: 0 })), /groupSize must be a positive integer/);
  });
});

describe('import rollouts: the run folder', () => {
  it('is read back as a completed run by the Runs view and its rollouts by the viewer store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-run-'));
    const result = convertRolloutLines(jsonl([...promptGroups([1, 2]), '{bad']), options());
    writeImportedRun(dir, '/data/chains.jsonl', result);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')), { imported: { from: '/data/chains.jsonl', records: 8, skipped: 1 } });
    const run = await readRunDirectory(dir, { isAlive: () => false });
    assert.equal(run?.status, 'completed');
    assert.equal(run?.error, undefined);
    const { store, problems } = await readRolloutStore(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(store.steps(), [0]);
    assert.deepEqual(store.groups(0), result.events[0]!.groups);
  });
});
