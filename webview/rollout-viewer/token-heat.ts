// The token heat overlay (issue 18 item 6): a chain's text coloured token by token by the log-prob
// the policy gave it, the entropy it was drawn from, or the advantage it was trained with, from the
// sample's `tokenHeat` (core/token-heat.ts). Samples without it (imported runs, or beyond the
// trainer's bound per step) say so above their text instead of pretending.
import { decodeTokenHeat } from '../../src/core/token-heat';
import type { RolloutSample } from '../../src/protocol/rollout-group';
import { h } from '../shared/dom';
import { heatSpans, type HeatMode } from './heat-spans';

export { HEAT_MODES, type HeatMode } from './heat-spans';

const LABEL: Record<HeatMode, string> = { logp: 'log-prob', entropy: 'entropy', advantage: 'advantage' };

/**
 * The note shown above a chain's text (its key steps and math as without heat) when token heat is on
 * but the chain has none: its text stays readable.
 */
export function noTokenHeat(): HTMLElement {
  return h(
    'div',
    { class: 'token-heat-absent' },
    'No token heat for this chain: the trainer of this extension records it for the first groups of each step (up to 16 chains); imported and recorded runs have none.',
  );
}

/** The chain coloured by token, a note where its heat is unreadable, or undefined where it has none. */
export function tokenHeatView(sample: RolloutSample, mode: HeatMode): HTMLElement | undefined {
  if (!sample.tokenHeat) return undefined;
  const series = decodeTokenHeat(sample.tokenHeat);
  if ('error' in series) return h('div', { class: 'token-heat-absent' }, `Token heat unreadable: ${series.error}.`);
  const text = sample.text;
  const spans = heatSpans(text, series, mode);
  const children: (HTMLElement | string)[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start > at) children.push(text.slice(at, s.start));
    const span = h('span', { class: `heat heat-${s.tone}`, title: `${LABEL[mode]} ${s.value.toFixed(2)}` }, text.slice(s.start, s.end));
    span.style.setProperty('--heat', s.strength.toFixed(2));
    children.push(span);
    at = s.end;
  }
  if (at < text.length) children.push(text.slice(at));
  return h('div', { class: 'token-heat', 'data-mode': mode }, ...children);
}
