// The viewer's keyboard (pure): which key does what, and the help list the page shows. Keys act
// only when the focus is not in a text field, so typing a search never moves the view.

export type KeyAction =
  | 'nextStep'
  | 'previousStep'
  | 'nextGroup'
  | 'previousGroup'
  | 'nextChain'
  | 'previousChain'
  | 'cycleValidity'
  | 'cycleAnswer'
  | 'cycleSpread'
  | 'cycleFlag'
  | 'cycleSort'
  | 'flipSortOrder'
  | 'cycleLayout'
  | 'cycleHeat'
  | 'history'
  | 'compare'
  | 'back'
  | 'search'
  | 'help';

export const KEY_BINDINGS: readonly { key: string; action: KeyAction; does: string }[] = [
  { key: ']', action: 'nextStep', does: 'next step' },
  { key: '[', action: 'previousStep', does: 'previous step' },
  { key: 'j', action: 'nextGroup', does: 'next group' },
  { key: 'k', action: 'previousGroup', does: 'previous group' },
  { key: 'l', action: 'nextChain', does: 'next chain' },
  { key: 'h', action: 'previousChain', does: 'previous chain' },
  { key: 'v', action: 'cycleValidity', does: 'StepRVR validity filter: all → valid → invalid' },
  { key: 'a', action: 'cycleAnswer', does: 'answer filter: any → ✓ → ✗' },
  { key: 'z', action: 'cycleSpread', does: 'reward spread filter: all groups → zero spread → with spread' },
  { key: 'f', action: 'cycleFlag', does: 'reward-hacking flag filter: next flag' },
  { key: 's', action: 'cycleSort', does: 'sort: next key' },
  { key: 'o', action: 'flipSortOrder', does: 'sort: flip the order' },
  { key: 'g', action: 'cycleLayout', does: 'layout: side by side → stacked → aligned by step' },
  { key: 't', action: 'cycleHeat', does: 'token heat overlay: off → log-prob → entropy → advantage' },
  { key: 'p', action: 'history', does: "the cursor's prompt across every step" },
  { key: 'c', action: 'compare', does: 'compare with another run, side by side at the same step' },
  { key: 'Escape', action: 'back', does: 'back from a prompt history; clear the prompt and key-step filters; leave compare mode' },
  { key: '/', action: 'search', does: 'search the chains' },
  { key: '?', action: 'help', does: 'show or hide this help' },
];

/** What a key press does, or null (modifiers other than Shift, or typing into a field). */
export function keyAction(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }, inTextField: boolean): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (inTextField && e.key !== 'Escape') return null;
  return KEY_BINDINGS.find((b) => b.key === e.key)?.action ?? null;
}

/** The next value of a cycle (wrapping), from the current one. */
export function cycle<T>(values: readonly T[], current: T, delta = 1): T {
  const at = values.indexOf(current);
  return values[(at + delta + values.length) % values.length]!;
}

/** A cursor over rows of chains: moves by chain (across rows) or by row. */
export function moveCursor(lengths: readonly number[], at: { row: number; chain: number } | null, by: 'chain' | 'row', delta: 1 | -1): { row: number; chain: number } | null {
  if (lengths.length === 0) return null;
  if (!at) return delta > 0 ? { row: 0, chain: 0 } : { row: lengths.length - 1, chain: by === 'row' ? 0 : lengths.at(-1)! - 1 };
  if (by === 'row') return { row: Math.min(lengths.length - 1, Math.max(0, at.row + delta)), chain: 0 };
  const chain = at.chain + delta;
  if (chain >= 0 && chain < lengths[at.row]!) return { row: at.row, chain };
  const row = at.row + delta;
  if (row < 0 || row >= lengths.length) return at;
  return { row, chain: delta > 0 ? 0 : lengths[row]! - 1 };
}
