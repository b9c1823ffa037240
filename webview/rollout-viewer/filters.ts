// Which chains the filters let through, and in which order (pure). Rows are groups; a group whose
// chains are all filtered out disappears, a partly filtered group shows the chains that pass. Sorted,
// every chain is a row of its own, in the order of the sort key.
import { hackFlags, HACK_FLAGS, type HackFlag } from '../../src/core/reward-hacking';
import type { SortKey, ViewerFilters, ViewerSort } from '../../src/protocol/viewer-messages';
import type { RolloutGroup, RolloutSample } from '../../src/protocol/trainer-messages';

/** Totals closer than this count as equal: a group whose spread is below it has no learning signal. */
export const ZERO_SPREAD = 1e-9;

export interface GroupEntry {
  /** Stable within a step: `<step>:<index of the group in the step>`. */
  key: string;
  step: number;
  group: RolloutGroup;
  /** Index of the group in its step (what Open in Editor asks the host for). */
  index: number;
  /** Lower-cased chain texts (plus prompt and extracted answer), computed once for search. */
  haystacks: string[];
  /** Whether every chain of the group got the same total reward (no learning signal). */
  zeroSpread: boolean;
  /** Each chain's reward-hacking flags, computed when first asked for. */
  flags: (readonly HackFlag[] | undefined)[];
}

export interface Row {
  entry: GroupEntry;
  /** Indices of the samples that pass the filters. */
  chains: number[];
}

/** `key` is unique among the entries shown together; `index` is the group's index in its step (the key's by default). */
export function makeGroupEntry(step: number, index: number, group: RolloutGroup, key = `${step}:${index}`): GroupEntry {
  const prompt = group.prompt.toLowerCase();
  const totals = group.samples.map((s) => s.rewards.total);
  return {
    key,
    step,
    index,
    group,
    haystacks: group.samples.map((s) => `${s.text}\n${prompt}\n${s.rewards.answer ?? ''}`.toLowerCase()),
    zeroSpread: Math.max(...totals) - Math.min(...totals) < ZERO_SPREAD,
    flags: [],
  };
}

export function flagsOf(entry: GroupEntry, sample: number): readonly HackFlag[] {
  let flags = entry.flags[sample];
  if (!flags) {
    const s = entry.group.samples[sample]!;
    flags = hackFlags({ text: s.text, rewards: s.rewards, prompt: entry.group.prompt });
    entry.flags[sample] = flags;
  }
  return flags;
}

/** Group-level filters: the prompt and the reward spread. */
function groupMatches(entry: GroupEntry, filters: ViewerFilters): boolean {
  if (filters.promptId !== null && entry.group.promptId !== filters.promptId) return false;
  if (filters.spread === 'zero' && !entry.zeroSpread) return false;
  if (filters.spread === 'nonzero' && entry.zeroSpread) return false;
  return true;
}

export function sampleMatches(entry: GroupEntry, i: number, filters: ViewerFilters, needle: string): boolean {
  const sample = entry.group.samples[i]!;
  const r = sample.rewards;
  if (filters.rewardMin !== null && !(r.total >= filters.rewardMin)) return false;
  if (filters.rewardMax !== null && !(r.total <= filters.rewardMax)) return false;
  if (filters.keyStep !== null && r.key_steps[filters.keyStep.index]?.matched !== filters.keyStep.matched) return false;
  if (filters.validity === 'valid' && r.validity !== 1) return false;
  if (filters.validity === 'invalid' && r.validity === 1) return false;
  if (filters.correctness === 'correct' && !r.answer_correct) return false;
  if (filters.correctness === 'incorrect' && r.answer_correct) return false;
  if (filters.violation !== null && !r.violations.some((v) => v.code === filters.violation)) return false;
  if (needle !== '' && !entry.haystacks[i]!.includes(needle)) return false;
  return filters.flag === null || flagsOf(entry, i).includes(filters.flag);
}

export function filterRows(entries: readonly GroupEntry[], filters: ViewerFilters): Row[] {
  const needle = filters.search.trim().toLowerCase();
  const rows: Row[] = [];
  for (const entry of entries) {
    if (!groupMatches(entry, filters)) continue;
    const chains: number[] = [];
    for (let i = 0; i < entry.group.samples.length; i++) if (sampleMatches(entry, i, filters, needle)) chains.push(i);
    if (chains.length) rows.push({ entry, chains });
  }
  return rows;
}

/** The number a sort key reads from a sample; NaN when the sample has none (an engine field it lacks). */
export function sortValue(sample: RolloutSample, key: SortKey): number {
  switch (key) {
    case 'none':
      return 0;
    case 'total':
    case 'r_acc':
    case 'r_val':
    case 'key_step_ratio':
      return sample.rewards[key];
    case 'advantage':
      return sample.advantage;
    case 'length':
      return sample.tokens;
    default:
      return sample.engine?.[key.slice('engine:'.length)] ?? NaN;
  }
}

/**
 * The rows' chains one per row, ordered by the sort key (ties and the unsorted keep the shown
 * order; samples without the value go last). Unsorted, the rows as they are.
 */
export function sortRows(rows: readonly Row[], sort: ViewerSort): Row[] {
  if (sort.key === 'none') return [...rows];
  const items: { row: Row; value: number }[] = [];
  for (const r of rows) for (const i of r.chains) items.push({ row: { entry: r.entry, chains: [i] }, value: sortValue(r.entry.group.samples[i]!, sort.key) });
  const dir = sort.descending ? -1 : 1;
  // Array.prototype.sort is stable: equal values keep the shown order.
  items.sort((a, b) => (Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : Number.isNaN(b.value) ? -1 : dir * (a.value - b.value)));
  return items.map((x) => x.row);
}

/** Engine-reported fields present, sorted, for the sort dropdown. */
export function engineFields(entries: readonly GroupEntry[]): string[] {
  const names = new Set<string>();
  for (const e of entries) for (const s of e.group.samples) for (const k of Object.keys(s.engine ?? {})) names.add(k);
  return [...names].sort();
}

/** How many chains raise each flag. */
export function countFlags(entries: readonly GroupEntry[]): Record<HackFlag, number> {
  const counts = Object.fromEntries(HACK_FLAGS.map((f) => [f, 0])) as Record<HackFlag, number>;
  for (const e of entries) for (let i = 0; i < e.group.samples.length; i++) for (const f of flagsOf(e, i)) counts[f]++;
  return counts;
}

/** Every violation code present, sorted, for the filter dropdown. */
export function violationCodes(entries: readonly GroupEntry[]): string[] {
  const codes = new Set<string>();
  for (const e of entries) for (const s of e.group.samples) for (const v of s.rewards.violations) codes.add(v.code);
  return [...codes].sort();
}
