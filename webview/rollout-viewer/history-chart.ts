// The small chart above a prompt's history: answer rate, key-step recall (both 0–1) and mean
// reward (scaled to its own range, printed) per step. SVG built through the DOM, no markup strings.
import type { PromptHistoryPoint } from '../../src/core/prompt-history';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 120;
const PAD = 6;

function svg(tag: string, attrs: Record<string, string>, ...children: (Node | string)[]): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

export const HISTORY_SERIES = [
  { name: 'answer rate', cls: 'answer', value: (p: PromptHistoryPoint) => p.answerRate },
  { name: 'key-step recall', cls: 'recall', value: (p: PromptHistoryPoint) => p.keyStepRecall },
  { name: 'mean reward', cls: 'reward', value: (p: PromptHistoryPoint) => p.meanReward },
] as const;

export function historyChart(points: readonly PromptHistoryPoint[]): SVGElement {
  const first = points[0]?.step ?? 0;
  const span = Math.max(1, (points.at(-1)?.step ?? 0) - first);
  const rewards = points.map((p) => p.meanReward);
  const lo = Math.min(0, ...rewards);
  const hi = Math.max(1, ...rewards);
  const x = (step: number) => PAD + ((step - first) / span) * (W - 2 * PAD);
  const y = (v: number, scaled: boolean) => H - PAD - (scaled ? (v - lo) / (hi - lo) : v) * (H - 2 * PAD);
  const lines = HISTORY_SERIES.map((s) => {
    const scaled = s.cls === 'reward';
    const coords = points.map((p) => `${x(p.step).toFixed(1)},${y(s.value(p), scaled).toFixed(1)}`).join(' ');
    const last = points.at(-1);
    return svg(
      'polyline',
      { class: `series ${s.cls}`, points: coords, fill: 'none' },
      svg('title', {}, `${s.name}${last ? `: ${s.value(last).toFixed(3)} at step ${last.step}` : ''}`),
    );
  });
  const dots =
    points.length <= 60
      ? points.flatMap((p) =>
          HISTORY_SERIES.map((s) => svg('circle', { class: `dot ${s.cls}`, cx: x(p.step).toFixed(1), cy: y(s.value(p), s.cls === 'reward').toFixed(1), r: '2.5' })),
        )
      : [];
  return svg(
    'svg',
    {
      class: 'history-chart',
      viewBox: `0 0 ${W} ${H}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': `answer rate, key-step recall and mean reward over ${points.length} steps (reward axis ${lo.toFixed(2)} to ${hi.toFixed(2)})`,
    },
    svg('line', { class: 'axis', x1: String(PAD), x2: String(W - PAD), y1: String(H - PAD), y2: String(H - PAD) }),
    ...lines,
    ...dots,
  );
}
