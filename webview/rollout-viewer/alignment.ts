// Group alignment by step (pure): a group's chains side by side, one row per `### Step k` and a
// last row for the final answer, each cell the chain's section with the key steps it matched
// there. The divergence row is where the right and the wrong chains part: the first row at which
// some right chain and some wrong chain have matched different sets of key steps so far; when they
// match the same ones through every step, the answer row (docs/extension.md "Group alignment").
import type { ChainModel, Segment } from './chain-model';

export interface AlignedCell {
  /** Index into the chain model's sections, or null when the chain has no such row. */
  section: number | null;
  /** Key steps (indices into the reference's) matched inside this cell. */
  keySteps: number[];
}

export interface AlignedRow {
  label: string;
  /** The step number, or null for the answer row. */
  step: number | null;
  /** One cell per aligned chain, in the order given. */
  cells: AlignedCell[];
}

export interface Alignment {
  rows: AlignedRow[];
  /** Index into rows of the divergence row; null without both a right and a wrong chain. */
  divergence: number | null;
}

const keyStepsIn = (segs: readonly Segment[]): number[] => [...new Set(segs.flatMap((s) => s.keySteps))];

export function alignChains(chains: readonly { model: ChainModel; correct: boolean }[]): Alignment {
  const steps = new Set<number>();
  for (const c of chains) for (const s of c.model.sections) if (s.kind === 'step' && s.step !== undefined) steps.add(s.step);
  const cellOf = (model: ChainModel, match: (kind: string, step: number | undefined) => boolean): AlignedCell => {
    // A repeated step number (STEP_DUPLICATE) aligns its first occurrence.
    const section = model.sections.findIndex((s) => match(s.kind, s.step));
    if (section < 0) return { section: null, keySteps: [] };
    const s = model.sections[section]!;
    return { section, keySteps: keyStepsIn([...s.header, ...s.body]) };
  };
  const rows: AlignedRow[] = [...steps]
    .sort((a, b) => a - b)
    .map((step) => ({ label: `Step ${step}`, step, cells: chains.map((c) => cellOf(c.model, (kind, k) => kind === 'step' && k === step)) }));
  rows.push({ label: 'Answer', step: null, cells: chains.map((c) => cellOf(c.model, (kind) => kind === 'answer')) });
  return { rows, divergence: divergenceRow(rows, chains) };
}

function divergenceRow(rows: readonly AlignedRow[], chains: readonly { correct: boolean }[]): number | null {
  const right = chains.flatMap((c, i) => (c.correct ? [i] : []));
  const wrong = chains.flatMap((c, i) => (c.correct ? [] : [i]));
  if (right.length === 0 || wrong.length === 0) return null;
  const seen = chains.map(() => new Set<number>());
  const same = (a: Set<number>, b: Set<number>): boolean => a.size === b.size && [...a].every((k) => b.has(k));
  for (let r = 0; r < rows.length - 1; r++) {
    rows[r]!.cells.forEach((cell, i) => cell.keySteps.forEach((k) => seen[i]!.add(k)));
    if (right.some((a) => wrong.some((b) => !same(seen[a]!, seen[b]!)))) return r;
  }
  return rows.length - 1;
}
