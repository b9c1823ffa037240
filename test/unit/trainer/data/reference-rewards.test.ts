// The synthetic task's reference chains against the project's reward engine: each must earn the
// full StepGRPO reward in both the robust and the released-code (r1vl) modes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreChain } from '../../../../src/core/reward';
import { SyntheticTask } from '../../../../src/trainer/data/synthetic-task';

const task = new SyntheticTask({ trainSize: 300, evalSize: 60, directAnswers: 0 });
const examples = [...Array.from({ length: task.trainSize }, (_, i) => task.trainAt(i)), ...task.eval()];

describe('reference chains under scoreChain', () => {
  for (const preset of ['stepgrpo', 'r1vl-official'] as const) {
    it(`every one is valid, fully key-step matched and correct (${preset})`, () => {
      for (const e of examples) {
        const r = scoreChain(e.solution, { answer: e.answer, keySteps: e.keySteps }, preset);
        const why = `${JSON.stringify({ violations: r.violations, key_steps: r.key_steps.filter((k) => !k.matched) })}\n${e.solution}`;
        assert.equal(r.validity, 1, why);
        assert.equal(r.key_step_ratio, 1, why);
        assert.equal(r.answer_correct, true, why);
        assert.ok(Math.abs(r.total - 2.1) < 1e-9, why);
      }
    });
  }

  it('a chain with a wrong final answer or a missing step loses reward', () => {
    const e = examples.find((x) => x.meta!.template === 'points' && !x.meta!.multipleChoice)!;
    const wrong = e.solution.replace(/### The final answer is: .*$/, `### The final answer is: ${Number(e.answer) + 1}`);
    assert.equal(scoreChain(wrong, { answer: e.answer, keySteps: e.keySteps }, 'stepgrpo').answer_correct, false);
    const skipped = e.solution.replace(/### Step 4:\n[^\n]*\n### Step 5:/, '### Step 4:');
    assert.ok(scoreChain(skipped, { answer: e.answer, keySteps: e.keySteps }, 'stepgrpo').key_step_ratio < 1);
  });
});

describe('direct-answer demonstrations under scoreChain', () => {
  it('are correct but incomplete: StepRVR fails them and they match no key step', () => {
    const mixed = new SyntheticTask({ trainSize: 100, evalSize: 0, directAnswers: 1 });
    for (let i = 0; i < mixed.trainSize; i++) {
      const e = mixed.trainAt(i);
      const r = scoreChain(e.solution, { answer: e.answer, keySteps: e.keySteps }, 'stepgrpo');
      assert.equal(r.answer_correct, true, e.solution);
      assert.equal(r.validity, 0, e.solution);
      assert.equal(r.key_step_ratio, 0, e.solution);
    }
  });
});
