// The text reasoning dataset (data.kind "jsonl"): records checked line by line, bad ones logged with
// their line and skipped, R1-VL-10K key steps or extracted ones, content-hash splits, streams that
// resume, and createTaskSource wiring.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { extractKeySteps } from '../../../../src/core/key-step-extractor';
import { JsonlTextDataset, readJsonlTextRecord } from '../../../../src/trainer/data/jsonl-text';
import { createTaskSource } from '../../../../src/trainer/data/task-source';

const root = mkdtempSync(path.join(tmpdir(), 'jsonl-text-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

const SOLUTION = (i: number): string => `### Rationales:\nAdd them.\n### Step 1:\n${i} + ${i} = ${2 * i}\n### The final answer is: ${2 * i}`;

function record(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { question: `What is ${i} + ${i}?`, answer: String(2 * i), solution: SOLUTION(i), key_steps: [`${i} + ${i} = ${2 * i}`], ...extra };
}

/** Writes a JSONL file: objects as lines, strings as they are (bad lines, blank lines). */
function jsonl(lines: (Record<string, unknown> | string)[]): string {
  const file = path.join(root, `d${files++}.jsonl`);
  writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return file;
}

function load(file: string, options: Parameters<typeof JsonlTextDataset.load>[1] = {}): { d: JsonlTextDataset; log: string[] } {
  const log: string[] = [];
  const d = JsonlTextDataset.load(file, { evalFraction: 0, ...options }, (l) => log.push(l));
  return { d, log };
}

const all = (d: JsonlTextDataset) => Array.from({ length: d.trainSize }, (_, i) => d.trainAt(i));

describe('text JSONL dataset', () => {
  it('reads records into text-only Examples, key steps as written (strings or alternatives)', () => {
    const file = jsonl([record(1), record(2, { key_steps: { Steps: [['2 + 2 = 4', '2+2=4'], 'four'] }, id: 7 }), record(3, { answer: 6 })]);
    const { d, log } = load(file);
    assert.deepEqual(log, []);
    assert.equal(d.trainSize, 3);
    assert.equal(d.evalSize, 0);
    assert.equal(d.imageSize, 0);
    const e = all(d).find((x) => x.prompt === 'What is 2 + 2?')!;
    assert.equal(e.image, null);
    assert.equal(e.imageSize, 0);
    assert.equal(e.answer, '4');
    assert.equal(e.solution, SOLUTION(2));
    assert.deepEqual(e.keySteps, [['2 + 2 = 4', '2+2=4'], 'four']);
    assert.deepEqual(e.meta, { source: 'jsonl', file: path.basename(file), line: 2, id: '7' });
    assert.match(e.promptId, /^jsonl-[0-9a-f]{16}$/);
    assert.equal(all(d).find((x) => x.prompt === 'What is 3 + 3?')!.answer, '6', 'a numeric answer is read as text');
    assert.deepEqual(d.trainTextAt(0), { prompt: d.trainAt(0).prompt, solution: d.trainAt(0).solution });
  });

  it('fills missing key steps from the solution with the rules extractor, and leaves records without a solution with none', () => {
    const { d } = load(jsonl([record(4, { key_steps: undefined }), { question: 'Capital of France?', answer: 'Paris' }, record(5, { key_steps: [] })]));
    const [withSolution, bare, explicitEmpty] = ['What is 4 + 4?', 'Capital of France?', 'What is 5 + 5?'].map((q) => all(d).find((x) => x.prompt === q)!);
    assert.deepEqual(withSolution!.keySteps, extractKeySteps(SOLUTION(4)));
    assert.ok(withSolution!.keySteps.length > 0);
    assert.equal(withSolution!.meta!.keyStepsExtracted, true);
    assert.deepEqual(bare!.keySteps, []);
    assert.equal(bare!.solution, '');
    assert.equal(bare!.meta!.noSolution, true);
    assert.deepEqual(explicitEmpty!.keySteps, [], 'an explicit empty list stays empty');
  });

  it('logs each bad record with its line and skips it, never failing the load', () => {
    const file = jsonl([
      record(1),
      '{"question": "broken",',
      '',
      { answer: '2' },
      { question: '   ', answer: '2' },
      { question: 'Q?', answer: '' },
      { question: 'Q?', answer: ['2'] },
      { question: 7, answer: '2', solution: 3 },
      record(2, { key_steps: [1] }),
      '[1, 2]',
      record(1),
      record(3),
    ]);
    const { d, log } = load(file);
    assert.equal(d.trainSize, 2);
    const lines = (l: string) => Number(/\.jsonl:(\d+):/.exec(l)?.[1]);
    assert.deepEqual(log.map(lines), [2, 4, 5, 6, 7, 8, 8, 9, 10, 11], log.join('\n'));
    assert.match(log[0]!, /d\d+\.jsonl:2: invalid JSON: .* \(record skipped\)$/);
    assert.match(log[1]!, /:4: field "question": missing \(record skipped\)/);
    assert.match(log[2]!, /:5: field "question": expected a non-empty string/);
    assert.match(log[3]!, /:6: field "answer": expected a non-empty string or a number/);
    assert.match(log[5]!, /:8: field "question": expected a non-empty string, got number 7/);
    assert.match(log[6]!, /:8: field "solution": expected a string, got number 3/);
    assert.match(log[7]!, /:9: field "key_steps\[0\]": must be a string or a list of strings/);
    assert.match(log[8]!, /:10: field "\(record\)": expected a JSON object, got a list/);
    assert.match(log[9]!, /:11: duplicate of the record at line 1 \(same question\); skipped$/);
    assert.match(d.summary()[0]!, /2 of 11 records loaded \(train 2, held-out 0\); 9 skipped: invalid JSON 1, bad field 7, duplicate 1/);
  });

  it('is an error, naming the file, when no record is valid', () => {
    const bad = jsonl(['not json', { question: 'Q?' }]);
    assert.throws(
      () => load(bad),
      (e: Error) => e.message.includes(`dataset file ${bad} has no valid records (2 read, all skipped)`),
    );
    const empty = jsonl([]);
    assert.throws(() => load(empty), /has no valid records \(it is empty\)/);
    assert.throws(() => load(path.join(root, 'missing.jsonl')), /cannot read dataset file .*missing\.jsonl/);
    assert.throws(() => load(jsonl([record(1)]), { evalFraction: 1 }), /evalFraction must be in \[0, 1\)/);
  });

  it('holds out by a hash of the question, stable across order, and streams resume from a cursor', () => {
    const records = Array.from({ length: 60 }, (_, i) => record(i));
    const a = load(jsonl(records), { evalFraction: 0.25 }).d;
    const b = load(jsonl([...records].reverse()), { evalFraction: 0.25 }).d;
    assert.ok(a.evalSize > 0 && a.trainSize > 0);
    assert.equal(a.trainSize + a.evalSize, 60);
    const heldOut = (d: JsonlTextDataset) => [...d.eval()].map((e) => e.prompt).sort();
    assert.deepEqual(heldOut(a), heldOut(b));
    assert.match(a.fingerprint, /^jsonl\/v1\/d\d+\.jsonl@[0-9a-f]{12}\/evalFraction=0\.25$/);
    assert.notEqual(a.fingerprint, b.fingerprint, 'another file is other data');

    const stream = a.train();
    stream.take(a.trainSize + 3);
    const saved = JSON.parse(JSON.stringify(stream.cursor()));
    const expected = stream.take(10).map((e) => e.promptId);
    assert.deepEqual(
      a
        .train(saved)
        .take(10)
        .map((e) => e.promptId),
      expected,
    );
    assert.throws(() => b.train(saved), /data cursor belongs to/);
  });

  it('takes a separate held-out file, leaving its questions out of training', () => {
    const train = jsonl([record(1), record(2), record(3)]);
    const held = jsonl([record(2), '{oops', record(9)]);
    const { d, log } = load(train, { evalPath: held });
    assert.equal(d.trainSize, 2);
    assert.equal(d.evalSize, 2);
    assert.ok(log.some((l) => /d\d+\.jsonl:2: invalid JSON/.test(l) && l.includes(path.basename(held))));
    assert.ok(log.some((l) => /:2: same question as the held-out record at .*:1; left out of training/.test(l)));
    assert.match(d.fingerprint, /\/evalFile=[0-9a-f]{12}$/);
  });

  it('is data kind "jsonl" for createTaskSource, whose log gets the problems and the summary', async () => {
    const log: string[] = [];
    const source = await createTaskSource({ kind: 'jsonl', path: jsonl([record(1), 'nope', record(2)]), evalFraction: 0 }, (l) => log.push(l));
    assert.equal(source.trainSize, 2);
    assert.equal(source.imageSize, 0);
    assert.equal(log.length, 2);
    assert.match(log[0]!, /:2: invalid JSON/);
    assert.match(log[1]!, /2 of 3 records loaded/);
  });

  it('checks one record on its own', () => {
    assert.deepEqual(readJsonlTextRecord({ question: 'Q', answer: ' 4 ', key_steps: '{"Steps": ["a"]}' }).record, {
      question: 'Q',
      answer: '4',
      solution: '',
      keySteps: ['a'],
      keyStepsExtracted: false,
    });
    assert.deepEqual(
      readJsonlTextRecord(null).errors.map((e) => e.path),
      ['(record)'],
    );
  });
});
