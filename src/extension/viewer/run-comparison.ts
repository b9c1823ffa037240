// Two runs side by side (pure): which step of the compared run lines up with the shown run's step,
// and which of its groups goes beside each shown group. A branch counts its steps from 1 on top of
// its parent's checkpoint (branch-offset.ts), so steps are compared on the parent's axis:
// `step + offset`. Free of `vscode` so it is unit-tested directly.
import type { ComparePair } from '../../protocol/viewer-messages';
import type { RolloutGroup } from '../../protocol/trainer-messages';

/** The compared run's step that lines up with `step` of the shown run. */
export function alignedStep(step: number, shownOffset: number, comparedOffset: number): number {
  return step + shownOffset - comparedOffset;
}

/** Up to `count` of `steps` closest to `target`, nearest first (the earlier of two equally near). */
export function nearestSteps(steps: readonly number[], target: number, count = 2): number[] {
  return [...steps].sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b).slice(0, count);
}

/** What the compared run holds: its groups at a step, and one prompt's groups across steps. */
export interface ComparedGroups {
  groups(step: number): RolloutGroup[];
  history(promptId: string): { step: number; index: number; group: RolloutGroup }[];
}

/**
 * One pair per shown group, in the shown order: the compared run's group of the same prompt at the
 * aligned step (the k-th group of a prompt pairs with its k-th there), else that prompt's group at
 * the compared run's nearest step (`at: 'nearest'`), else none. The compared run's groups at the
 * aligned step that no shown group took come last, alone.
 */
export function pairGroups(shown: readonly RolloutGroup[], compared: ComparedGroups, step: number): ComparePair[] {
  const there = compared.groups(step);
  const taken = new Set<number>();
  const pairs: ComparePair[] = shown.map((group, index) => {
    const same = there.findIndex((g, i) => !taken.has(i) && g.promptId === group.promptId);
    if (same >= 0) {
      taken.add(same);
      return { promptId: group.promptId, shown: index, compared: { step, index: same, group: there[same]! }, at: 'same' };
    }
    const history = compared.history(group.promptId);
    const nearest = nearestSteps(
      history.map((h) => h.step),
      step,
      1,
    )[0];
    const found = history.find((h) => h.step === nearest);
    return found ? { promptId: group.promptId, shown: index, compared: found, at: 'nearest' } : { promptId: group.promptId, shown: index, compared: null, at: 'none' };
  });
  there.forEach((group, index) => {
    if (!taken.has(index)) pairs.push({ promptId: group.promptId, shown: null, compared: { step, index, group }, at: 'same' });
  });
  return pairs;
}
