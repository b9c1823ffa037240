// Which part of a chain's text each token covers and how strongly the token heat overlay tints it
// (token-heat.ts draws them). Pure: unit-tested without a page.
import type { TokenSeries } from '../../src/core/token-heat';

export type HeatMode = 'logp' | 'entropy' | 'advantage';

export const HEAT_MODES: readonly { value: HeatMode | ''; label: string }[] = [
  { value: '', label: 'Token heat: off' },
  { value: 'logp', label: 'Token heat: log-prob' },
  { value: 'entropy', label: 'Token heat: entropy' },
  { value: 'advantage', label: 'Token heat: advantage' },
];

export interface HeatSpan {
  start: number;
  end: number;
  value: number;
  /** 0..1: how strongly the token is tinted. */
  strength: number;
  /** Which tint: `low` (unlikely token, uncertain step, negative advantage) or `high`. */
  tone: 'low' | 'high';
}

const mag = (v: number, full: number) => Math.min(1, Math.abs(v) / full);

/** Strength and tone per mode: log-prob tints unlikely tokens (−4 nats is full), entropy uncertain ones (3 nats), advantage both signs (1). */
function shade(mode: HeatMode, v: number): Pick<HeatSpan, 'strength' | 'tone'> {
  if (mode === 'logp') return { strength: mag(v, 4), tone: 'low' };
  if (mode === 'entropy') return { strength: mag(v, 3), tone: 'low' };
  return { strength: mag(v, 1), tone: v < 0 ? 'low' : 'high' };
}

/** The tokens as spans of the text with their value in `mode`; empty tokens (the end token) left out. */
export function heatSpans(text: string, series: TokenSeries, mode: HeatMode): HeatSpan[] {
  const values = mode === 'logp' ? series.logp : mode === 'entropy' ? series.entropy : series.advantage;
  const spans: HeatSpan[] = [];
  let at = 0;
  series.lengths.forEach((len, i) => {
    const end = Math.min(text.length, at + len);
    if (end > at) spans.push({ start: at, end, value: values[i]!, ...shade(mode, values[i]!) });
    at = end;
  });
  return spans;
}
