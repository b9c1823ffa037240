// Compare mode's rows (pure): one per pair of groups (the shown run's and the compared run's group
// of one prompt, src/extension/viewer/run-comparison.ts), each side with the chains that pass the
// filters. A pair is listed while either side has a chain that passes, or while the shown side
// passes and the compared run never sampled the prompt (the column says so).
import type { ComparePair, ViewerComparison, ViewerFilters } from '../../src/protocol/viewer-messages';
import { filterRows, makeGroupEntry, type GroupEntry, type Row } from './filters';

export interface CompareRow extends Row {
  /** Each run's group of the pair (null: it has none), and its chains that pass the filters (null: none). */
  sides: Record<'shown' | 'compared', { entry: GroupEntry | null; passing: Row | null }>;
  pair: ComparePair;
}

/** The compared run's group of a pair as an entry; its key (`c<step>:<index>`) is unique beside the shown run's. */
export function comparedEntry(pair: ComparePair): GroupEntry | null {
  const c = pair.compared;
  return c ? makeGroupEntry(c.step, c.index, c.group, `c${c.step}:${c.index}`) : null;
}

/**
 * The rows of compare mode, in the pairs' order. `shown` holds the shown step's entries by group
 * index; `compared` the pairs' entries (comparedEntry), one per pair.
 */
export function compareRows(pairs: readonly ComparePair[], shown: readonly GroupEntry[], compared: readonly (GroupEntry | null)[], filters: ViewerFilters): CompareRow[] {
  const rows: CompareRow[] = [];
  pairs.forEach((pair, i) => {
    const a = pair.shown === null ? undefined : shown[pair.shown];
    const b = compared[i] ?? undefined;
    const shownRow = a ? (filterRows([a], filters)[0] ?? null) : null;
    const comparedRow = b ? (filterRows([b], filters)[0] ?? null) : null;
    if (!shownRow && !comparedRow) return;
    // The row's own entry and chains are the side the keyboard cursor walks: the shown run's, else the compared run's.
    const main = (shownRow ?? comparedRow)!;
    rows.push({ entry: main.entry, chains: main.chains, sides: { shown: { entry: a ?? null, passing: shownRow }, compared: { entry: b ?? null, passing: comparedRow } }, pair });
  });
  return rows;
}

export const isCompareRow = (row: Row): row is CompareRow => 'pair' in row;

const chainCount = (entries: readonly (GroupEntry | null)[]): number => entries.reduce((a, e) => a + (e?.group.samples.length ?? 0), 0);

/**
 * The status line of compare mode: each run's chains that pass the filters of all its chains
 * compared here (the shown step's, and the compared run's paired groups), then the pairs listed.
 */
export function compareStatus(
  rows: readonly CompareRow[],
  shown: readonly GroupEntry[],
  compared: readonly (GroupEntry | null)[],
  ids: { shown: string; compared: string },
): string {
  const passing = (side: 'shown' | 'compared') => rows.reduce((a, r) => a + (r.sides[side].passing?.chains.length ?? 0), 0);
  return `${ids.shown}: ${passing('shown')} of ${chainCount(shown)} chains · ${ids.compared}: ${passing('compared')} of ${chainCount(compared)} chains · ${rows.length} prompt${rows.length === 1 ? '' : 's'}`;
}

/** The compare bar's text (plain): which runs, which steps line up, and how the groups paired. */
export function comparisonLines(c: ViewerComparison, shownId: string): { title: string; missing: string | null; counts: string } {
  const offsets = c.shownOffset || c.comparedOffset ? ` (on the parent's steps: ${shownId} +${c.shownOffset}, ${c.run.id} +${c.comparedOffset})` : '';
  const title = `step ${c.shownStep} of ${shownId} ↔ step ${c.step} of ${c.run.id}${offsets}`;
  const missing = c.hasStep
    ? null
    : c.nearest.length === 0
      ? `${c.run.id} has no rollouts yet.`
      : `${c.run.id} has no rollouts at step ${c.step}; its nearest step${c.nearest.length > 1 ? 's are' : ' is'} ${c.nearest.join(' and ')}. Each prompt is shown from the nearest step of ${c.run.id} that sampled it.`;
  const count = (at: ComparePair['at'], onlyCompared: boolean) => c.pairs.filter((p) => p.at === at && (p.shown === null) === onlyCompared).length;
  const parts = [
    `${count('same', false)} prompt${count('same', false) === 1 ? '' : 's'} at the same step`,
    count('nearest', false) ? `${count('nearest', false)} from the nearest step of ${c.run.id}` : '',
    count('none', false) ? `${count('none', false)} never sampled by ${c.run.id}` : '',
    count('same', true) ? `${count('same', true)} only in ${c.run.id}` : '',
  ];
  return { title, missing, counts: parts.filter(Boolean).join(' · ') };
}
