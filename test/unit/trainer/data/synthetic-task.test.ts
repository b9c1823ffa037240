import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SyntheticTask, type SyntheticTaskOptions } from '../../../../src/trainer/data/synthetic-task';
import { sceneKey } from '../../../../src/trainer/data/scene';
import { finalAnswerOf } from '../../../../src/trainer/data/solution-format';
import { TEMPLATE_IDS } from '../../../../src/trainer/data/templates';
import { expectedAnswer, r1vlStepText, readShapes, solveQuestion } from './fixtures';

// Full-chain demonstrations, so every example here is a reference chain; the default teacher's
// direct answers have their own tests at the end.
const task = (o: Partial<SyntheticTaskOptions> = {}) => new SyntheticTask({ trainSize: 300, evalSize: 60, directAnswers: 0, ...o });
const small = task();
const examples = [...Array.from({ length: small.trainSize }, (_, i) => small.trainAt(i)), ...small.eval()];

describe('synthetic task: determinism', () => {
  it('the same seed and options give identical examples, images included', () => {
    const again = task();
    for (const i of [0, 7, 150, 299]) {
      const [a, b] = [small.trainAt(i), again.trainAt(i)];
      assert.deepEqual({ ...a, image: null }, { ...b, image: null });
      assert.deepEqual(Buffer.from(a.image!.buffer), Buffer.from(b.image!.buffer));
    }
    assert.equal(again.fingerprint, small.fingerprint);
  });

  it('another seed gives other examples and another fingerprint', () => {
    const other = task({ seed: 1 });
    const ids = new Set(examples.map((e) => e.promptId));
    const shared = Array.from({ length: other.trainSize }, (_, i) => other.trainAt(i).promptId).filter((id) => ids.has(id));
    assert.ok(shared.length < 15, `${shared.length} of 300 prompts shared between seeds`);
    assert.notEqual(other.fingerprint, small.fingerprint);
  });

  it('reaches every template and both question kinds', () => {
    const templates = new Set(examples.map((e) => e.meta!.template));
    assert.deepEqual([...templates].sort(), [...TEMPLATE_IDS].sort());
    const mc = examples.filter((e) => e.meta!.multipleChoice).length / examples.length;
    assert.ok(mc > 0.1 && mc < 0.3, `multiple-choice share ${mc}`);
  });

  it('rejects bad options naming the field', () => {
    assert.throws(() => task({ grid: 1 }), /option "grid"/);
    assert.throws(() => task({ imageSize: 20, grid: 4 }), /option "imageSize"/);
    assert.throws(() => task({ colors: ['red', 'purple' as never] }), /option "colors"/);
    assert.throws(() => task({ shapes: ['circle'], colors: ['red'] }), /two shapes or two colours/);
    assert.throws(() => task({ jitter: 5 }), /option "jitter"/);
    assert.throws(() => task({ evalFraction: 0 }), /option "evalFraction"/);
    assert.throws(() => task({ points: [3, 2] }), /option "points"/);
    assert.throws(() => task({ gird: 4 } as never), /unknown option "gird"/);
  });

  it('says so when the knobs allow fewer distinct examples than asked for', () => {
    const tiny = { grid: 2, imageSize: 16, minShapes: 1, maxShapes: 1, jitter: 0, multipleChoice: 0, templates: ['remove' as const] };
    assert.throws(() => task({ ...tiny, shapes: ['circle', 'square'], colors: ['red'], trainSize: 100, evalSize: 0 }), /only \d+\/100 distinct/);
  });
});

