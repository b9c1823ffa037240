// From a chart's point to the Rollout viewer: the arguments of the viewer's `showStep` command. A
// learning curve's point (core/learning-curves.ts) also names the chains behind it as a filter.
import { curveFilter, type CurveFilter } from '../../core/learning-curves';

/** The Rollout viewer's command that opens a run at a step (registered by the viewer). */
export const VIEWER_SHOW_STEP = 'stepgrpo.viewer.showStep';

export interface ViewerStepArgs {
  runDir: string;
  step: number;
  promptId?: string;
  filter?: CurveFilter;
}

export function viewerStepArgs(runDir: string, step: number, metric: string): ViewerStepArgs {
  const filter = curveFilter(metric);
  return filter ? { runDir, step, filter } : { runDir, step };
}
