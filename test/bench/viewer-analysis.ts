// The analysis phases of bench section `viewer` (issue 18): in the page that holds 10,000 chains
// of one step, each interaction is driven from the keyboard as a person would (s: sort, z: spread
// filter, f: flag filter, g: layout → aligned by step) or, for a prompt's history, by the host's
// `history` message with the prompt's groups over 500 steps; each phase lasts until the page reports
// what it shows (its `rendered` message) and 300 ms more. Frame times are requestAnimationFrame
// intervals (the page's DRIVER in sections/viewer.ts). The host's part of the history (the store's
// prompt index over 500 steps × 2,500 groups, then the chart points) is timed in Node apart.
import { promptHistory } from '../../src/core/prompt-history';
import type { RolloutGroup } from '../../src/protocol/trainer-messages';
import type { HistoryGroup } from '../../src/protocol/viewer-messages';
import { RolloutStore } from '../../src/extension/viewer/rollout-store';
import type { PageLike } from '../support/viewer-page';
import { median } from './bench-section';

export const HISTORY_STEPS = 500;

/** A phase's result as the page measured it. */
export interface InteractionResult {
  frames: number[];
  elapsedMs: number;
  longestTask: number;
  rendered: { rows: number; chains: number; layout: string; mode: string; historySteps: number } | null;
}

// Runs in the page (a string, like DRIVER): a key press or a host message, then frames until a new `rendered`.
export const ANALYSIS_DRIVER = `
window.__bench.interact = function (act) {
  const before = window.__posted.filter((m) => m.type === 'rendered').length;
  let rendered = null;
  return this.measure(async () => {
    act();
    for (let f = 0; f < 600; f++) {
      const all = window.__posted.filter((m) => m.type === 'rendered');
      if (all.length > before) { rendered = all.at(-1).rendered; break; }
      await new Promise((r) => requestAnimationFrame(r));
    }
  }).then((r) => ({ ...r, rendered }));
};
window.__bench.key = function (key) {
  return this.interact(() => document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })));
};`;

export const INTERACTIONS: readonly { name: string; key: string; what: string }[] = [
  { name: 'layout_stacked', key: 'g', what: 'layout: stacked' },
  { name: 'align', key: 'g', what: 'layout: aligned by step (each group its divergence row)' },
  { name: 'sort', key: 's', what: 'sort the chains by total reward (one chain a row)' },
  { name: 'sort_flip', key: 'o', what: 'flip the sort order' },
  { name: 'sort_advantage', key: 's', what: 'sort by advantage' },
  { name: 'filter_flag', key: 'f', what: 'reward-hacking flag "valid format, wrong answer"' },
  { name: 'filter_zero_spread', key: 'z', what: 'and zero-spread groups only' },
  { name: 'filter_spread', key: 'z', what: 'and groups with reward spread' },
];

export async function runInteractions(page: PageLike): Promise<Record<string, InteractionResult>> {
  const out: Record<string, InteractionResult> = {};
  for (const i of INTERACTIONS) out[i.name] = (await page.evaluate(`window.__bench.key(${JSON.stringify(i.key)})`)) as InteractionResult;
  return out;
}

/** One prompt's groups over HISTORY_STEPS steps, as the host posts them. */
export function historyMessage(group: (step: number) => RolloutGroup): { type: 'history'; promptId: string; points: ReturnType<typeof promptHistory>; groups: HistoryGroup[] } {
  const groups = Array.from({ length: HISTORY_STEPS }, (_, step) => ({ step, index: 0, group: { ...group(step), promptId: 'bench-prompt' } }));
  return { type: 'history', promptId: 'bench-prompt', points: promptHistory(groups.map((g) => ({ step: g.step, samples: g.group.samples }))), groups };
}

export async function runHistory(page: PageLike, message: ReturnType<typeof historyMessage>): Promise<InteractionResult> {
  await page.evaluate(`window.__history = ${JSON.stringify(message)}`);
  return (await page.evaluate(`window.__bench.interact(() => window.postMessage(window.__history, '*'))`)) as InteractionResult;
}

/** The host's history lookup (store index + chart points) over HISTORY_STEPS steps of `perStep` groups: median ms of `reps`. */
export function hostHistoryMs(groups: readonly RolloutGroup[], reps = 15): { ms: number; groups: number } {
  const store = new RolloutStore();
  for (let step = 0; step < HISTORY_STEPS; step++) store.add(step, [...groups]);
  const promptId = groups[groups.length >> 1]!.promptId;
  const times: number[] = [];
  let found = 0;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const history = store.history(promptId);
    promptHistory(history.map(({ step, group }) => ({ step, samples: group.samples })));
    times.push(performance.now() - t);
    found = history.length;
  }
  return { ms: median(times), groups: found };
}