describe('synthetic task: splits', () => {
  it('train and held-out examples never share a scene, let alone a prompt', () => {
    const trainScenes = new Set(Array.from({ length: small.trainSize }, (_, i) => sceneKey(small.sceneAt('train', i))));
    const evalScenes = Array.from({ length: small.evalSize }, (_, i) => sceneKey(small.sceneAt('eval', i)));
    assert.equal(evalScenes.filter((k) => trainScenes.has(k)).length, 0);
    const trainIds = new Set(Array.from({ length: small.trainSize }, (_, i) => small.trainAt(i).promptId));
    assert.equal([...small.eval()].filter((e) => trainIds.has(e.promptId)).length, 0);
  });

  it('a scene belongs to the same split whatever the seed: no leak across seeds either', () => {
    const evalScenes = new Set(Array.from({ length: small.evalSize }, (_, i) => sceneKey(small.sceneAt('eval', i))));
    // A small grid makes scenes recur across seeds, so the check has something to catch.
    const o = { grid: 2, imageSize: 32, minShapes: 1, maxShapes: 3, shapes: ['circle', 'square'] as const, colors: ['red', 'blue'] as const, trainSize: 40, evalSize: 8 };
    const [a, b] = [task({ ...o, shapes: [...o.shapes], colors: [...o.colors], seed: 11 }), task({ ...o, shapes: [...o.shapes], colors: [...o.colors], seed: 12 })];
    const aEval = new Set(Array.from({ length: a.evalSize }, (_, i) => sceneKey(a.sceneAt('eval', i))));
    const bTrain = Array.from({ length: b.trainSize }, (_, i) => sceneKey(b.sceneAt('train', i)));
    const aTrain = new Set(Array.from({ length: a.trainSize }, (_, i) => sceneKey(a.sceneAt('train', i))));
    assert.ok(
      bTrain.some((k) => aTrain.has(k)),
      'the fixture should make scenes recur across seeds',
    );
    assert.equal(bTrain.filter((k) => aEval.has(k)).length, 0);
    assert.ok(evalScenes.size > 0);
  });

  it('promptIds are unique within each split and look stable', () => {
    const ids = examples.map((e) => e.promptId);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^syn-[0-9a-f]{16}$/);
  });
});

describe('synthetic task: answers agree with the rendered image', () => {
  it('the shapes read back from the pixels are the scene, and the answer follows from them', () => {
    for (let i = 0; i < small.trainSize; i++) {
      const e = small.trainAt(i);
      const scene = small.sceneAt('train', i);
      const seen = readShapes(e.image!, e.imageSize, scene.grid);
      assert.deepEqual(
        seen,
        scene.items.map(({ row, col, color, shape }) => ({ row, col, color, shape })),
        `example ${i}`,
      );
      assert.equal(e.answer, expectedAnswer(e.prompt, solveQuestion(e.prompt, seen)), `${e.prompt}\n${e.solution}`);
    }
  });

  it('the image description lists exactly what is drawn', () => {
    for (const e of examples.slice(0, 100)) {
      const description = e.solution.split('\n')[1]!;
      const counted = [...description.matchAll(/(\d+) (\w+) (circle|square|triangle)s?/g)].reduce((n, m) => n + Number(m[1]), 0);
      const seen = readShapes(e.image!, e.imageSize, small.options.grid);
      assert.equal(counted, seen.length, description);
      for (const m of description.matchAll(/(\d+) (\w+) (circle|square|triangle)s?/g)) {
        assert.equal(seen.filter((s) => s.color === m[2] && s.shape === m[3]).length, Number(m[1]), description);
      }
    }
  });

  it('every equation in every step is arithmetically right', () => {
    let checked = 0;
    for (const e of examples) {
      for (const m of r1vlStepText(e.solution).matchAll(/(\d+) ([-+*]) (\d+) = (\d+)/g)) {
        const [a, b, c] = [Number(m[1]), Number(m[3]), Number(m[4])];
        assert.equal(m[2] === '+' ? a + b : m[2] === '-' ? a - b : a * b, c, m[0]);
        checked++;
      }
    }
    assert.ok(checked > examples.length, `${checked} equations`);
  });
});

