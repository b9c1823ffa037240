// Rollout groups for the viewer's tests and benchmark: chains built in the R1-VL section format and
// scored by the real reward engine (src/core), so spans, violations and key steps are genuine.
import path from 'node:path';
import { scoreChain } from '../../src/core/reward';
import { groupAdvantages } from '../../src/core/grpo';
import type { RolloutGroup, TrainerEvent } from '../../src/protocol/trainer-messages';
import type { Issue } from '../../src/protocol/schema';
import { RolloutStore } from '../../src/extension/viewer/rollout-store';
import { readEventLog } from '../../src/rundir/event-log-reader';
import { RUN_FILES } from '../../src/rundir/run-files';
import { RunWriter } from '../../src/rundir/run-writer';
import { encodePng } from '../../src/trainer/data/png-encode';

export type ChainKind = 'correct' | 'wrong-answer' | 'step-gap' | 'missing-rationale' | 'hostile';

export const CHAIN_KINDS: readonly ChainKind[] = ['correct', 'wrong-answer', 'step-gap', 'missing-rationale'];

/** Markup that must show up as text, never as elements. */
export const HOSTILE_TEXT = '<script>window.__pwned = 1</script> "><img src=x onerror="window.__pwned = 2">';

export interface Problem {
  a: number;
  b: number;
}

export const problemOf = (i: number): Problem => ({ a: 10 + (i % 37), b: 1 + (i % 9) });
export const referenceOf = (p: Problem) => ({ answer: String(p.a - p.b), keySteps: [`${p.a} - ${p.b} = ${p.a - p.b}`, [`${p.a} apples`, `${p.a} red apples`]] });

export function fixtureChain(kind: ChainKind, p: Problem): string {
  const answer = kind === 'wrong-answer' ? p.a + p.b : p.a - p.b;
  const steps = [`There are ${p.a} apples in the basket.`, kind === 'wrong-answer' ? `Together: ${p.a} + ${p.b} = ${answer}.` : `Not red: ${p.a} - ${p.b} = ${answer}.`];
  if (kind === 'hostile') steps.push(HOSTILE_TEXT);
  const numbers = kind === 'step-gap' ? [1, 3, 4] : [1, 2, 3];
  const parts = [`### Image Description:\nA basket with ${p.a} apples; ${p.b} of them are green.`];
  if (kind !== 'missing-rationale') parts.push('### Rationales:\nCount the apples that are not green.');
  parts.push("### Let's think step by step.", ...steps.map((s, i) => `### Step ${numbers[i]}:\n${s}`), `### The final answer is: ${answer}`);
  return `${parts.join('\n\n')}\n`;
}

/** An 8×8 PNG data URI whose colour depends on `seed`. */
export function fixtureImage(seed: number): string {
  const px = new Uint8Array(8 * 8 * 3);
  for (let i = 0; i < 64; i++) {
    const on = ((i >> 3) + i + seed) % 3 === 0;
    px.set(on ? [220, 40 + ((seed * 37) % 200), 40] : [240, 240, 240], i * 3);
  }
  return `data:image/png;base64,${encodePng(px, 8, 8, 3).toString('base64')}`;
}

export function fixtureGroup(index: number, kinds: readonly ChainKind[] = CHAIN_KINDS): RolloutGroup {
  const p = problemOf(index);
  const reference = referenceOf(p);
  const texts = kinds.map((k) => fixtureChain(k, p));
  const rewards = texts.map((t) => scoreChain(t, reference, 'stepgrpo'));
  const advantages = groupAdvantages(
    rewards.map((r) => r.total),
    rewards.length,
  );
  return {
    promptId: `fixture-${index}`,
    prompt: `A basket holds ${p.a} apples and ${p.b} are green. How many are not green?`,
    image: { dataUri: fixtureImage(index) },
    reference,
    samples: texts.map((text, i) => ({ text, tokens: text.length, rewards: rewards[i]!, advantage: advantages[i]! })),
  };
}

export function fixtureRollouts(step: number, groups: number, kinds: readonly ChainKind[] = CHAIN_KINDS): TrainerEvent {
  return { v: 1, type: 'rollouts', step, groups: Array.from({ length: groups }, (_, i) => fixtureGroup(step * 1000 + i, kinds)) };
}

