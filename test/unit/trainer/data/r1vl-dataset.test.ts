import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatasetError, R1vlDataset, formatIssue, type R1vlLoadOptions } from '../../../../src/trainer/data/r1vl-dataset';
import { arrayElementOffsets } from '../../../../src/trainer/data/json-records';
import { corpusDocuments, writeCorpus } from '../../../../src/trainer/data/corpus';
import { createTaskSource } from '../../../../src/trainer/data/task-source';
import { SyntheticTask } from '../../../../src/trainer/data/synthetic-task';
import { writeSolidImage } from '../../../support/image-files';

const root = mkdtempSync(path.join(tmpdir(), 'r1vl-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** Offset of the centre pixel's red value in an 8×8 planar tensor: the letterbox leaves the centre on the image. */
const CENTRE = 4 * 8 + 4;

function record(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    image_path: `images/${i}.png`,
    problem: `What is ${i} + ${i}?`,
    solution: `### Image Description:\nA picture.\n### Rationales:\nAdd.\n### Step 1:\n${i} + ${i} = ${2 * i}\n### The final answer is: ${2 * i}`,
    key_steps: { Steps: [`${i} + ${i} = ${2 * i}`] },
    ...extra,
  };
}

/** Writes a dataset folder: one PNG per index (colour from the index), records as JSONL lines (or raw strings). */
async function dataset(records: (Record<string, unknown> | string)[], opts: { json?: boolean; images?: number } = {}): Promise<string> {
  const dir = path.join(root, `d${dirs++}`);
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  for (let i = 0; i < (opts.images ?? records.length); i++) await writeSolidImage(path.join(dir, 'images', `${i}.png`), 'png', 20 + i, 10, [i * 10, 100, 200]);
  const lines = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  const file = path.join(dir, opts.json ? 'data.json' : 'data.jsonl');
  writeFileSync(file, opts.json ? `[\n${records.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]\n` : `${lines.join('\n')}\n`);
  return file;
}

const load = (file: string, o: Partial<R1vlLoadOptions> = {}) => R1vlDataset.load(file, { imageSize: 8, evalFraction: 0, ...o });
const allExamples = (d: R1vlDataset) => Array.from({ length: d.trainSize }, (_, i) => d.trainAt(i));

describe('R1-VL dataset loader', async () => {
  it('loads records into Examples: image resized, answer from the final-answer section, key steps from Steps', async () => {
    const d = await load(await dataset([0, 1, 2].map((i) => record(i))));
    assert.deepEqual(d.issues, []);
    assert.equal(d.trainSize, 3);
    const e = allExamples(d).find((x) => x.prompt === 'What is 2 + 2?')!;
    assert.equal(e.answer, '4');
    assert.deepEqual(e.keySteps, ['2 + 2 = 4']);
    assert.equal(e.image!.length, 3 * 8 * 8);
    assert.ok(Math.abs(e.image![CENTRE]! - 20 / 255) < 1.5 / 255 && Math.abs(e.image![64 + CENTRE]! - 100 / 255) < 1.5 / 255, 'the centre keeps the colour');
    assert.deepEqual([e.image![0], e.image![64], e.image![128]], [1, 1, 1], 'a 22×10 image is letterboxed on white');
    assert.match(e.promptId, /^r1vl-[0-9a-f]{16}$/);
    assert.equal(e.meta!.line, 3);
  });

  it('reports bad records with file, line and field, and keeps the good ones', async () => {
    const file = await dataset([
      record(0),
      '{"image_path": "images/1.png", "problem": "x"', // broken JSON
      record(2, { problem: 42 }),
      record(3, { solution: undefined }),
      record(4, { key_steps: { Steps: 'not a list' } }),
      record(5, { key_steps: { Steps: ['ok', ['fine', 7]] } }),
      record(6, { image_path: 'images/missing.png' }),
      record(7, { image_path: undefined, images: ['images/7.png', 'images/0.png'] }),
      '[1, 2]',
      record(9),
    ]);
    writeFileSync(path.join(path.dirname(file), 'images', '9.png'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array(64).fill(1)]));
    const d = await load(file);
    const messages = d.issues.map(formatIssue);
    const at = (line: number) => {
      const found = messages.filter((m) => m.startsWith(`${file}:${line}:`));
      assert.equal(found.length, 1, `line ${line}: ${JSON.stringify(messages)}`);
      return found;
    };
    assert.match(at(2)[0]!, /invalid JSON/);
    assert.match(at(3)[0]!, /field "problem": expected a non-empty string, got number 42/);
    assert.match(at(4)[0]!, /field "solution": missing/);
    assert.match(at(5)[0]!, /field "key_steps\.Steps": must be a list, got string/);
    assert.match(at(6)[0]!, /field "key_steps\.Steps\[1\]\[1\]": alternative must be a string, got number 7/);
    assert.match(at(7)[0]!, /field "image": image not found: .*missing\.png/);
    assert.match(at(8)[0]!, /field "images": has 2 images/);
    assert.match(at(9)[0]!, /field "\(record\)": expected a JSON object, got a list/);
    assert.match(at(10)[0]!, /field "image": .*images\/9\.png: cannot decode image \(/);
    assert.equal(d.errorCount, 9);
    assert.deepEqual(
      allExamples(d).map((e) => e.meta!.line),
      [1],
    );
  });

  it("stops at the first bad record with onError: 'throw'", async () => {
    const file = await dataset([record(0), record(1, { solution: 3 }), record(2, { problem: '' })]);
    await assert.rejects(load(file, { onError: 'throw' }), (e: unknown) => e instanceof DatasetError && e.issue.line === 2 && /field "solution"/.test(e.message));
  });

  it('gives JSON-array records the line where each element starts', async () => {
    const file = await dataset([record(0), record(1, { problem: null }), record(2, { solution: 'The answer: {"x": ["]"]}' })], { json: true });
    const d = await load(file);
    const text = readFileSync(file, 'utf8');
    const secondStart = text.split('\n').findIndex((l, k) => k > 1 && l.startsWith('{')) + 1;
    assert.equal(d.issues.length, 1);
    assert.equal(d.issues[0]!.line, secondStart);
    assert.deepEqual(
      allExamples(d)
        .map((e) => e.meta!.line)
        .sort((a, b) => Number(a) - Number(b)),
      [2, text.split('\n').lastIndexOf('{') + 1].sort((a, b) => a - b),
    );
  });

  it('finds top-level array elements past strings holding brackets and escapes', async () => {
    const text = '[ "a\\"],[", {"b": [1, {"c": "]"}]}, 3 ,null]';
    assert.deepEqual(
      arrayElementOffsets(text).map((o) => text[o]),
      ['"', '{', '3', 'n'],
    );
    assert.deepEqual(JSON.parse(text).length, 4);
  });

  it('accepts the usual field variants', async () => {
    const steps = [['a', 'b'], 'c'];
    const d = await load(
      await dataset([
        { image: 'images/0.png', question: 'Q0?', solution: 'B', key_steps: JSON.stringify({ Steps: steps }) },
        { images: ['images/1.png'], prompt: 'Q1?', solution: 'long chain', answer: 12, key_steps: steps },
        { problem: 'Q2 (text only)?', solution: '### Step 1:\nx\n### The final answer is:\n  7 \n' },
      ]),
    );
    assert.deepEqual(d.issues, []);
    const byPrompt = Object.fromEntries(allExamples(d).map((e) => [e.prompt, e]));
    assert.equal(byPrompt['Q0?']!.answer, 'B');
    assert.deepEqual(byPrompt['Q0?']!.keySteps, steps);
    assert.equal(byPrompt['Q1?']!.answer, '12');
    assert.deepEqual(byPrompt['Q1?']!.keySteps, steps);
    assert.equal(byPrompt['Q2 (text only)?']!.answer, '7');
    assert.equal(byPrompt['Q2 (text only)?']!.image, null);
    assert.deepEqual(byPrompt['Q2 (text only)?']!.keySteps, []);
  });

  it('warns about duplicates and keeps the first', async () => {
    const d = await load(await dataset([record(0), record(1), record(0)]));
    assert.equal(d.trainSize, 2);
    assert.equal(d.errorCount, 0);
    assert.match(formatIssue(d.issues[0]!), /:3: duplicate of the record at line 1/);
  });

  it('loads JPEG, WebP, GIF and interlaced PNG next to PNG; a corrupt file is reported with its path and line', async () => {
    const file = await dataset(
      [0, 1, 2, 3, 4, 5].map((i) => record(i, { image_path: `images/${i}.${['png', 'jpg', 'webp', 'png', 'gif', 'png'][i]}` })),
      { images: 0 },
    );
    const images = path.join(path.dirname(file), 'images');
    const formats = ['png', 'jpeg', 'webp', 'interlaced-png', 'gif'] as const;
    for (const [i, format] of formats.entries()) await writeSolidImage(path.join(images, `${i}.${['png', 'jpg', 'webp', 'png', 'gif'][i]}`), format, 12, 12, [10 * i, 100, 200]);
    writeFileSync(path.join(images, '5.png'), Buffer.from('not an image'));
    const d = await load(file);
    assert.equal(d.trainSize, 5);
    assert.deepEqual(
      d.issues.map((i) => [i.line, i.reason]),
      [[6, 'image not decodable']],
    );
    const summary = d.summary();
    assert.match(summary[0]!, /: 5 of 6 records loaded \(train 5, held-out 0\); 1 skipped: image not decodable 1$/);
    assert.match(summary[1]!, new RegExp(`^  ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6: field "image": .*images/5\\.png: cannot decode image`));
  });

  it('an empty training split says which records were skipped and why', async () => {
    const file = await dataset([record(0, { image_path: 'images/gone.png' }), '{"torn": ', record(2, { solution: 7 })], { images: 0 });
    await assert.rejects(load(file), (e: Error) => {
      assert.match(
        e.message,
        /^empty training split: dataset .*data\.jsonl: 0 of 3 records loaded \(train 0, held-out 0\); 3 skipped: image not found 1, invalid JSON 1, bad field 1\n/,
      );
      assert.match(e.message, /:1: field "image": image not found: .*gone\.png/);
      return true;
    });
  });

  it('imageSize has a default; fit: cover crops the centre instead of letterboxing', async () => {
    const file = await dataset([record(0)]);
    assert.equal((await R1vlDataset.load(file, { evalFraction: 0 })).trainAt(0).image!.length, 3 * 48 * 48);
    const cover = await load(file, { fit: 'cover' });
    assert.ok(Math.abs(cover.trainAt(0).image![64]! - 100 / 255) < 1.5 / 255, 'no white bar at the top');
    assert.notEqual(cover.fingerprint, (await load(file)).fingerprint);
    await assert.rejects(load(file, { fit: 'stretch' as never }), /fit must be one of contain, cover, got "stretch"/);
  });
});

describe('R1-VL dataset splits', async () => {
  const many = Array.from({ length: 60 }, (_, i) => record(i));

  it('hash split: disjoint, deterministic, and independent of record order', async () => {
    const file = await dataset(many);
    const a = await load(file, { evalFraction: 0.3 });
    assert.ok(a.evalSize > 5 && a.trainSize > 20, `${a.trainSize}/${a.evalSize}`);
    const train = new Set(allExamples(a).map((e) => e.promptId));
    const held = [...a.eval()].map((e) => e.promptId);
    assert.equal(held.filter((id) => train.has(id)).length, 0);
    const reversed = await load(await dataset([...many].reverse()), { evalFraction: 0.3 });
    assert.deepEqual(new Set([...reversed.eval()].map((e) => e.promptId)), new Set(held));
  });

  it('records that share an image share a split', async () => {
    const sameImage = Array.from({ length: 40 }, (_, i) => record(i, { image_path: `images/${i % 5}.png` }));
    const d = await load(await dataset(sameImage, { images: 5 }), { evalFraction: 0.5 });
    const trainImages = new Set(allExamples(d).map((e) => e.image![CENTRE]));
    for (const e of d.eval()) assert.ok(!trainImages.has(e.image![CENTRE]));
  });

  it('a separate eval file wins, and training records that repeat its images are left out', async () => {
    const file = await dataset(many.slice(0, 10));
    const evalFile = path.join(path.dirname(file), 'eval.jsonl');
    writeFileSync(evalFile, [record(3), record(4, { problem: 'another question on image 4' })].map((r) => JSON.stringify(r)).join('\n'));
    const d = await load(file, { evalPath: evalFile });
    assert.equal(d.evalSize, 2);
    assert.equal(d.trainSize, 8);
    assert.equal(d.issues.filter((i) => /held-out record at .*eval\.jsonl:\d/.test(i.message)).length, 2);
  });

  it('the training stream resumes from a cursor, and the fingerprint follows the file content', async () => {
    const file = await dataset(many);
    const d = await load(file, { evalFraction: 0.2 });
    const s = d.train();
    s.take(13);
    const cursor = s.cursor();
    const expected = s.take(30).map((e) => e.promptId);
    assert.deepEqual(
      (await load(file, { evalFraction: 0.2 }))
        .train(cursor)
        .take(30)
        .map((e) => e.promptId),
      expected,
    );
    writeFileSync(file, `${readFileSync(file, 'utf8')}${JSON.stringify(record(99, { image_path: 'images/0.png' }))}\n`);
    const changed = await load(file, { evalFraction: 0.2 });
    assert.throws(() => changed.train(cursor), /data cursor belongs to/);
  });
});

describe('corpus export and createTaskSource', async () => {
  it('holds every training prompt and solution and nothing from the held-out split', async () => {
    const task = new SyntheticTask({ trainSize: 40, evalSize: 10 });
    const docs = [...corpusDocuments(task)];
    assert.equal(docs.length, 80);
    assert.ok(docs.includes(task.trainAt(5).solution) && docs.includes(task.trainAt(5).prompt));
    for (const e of task.eval()) assert.ok(!docs.includes(e.solution));
    const out = path.join(root, 'corpus.jsonl');
    assert.equal(writeCorpus(task, out), 80);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).text);
    assert.deepEqual(lines, docs);
  });

  it('builds either source from a data config', async () => {
    const syn = await createTaskSource({ kind: 'synthetic', trainSize: 5, evalSize: 1, seed: 4 });
    assert.equal(syn.trainSize, 5);
    const logged: string[] = [];
    const real = await createTaskSource({ kind: 'r1vl', path: await dataset([record(0)]), imageSize: 16, evalFraction: 0 }, (l) => logged.push(l));
    assert.match(logged[0]!, /1 of 1 records loaded/);
    assert.equal(real.trainAt(0).image!.length, 3 * 16 * 16);
    await assert.rejects(createTaskSource({ kind: 'nope' } as never), /unknown data kind "nope"/);
  });
});
