// The analysis phases of bench section `viewer` (issue 18): in the page that holds 10,000 chains
// of one step, each interaction is driven from the keyboard as a person would (s: sort, z: spread
// filter, f: flag filter, g: layout → aligned by step) or, for a prompt's history, by the host's
// `history` message with the prompt's groups over 500 steps; each phase lasts until the page reports
// what it shows (its `rendered` message) and 300 ms more. Frame times are requestAnimationFrame
// intervals (the page's DRIVER in sections/viewer.ts). The host's part of the history (the store's
// prompt index over 500 steps × 2,500 groups, then the chart points) is timed in Node apart.
import { promptHistory } from '../../src/core/prompt-history';
import type { RolloutGroup } from '../../src/protocol/trainer-messages';
import type { HostToViewer } from '../../src/protocol/viewer-messages';
import { RolloutStore } from '../../src/extension/viewer/rollout-store';
import type { PageLike } from '../support/viewer-page';
import { median } from './bench-section';

export const HISTORY_STEPS = 500;
/** Groups per `history` message (the host's HISTORY_PART in rollout-viewer.ts). */
const HISTORY_PART = 50;

/** A phase's result as the page measured it. */
export interface InteractionResult {
  frames: number[];
  elapsedMs: number;
  longestTask: number;
  rendered: { rows: number; chains: number; layout: string; mode: string; historySteps: number } | null;
}

// Runs in the page (a string, like DRIVER): a key press or a host message, then frames until a new `rendered`.
export const ANALYSIS_DRIVER = `
window.__bench.interact = function (act, historySteps) {
  const before = window.__posted.filter((m) => m.type === 'rendered').length;
  let rendered = null;
  return this.measure(async () => {
    act();
    for (let f = 0; f < 900; f++) {
      const all = window.__posted.filter((m) => m.type === 'rendered');
      const last = all.at(-1);
      if (all.length > before && (!historySteps || (last.rendered.mode === 'history' && last.rendered.loaded === historySteps))) { rendered = last.rendered; break; }
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

/** The host's `history` messages for one prompt's groups over HISTORY_STEPS steps: parts of HISTORY_PART groups, as the host posts them. */
export function historyMessages(group: (step: number) => RolloutGroup): HostToViewer[] {
  const groups = Array.from({ length: HISTORY_STEPS }, (_, step) => ({ step, index: 0, group: { ...group(step), promptId: 'bench-prompt' } }));
  const points = promptHistory(groups.map((g) => ({ step: g.step, samples: g.group.samples })));
  const parts: HostToViewer[] = [];
  for (let at = 0; at < groups.length; at += HISTORY_PART)
    parts.push({ type: 'history', promptId: 'bench-prompt', points, groups: groups.slice(at, at + HISTORY_PART), append: at > 0 });
  return parts;
}

/** Puts the parts in the page (apart from the phase: parsing them is the bench's, not the page's). */
export async function prepareHistory(page: PageLike, messages: HostToViewer[]): Promise<void> {
  await page.evaluate(`window.__history = ${JSON.stringify(messages)}`);
}

/** Posts the prepared parts a task apart (as the host's ordered posting delivers them) and waits for the page to show them all. */
export async function runHistory(page: PageLike): Promise<InteractionResult> {
  return (await page.evaluate(
    `window.__bench.interact(() => window.__history.forEach((m, i) => setTimeout(() => window.postMessage(m, '*'), i)), ${HISTORY_STEPS})`,
  )) as InteractionResult;
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