/** The chains of the math fixture: \frac{1}{2} inline, in \(…\), in a display formula and boxed. */
export const MATH_CHAINS = [
  'Each part is $\\frac{1}{2}$ of the pie.',
  'One of two equal parts: \\(\\frac{1}{2}\\).\n\\[ \\frac{1}{2} + \\frac{1}{2} = 1 \\]',
  'Half the pie, $\\frac{1}{2}$, as the price of $5 for $10 shows.',
].map((step, i) =>
  [
    '### Image Description:',
    'A pie cut into two equal parts.',
    '### Rationales:',
    'The pie is cut into two equal parts; one part is taken.',
    '### Step 1:',
    step,
    `### The final answer is: ${i === 1 ? '\\boxed{\\frac{1}{2}}' : '1/2'}`,
    '',
  ].join('\n'),
);

/** One group whose key step `\frac{1}{2}` is matched inside formulas (the viewer renders them with KaTeX). */
export function mathGroup(): RolloutGroup {
  const reference = { answer: '1/2', keySteps: ['\\frac{1}{2}', 'two equal parts'] };
  const rewards = MATH_CHAINS.map((t) => scoreChain(t, reference, 'stepgrpo'));
  const advantages = groupAdvantages(
    rewards.map((r) => r.total),
    rewards.length,
  );
  return {
    promptId: 'fixture-half',
    prompt: 'The pie is cut into two equal parts. What fraction is one part?',
    reference,
    samples: MATH_CHAINS.map((text, i) => ({ text, tokens: text.length, rewards: rewards[i]!, advantage: advantages[i]! })),
  };
}

/** A run folder as the trainer leaves it (config.json, events.ndjson, rollouts.jsonl, done). */
export function writeFixtureRun(dir: string, steps: readonly number[], groupsPerStep: number, kinds: readonly ChainKind[] = CHAIN_KINDS): void {
  writeRunFolder(
    dir,
    steps.map((step) => fixtureRollouts(step, groupsPerStep, kinds)),
  );
}

/**
 * A run whose prompts come back at every step (`fixture-0` … `fixture-<prompts - 1>`), each step's
 * chain kinds from `kindsAt`: what a prompt's history, the alignment and the flags are tested on.
 */
export function writeRecurringRun(dir: string, steps: readonly number[], prompts: number, kindsAt: (step: number) => readonly ChainKind[]): RolloutGroup[][] {
  const byStep = steps.map((step) => Array.from({ length: prompts }, (_, i) => fixtureGroup(i, kindsAt(step))));
  writeRunFolder(
    dir,
    byStep.map((groups, i) => ({ v: 1, type: 'rollouts', step: steps[i]!, groups })),
  );
  return byStep;
}

export function writeMathFixtureRun(dir: string): void {
  writeRunFolder(dir, [{ v: 1, type: 'rollouts', step: 1, groups: [mathGroup()] }]);
}

function writeRunFolder(dir: string, rollouts: TrainerEvent[]): void {
  // The last rollout step is the run's last step: a step past the config's total is refused by the guard.
  const steps = rollouts.map((e) => (e.type === 'rollouts' ? e.step : 0));
  const total = Math.max(0, ...steps);
  RunWriter.create(dir, { sft: { steps: 0 }, rl: { steps: total } }).append(
    { v: 1, type: 'hello', pid: 0, version: 'fixture', device: { ep: 'cpu', threads: 1 }, config: {} },
    ...rollouts,
    { v: 1, type: 'done', status: 'completed', summary: { steps: total } },
  );
}

/** A run folder's rollouts as the viewer gathers them: its events.ndjson through the one run-file reader. */
export async function readRolloutStore(dir: string): Promise<{ store: RolloutStore; problems: Issue[] }> {
  const { events, problems } = await readEventLog(path.join(dir, RUN_FILES.events));
  const store = new RolloutStore();
  for (const e of events) if (e.type === 'rollouts') store.add(e.step, e.groups, e.partial);
  return { store, problems };
}
