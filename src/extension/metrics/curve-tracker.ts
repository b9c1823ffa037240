// A run's learning curves per key step and per violation type (core/learning-curves.ts), fed by its
// rollout events as they are read or arrive. A step written again without `partial` (a resumed run
// repeats the step it was killed in) starts over; a violation code seen for the first time adds a
// 0 to every earlier step so its curve has no gap. Free of `vscode`: unit-tested directly.
import { countCurves, curveValues, emptyCurveCounts, type CurveChain, type CurveCounts } from '../../core/learning-curves';

export interface CurveEvent {
  step: number;
  groups: readonly { samples: readonly CurveChain[] }[];
  partial?: boolean;
}

export class CurveTracker {
  private readonly steps = new Map<number, CurveCounts>();
  private readonly codes = new Set<string>();

  /** Adds one rollout event; returns the points (step → curve values) that changed. */
  add(event: CurveEvent): Map<number, Record<string, number>> {
    let counts = this.steps.get(event.step);
    if (!counts || !event.partial) this.steps.set(event.step, (counts = emptyCurveCounts()));
    countCurves(counts, event.groups);
    const codesBefore = this.codes.size;
    for (const code of counts.violations.keys()) this.codes.add(code);
    const changed = this.codes.size > codesBefore ? [...this.steps.keys()] : [event.step];
    return new Map(changed.map((step) => [step, curveValues(this.steps.get(step)!, this.codes)]));
  }
}
