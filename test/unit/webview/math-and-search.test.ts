// Formulas found in chain text, rendered as units that keep their key-step highlights; search hits
// by offset; the run label and phase banner of the Rollout viewer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreChain } from '../../../src/core/reward';
import type { ViewerRun } from '../../../src/protocol/viewer-messages';
import { buildChainModel, findHits, findMath, pieces } from '../../../webview/rollout-viewer/chain-model';
import { describeRun, phaseBanner } from '../../../webview/rollout-viewer/run-banner';

const HALF_CHAIN = [
  '### Image Description:',
  'A pie cut in two.',
  '### Rationales:',
  'Each piece is one of two equal parts.',
  '### Step 1:',
  'Each part is $\\frac{1}{2}$ of the pie.',
  '### The final answer is: \\boxed{1/2}',
].join('\n');

describe('findMath', () => {
  it('finds $…$, $$…$$, \\(…\\), \\[…\\] and \\boxed{…} with their delimiters', () => {
    const text = 'a $x^2$ b $$\\sum_i i$$ c \\(y\\) d \\[z\\] e \\boxed{\\frac{1}{2}} f';
    assert.deepEqual(
      findMath(text).map((r) => [text.slice(r.start, r.end), r.tex, r.display]),
      [
        ['$x^2$', 'x^2', false],
        ['$$\\sum_i i$$', '\\sum_i i', true],
        ['\\(y\\)', 'y', false],
        ['\\[z\\]', 'z', true],
        ['\\boxed{\\frac{1}{2}}', '\\boxed{\\frac{1}{2}}', false],
      ],
    );
  });

  it('leaves prices, escaped dollars and unclosed delimiters as text', () => {
    assert.deepEqual(findMath('it costs $5 and $6 today'), []);
    assert.deepEqual(findMath('a \\$ sign and \\$x\\$'), []);
    assert.deepEqual(findMath('open $x and never closed'), []);
    assert.deepEqual(findMath('\\boxed{unbalanced'), []);
  });
});

describe('math in the chain model', () => {
  it('a key step inside $\\frac{1}{2}$ keeps its highlight on the whole formula, offsets exact', () => {
    const rewards = scoreChain(HALF_CHAIN, { answer: '1/2', keySteps: ['\\frac{1}{2}'] }, 'stepgrpo');
    assert.equal(rewards.key_steps[0]?.matched, true, JSON.stringify(rewards.key_steps));
    const model = buildChainModel(HALF_CHAIN, rewards);
    const step = model.sections.find((s) => s.kind === 'step')!;
    const parts = pieces(step.body, model.math);
    const formula = parts.find((p) => p.kind === 'math');
    assert.ok(formula && formula.kind === 'math');
    assert.equal(HALF_CHAIN.slice(formula.region.start, formula.region.end), '$\\frac{1}{2}$');
    assert.ok(
      formula.segments.some((s) => s.keySteps.includes(0)),
      'the formula carries key step 1',
    );
    // Every key-step span is covered by segments: none is lost by cutting at the formula.
    const [a, b] = rewards.key_steps[0]!.spans[0]!;
    const covered = step.body.filter((s) => s.keySteps.includes(0));
    assert.equal(covered[0]!.start, a);
    assert.equal(covered.at(-1)!.end, b);
    assert.deepEqual(
      parts.filter((p) => p.kind === 'text').map((p) => p.kind === 'text' && p.segment.text),
      ['Each part is ', ' of the pie.'],
    );
    const answer = model.sections.find((s) => s.kind === 'answer')!;
    assert.ok(pieces([...answer.header, ...answer.body], model.math).some((p) => p.kind === 'math' && p.region.tex === '\\boxed{1/2}'));
  });
});

describe('findHits', () => {
  it('finds every case-insensitive occurrence without overlap', () => {
    assert.deepEqual(findHits('Step two: steps', 'step'), [
      [0, 4],
      [10, 14],
    ]);
    assert.deepEqual(findHits('anything', ''), []);
  });
});

describe('run label and phase banner', () => {
  const run = (over: Partial<ViewerRun>): ViewerRun => ({ id: 'r', dir: '/r', status: 'running', phase: 'sft', step: 120, totalSteps: 1560, rlStartsAt: 1500, ...over });

  it('says live while a trainer works on the run, and how it ended afterwards', () => {
    assert.equal(describeRun(run({})), 'live');
    assert.equal(describeRun(run({ status: 'paused' })), 'live · paused');
    assert.equal(describeRun(run({ status: 'completed' })), 'completed');
    assert.equal(describeRun(run({ status: 'interrupted' })), 'interrupted');
  });

  it('explains the empty list during SFT and says when rollouts start; nothing once they are there', () => {
    assert.equal(
      phaseBanner(run({}), 0),
      'SFT warm-up in progress: step 120 of 1560, training on the demonstrations (no sampled chains to show yet). Rollouts appear here when RL starts, after step 1500 (1380 steps to go).',
    );
    assert.equal(phaseBanner(run({}), 3), null);
    assert.match(phaseBanner(run({ status: 'stopped', phase: null, step: 40 }), 0)!, /stopped at step 40, before RL started/);
  });
});