describe('synthetic task: reference chains', () => {
  it('have the R1-VL sections in order, steps numbered 1..n, and the answer last', () => {
    for (const e of examples) {
      const s = e.solution;
      const at = ['### Image Description:', '### Rationales:', "### Let's think step by step.", '### Step 1:', '### The final answer is:'].map((h) => s.indexOf(h));
      assert.ok(
        at.every((p, k) => p >= 0 && (k === 0 || p > at[k - 1]!)),
        s,
      );
      const steps = [...s.matchAll(/### Step (\d+):/g)].map((m) => Number(m[1]));
      assert.deepEqual(
        steps,
        steps.map((_, k) => k + 1),
      );
      assert.ok(s.trimEnd().endsWith(`### The final answer is: ${e.answer}`));
      assert.equal(finalAnswerOf(s), e.answer);
      for (const m of s.matchAll(/^(### (?!Let's think)[^\n]*?:)([^]*?)(?=\n###|(?![^]))/gm)) assert.notEqual(m[2]!.trim(), '', `empty ${m[1]} in\n${s}`);
    }
  });

  it('contain every key step in their step bodies (R1-VL matching)', () => {
    for (const e of examples) {
      const text = r1vlStepText(e.solution);
      assert.ok(e.keySteps.length >= 2);
      for (const group of e.keySteps) {
        const alts = typeof group === 'string' ? [group] : group;
        assert.ok(
          alts.some((a) => text.includes(a.toLowerCase())),
          `key step ${JSON.stringify(group)} missing from\n${e.solution}`,
        );
      }
    }
  });

  it('fail the key-step check when a step is dropped (the check can fail)', () => {
    const e = examples.find((x) => x.meta!.template === 'points')!;
    const cut = e.solution.replace(/### Step 3:\n[^\n]*\n/, '');
    const text = r1vlStepText(cut);
    const matched = e.keySteps.filter((g) => (typeof g === 'string' ? [g] : g).some((a) => text.includes(a.toLowerCase()))).length;
    assert.ok(matched < e.keySteps.length);
  });
});

describe('synthetic task: a teacher that sometimes answers directly (directAnswers)', () => {
  const mixed = task({ directAnswers: 0.5 });
  const clean = task({ directAnswers: 0 });
  const isDirect = (solution: string) => !solution.includes('### Rationales:');

  it('writes about that share of training demonstrations as description + answer, nothing else', () => {
    const demos = Array.from({ length: mixed.trainSize }, (_, i) => mixed.trainAt(i));
    const direct = demos.filter((e) => isDirect(e.solution));
    assert.ok(direct.length > 0.4 * demos.length && direct.length < 0.6 * demos.length, `${direct.length} of ${demos.length} direct`);
    for (const e of direct) {
      assert.match(e.solution, /^### Image Description:\nThe image shows [^\n]+\.\n### The final answer is: \S+$/);
      assert.equal(finalAnswerOf(e.solution), e.answer);
    }
    assert.equal(demos.filter((e, i) => isDirect(mixed.trainTextAt(i).solution) !== isDirect(e.solution)).length, 0);
  });

  it('changes only the demonstrations: same prompts, images, answers, key steps and held-out references', () => {
    for (let i = 0; i < mixed.trainSize; i++) {
      const [m, c] = [mixed.trainAt(i), clean.trainAt(i)];
      assert.deepEqual({ ...m, solution: '' }, { ...c, solution: '' });
      if (!isDirect(m.solution)) assert.equal(m.solution, c.solution);
    }
    assert.deepEqual([...mixed.eval()], [...clean.eval()]);
    assert.equal([...mixed.eval()].filter((e) => isDirect(e.solution)).length, 0);
    assert.notEqual(mixed.fingerprint, clean.fingerprint);
  });

  it('0 and 1 mean never and always; outside [0, 1] is refused naming the option', () => {
    assert.equal(Array.from({ length: 50 }, (_, i) => clean.trainAt(i)).filter((e) => isDirect(e.solution)).length, 0);
    const always = task({ directAnswers: 1 });
    assert.equal(Array.from({ length: 50 }, (_, i) => always.trainAt(i)).filter((e) => !isDirect(e.solution)).length, 0);
    assert.throws(() => task({ directAnswers: 1.5 }), /option "directAnswers"/);
  });
});
