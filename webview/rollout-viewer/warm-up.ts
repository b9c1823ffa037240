// Builds, lays out and drops one made-up group row while the page loads, before it tells the host it
// is ready: the first rows of a run then do not pay the one-time costs of the first row ever built
// (compiling the render code, the stylesheet's first match, the fonts' first shaping), which held the
// first frames of a step 45–80 ms. Nothing of it is shown or reported.
import type { RolloutGroup, RolloutSample } from '../../src/protocol/trainer-messages';
import { countFlags, filterRows, makeGroupEntry, sortRows, type Row } from './filters';
import { DEFAULT_FILTERS } from '../../src/protocol/viewer-messages';

const TEXT = [
  '### Image Description:\nA basket with 12 apples; 3 of them are green.',
  '### Rationales:\nCount the apples that are not green.',
  "### Let's think step by step.",
  '### Step 1:\nThere are 12 apples in the basket.',
  '### Step 3:\nNot green: 12 - 3 = 9.',
  '### The final answer is: 9',
].join('\n\n');

function sample(correct: boolean): RolloutSample {
  const text = correct ? TEXT : TEXT.replace('= 9.', '= 15.').replace('is: 9', 'is: 15');
  const key = text.indexOf('12 - 3');
  const gap = text.indexOf('### Step 3');
  return {
    text,
    tokens: text.length,
    advantage: correct ? 0.87 : -0.87,
    rewards: {
      total: correct ? 1.1 : 0.1,
      r_acc: correct ? 1.1 : 0.1,
      r_val: 0,
      answer_correct: correct,
      answer: correct ? '9' : '15',
      key_step_ratio: 1,
      validity: 0,
      mode: 'r1vl',
      violations: [{ code: 'STEP_GAP', message: 'Step 3 follows Step 1', start: gap, end: gap + 10 }],
      key_steps: [{ text: '12 - 3 = 9', matched: correct, alternative: correct ? '12 - 3 = 9' : null, spans: correct ? [[key, key + 10]] : [] }],
    },
  };
}

const GROUP: RolloutGroup = {
  promptId: 'warm-up',
  prompt: 'A basket holds 12 apples and 3 are green. How many are not green?',
  reference: { answer: '9', keySteps: ['12 - 3 = 9'] },
  samples: [sample(true), sample(false), sample(true), sample(false)],
};

/** Renders the made-up row with `render` in `parent` (hidden, at the list's width), measures it and removes it. */
export function warmUp(parent: HTMLElement, render: (row: Row) => HTMLElement): void {
  const entry = makeGroupEntry(0, 0, GROUP);
  countFlags([entry]);
  const [row] = sortRows(filterRows([entry], DEFAULT_FILTERS), { key: 'total', descending: true });
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:0;right:0;top:0;visibility:hidden;contain:layout';
  box.append(render(row ?? { entry, chains: [0, 1, 2, 3] }), render({ entry, chains: [0, 1, 2, 3] }));
  parent.append(box);
  void box.offsetHeight;
  box.remove();
}
