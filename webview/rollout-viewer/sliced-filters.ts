// The filters' work over every loaded chain in time slices (a frame's share each, shared/frame.ts),
// so filtering or counting 10,000 chains never holds a frame; a newer run cancels an older one.
import { HACK_FLAGS, type HackFlag } from '../../src/core/reward-hacking';
import type { ViewerFilters } from '../../src/protocol/viewer-messages';
import { yieldAfterSlice } from '../shared/frame';
import { countFlags, filterRows, type GroupEntry, type Row } from './filters';

/** Time per slice of filterRowsSliced: well inside a 60 Hz frame. */
const SLICE_MS = 4;

/**
 * `each` over the entries in slices of a few milliseconds, so work over 10,000 chains never holds
 * a frame. Reads `entries` to its end (entries appended meanwhile are included); false when cancelled.
 */
async function forEachSliced(entries: readonly GroupEntry[], each: (entry: GroupEntry) => void, cancelled: () => boolean): Promise<boolean> {
  let at = 0;
  while (at < entries.length) {
    const started = performance.now();
    const end = Math.min(entries.length, at + 4);
    for (; at < end || (at < entries.length && performance.now() < started + SLICE_MS); at++) each(entries[at]!);
    if (at < entries.length) {
      await yieldAfterSlice(performance.now() - started);
      if (cancelled()) return false;
    }
  }
  return !cancelled();
}

/** filterRows in slices; null when cancelled. */
export async function filterRowsSliced(entries: readonly GroupEntry[], filters: ViewerFilters, cancelled: () => boolean): Promise<Row[] | null> {
  const rows: Row[] = [];
  const done = await forEachSliced(entries, (e) => rows.push(...filterRows([e], filters)), cancelled);
  return done ? rows : null;
}

/** countFlags in slices; null when cancelled. */
export async function countFlagsSliced(entries: readonly GroupEntry[], cancelled: () => boolean): Promise<Record<HackFlag, number> | null> {
  const counts = countFlags([]);
  const done = await forEachSliced(
    entries,
    (e) => {
      const one = countFlags([e]);
      for (const f of HACK_FLAGS) counts[f] += one[f];
    },
    cancelled,
  );
  return done ? counts : null;
}
