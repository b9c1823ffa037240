// The Metrics view's host-owned state and its pure transitions. A selected run keeps its colour
// slot until it is deselected, so toggling one run never recolours the others.
import { MAX_SMOOTHING, type MetricsViewState } from '../../protocol/metrics-messages';

export const DEFAULT_SMOOTHING = 0.6;

export function initialViewState(): MetricsViewState {
  return { selected: [], smoothing: DEFAULT_SMOOTHING, hidden: [] };
}

export function isSelected(state: MetricsViewState, runId: string): boolean {
  return state.selected.some((s) => s.runId === runId);
}

/** The lowest colour slot no selected run uses. */
function freeSlot(state: MetricsViewState): number {
  const used = new Set(state.selected.map((s) => s.color));
  let slot = 0;
  while (used.has(slot)) slot++;
  return slot;
}

export function selectRun(state: MetricsViewState, runId: string, selected: boolean): MetricsViewState {
  if (selected === isSelected(state, runId)) return state;
  const next = selected ? [...state.selected, { runId, color: freeSlot(state) }] : state.selected.filter((s) => s.runId !== runId);
  return { ...state, selected: next };
}

export function setSmoothing(state: MetricsViewState, smoothing: number): MetricsViewState {
  const clamped = Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(smoothing) ? smoothing : 0));
  return clamped === state.smoothing ? state : { ...state, smoothing: clamped };
}

export function setMetricHidden(state: MetricsViewState, metric: string, hidden: boolean): MetricsViewState {
  if (hidden === state.hidden.includes(metric)) return state;
  return { ...state, hidden: hidden ? [...state.hidden, metric].sort() : state.hidden.filter((m) => m !== metric) };
}

/** Drops selected runs that no longer exist (their folder was deleted). */
export function keepRuns(state: MetricsViewState, exists: (runId: string) => boolean): MetricsViewState {
  const kept = state.selected.filter((s) => exists(s.runId));
  return kept.length === state.selected.length ? state : { ...state, selected: kept };
}

/** A state read back from workspace storage, or the default when it is missing or malformed. */
export function restoreViewState(saved: unknown): MetricsViewState {
  const state = initialViewState();
  if (typeof saved !== 'object' || saved === null) return state;
  const s = saved as Partial<Record<keyof MetricsViewState, unknown>>;
  if (Array.isArray(s.selected)) {
    for (const item of s.selected) {
      const runId = (item as { runId?: unknown } | null)?.runId;
      if (typeof runId === 'string' && !isSelected(state, runId)) state.selected.push({ runId, color: freeSlot(state) });
    }
  }
  if (typeof s.smoothing === 'number') state.smoothing = setSmoothing(state, s.smoothing).smoothing;
  if (Array.isArray(s.hidden)) state.hidden = [...new Set(s.hidden.filter((m): m is string => typeof m === 'string'))].sort();
  return state;
}
