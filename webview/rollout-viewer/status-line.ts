// The viewer's status line (pure): how many chains pass the filters of how many loaded, and what a
// row is. In compare mode each run is counted on its own (compare-rows.ts).
import { compareStatus, isCompareRow } from './compare-rows';
import type { GroupEntry, Row } from './filters';

export interface StatusInput {
  rows: readonly Row[];
  /** The shown step's (or prompt history's) loaded groups. */
  entries: readonly GroupEntry[];
  sorted: boolean;
  /** Compare mode: the compared run's paired groups and both runs' names. */
  compare?: { compared: readonly (GroupEntry | null)[]; ids: { shown: string; compared: string } };
}

export function statusLine({ rows, entries, sorted, compare }: StatusInput): string {
  if (compare && rows.every(isCompareRow)) return compareStatus(rows, entries, compare.compared, compare.ids);
  const shown = rows.reduce((a, r) => a + r.chains.length, 0);
  const total = entries.reduce((a, e) => a + e.group.samples.length, 0);
  return `${shown} of ${total} chains · ${sorted ? `${new Set(rows.map((r) => r.entry.key)).size} groups, one chain a row` : `${rows.length} groups`}`;
}
