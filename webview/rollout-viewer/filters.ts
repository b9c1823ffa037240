// Which chains the filters let through (pure). Rows are groups; a group whose chains are all
// filtered out disappears, a partly filtered group shows the chains that pass.
import type { ViewerFilters } from '../../src/protocol/viewer-messages';
import type { RolloutGroup, RolloutSample } from '../../src/protocol/trainer-messages';

export interface GroupEntry {
  /** Stable within a step: `<step>:<index of the group in the step>`. */
  key: string;
  step: number;
  group: RolloutGroup;
  /** Lower-cased chain texts (plus prompt and extracted answer), computed once for search. */
  haystacks: string[];
}

export interface Row {
  entry: GroupEntry;
  /** Indices of the samples that pass the filters. */
  chains: number[];
}

export function makeGroupEntry(step: number, index: number, group: RolloutGroup): GroupEntry {
  const prompt = group.prompt.toLowerCase();
  return {
    key: `${step}:${index}`,
    step,
    group,
    haystacks: group.samples.map((s) => `${s.text}\n${prompt}\n${s.rewards.answer ?? ''}`.toLowerCase()),
  };
}

export function sampleMatches(sample: RolloutSample, haystack: string, filters: ViewerFilters, needle: string): boolean {
  const r = sample.rewards;
  if (filters.validity === 'valid' && r.validity !== 1) return false;
  if (filters.validity === 'invalid' && r.validity === 1) return false;
  if (filters.correctness === 'correct' && !r.answer_correct) return false;
  if (filters.correctness === 'incorrect' && r.answer_correct) return false;
  if (filters.violation !== null && !r.violations.some((v) => v.code === filters.violation)) return false;
  return needle === '' || haystack.includes(needle);
}

export function filterRows(entries: readonly GroupEntry[], filters: ViewerFilters): Row[] {
  const needle = filters.search.trim().toLowerCase();
  const rows: Row[] = [];
  for (const entry of entries) {
    const chains: number[] = [];
    entry.group.samples.forEach((s, i) => {
      if (sampleMatches(s, entry.haystacks[i]!, filters, needle)) chains.push(i);
    });
    if (chains.length) rows.push({ entry, chains });
  }
  return rows;
}

/** Every violation code present, sorted, for the filter dropdown. */
export function violationCodes(entries: readonly GroupEntry[]): string[] {
  const codes = new Set<string>();
  for (const e of entries) for (const s of e.group.samples) for (const v of s.rewards.violations) codes.add(v.code);
  return [...codes].sort();
}

/** Time per slice of filterRowsSliced: well inside a 60 Hz frame. */
const SLICE_MS = 5;

const yieldToFrame = (): Promise<void> =>
  new Promise((resolve) => {
    // A message task runs before the next frame without setTimeout's 4 ms clamp.
    const { port1, port2 } = new MessageChannel();
    port1.addEventListener('message', () => resolve(), { once: true });
    port1.start();
    port2.postMessage(null);
  });

/**
 * filterRows in slices of a few milliseconds, so typing a search over 10,000 chains never holds a
 * frame. Reads `entries` to its end (rows appended meanwhile are included); null when cancelled.
 */
export async function filterRowsSliced(entries: readonly GroupEntry[], filters: ViewerFilters, cancelled: () => boolean): Promise<Row[] | null> {
  const rows: Row[] = [];
  let at = 0;
  while (at < entries.length) {
    const until = performance.now() + SLICE_MS;
    const end = Math.min(entries.length, at + 64);
    for (; at < end || (at < entries.length && performance.now() < until); at++) rows.push(...filterRows([entries[at]!], filters));
    if (at < entries.length) {
      await yieldToFrame();
      if (cancelled()) return null;
    }
  }
  return cancelled() ? null : rows;
}
