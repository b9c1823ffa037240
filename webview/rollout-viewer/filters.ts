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
