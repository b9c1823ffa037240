// The header's run label, the phase banner and the empty list's text (pure): the label follows the
// run state in the one vocabulary ("live" while a trainer works on it, then how it ended); during
// the SFT warm-up, when a run has no rollouts yet, the banner says why the list is empty and when
// chains will come. Plain text only: nothing here is Markdown.
import { isTerminal } from '../../src/protocol/run-status';
import type { ViewerRun } from '../../src/protocol/viewer-messages';

export function describeRun(run: ViewerRun): string {
  if (isTerminal(run.status)) return run.status;
  if (run.status === 'paused' || run.status === 'stopping') return `live · ${run.status}`;
  return 'live';
}

/** The banner text, or null when there is nothing to explain (rollouts are there, or the run is over). */
export function phaseBanner(run: ViewerRun, rolloutSteps: number): string | null {
  if (rolloutSteps > 0) return null;
  const total = run.totalSteps !== null ? ` of ${run.totalSteps}` : '';
  const rlAt = run.rlStartsAt;
  if (!isTerminal(run.status) && (run.phase === 'sft' || (rlAt !== null && run.step < rlAt))) {
    const when =
      rlAt !== null
        ? ` Rollouts appear here when RL starts, after step ${rlAt}${rlAt > run.step ? ` (${rlAt - run.step} steps to go)` : ''}.`
        : ' Rollouts appear here when RL starts.';
    return `SFT warm-up in progress: step ${run.step}${total}, training on the demonstrations (no sampled chains to show yet).${when}`;
  }
  if (!isTerminal(run.status)) return run.status === 'starting' ? 'The trainer is starting…' : 'Waiting for the first RL step’s rollouts…';
  return `This run has no rollouts: it ${run.status} at step ${run.step}${rlAt !== null && run.step <= rlAt ? ', before RL started' : ''}.`;
}

/** Why the list is empty, or null when it shows rows (or the phase banner already says why). */
export function emptyListText(o: { loaded: number; shown: number; history: string | null; step: number | null; hasRun: boolean }): string | null {
  if (o.shown > 0) return null;
  if (!o.hasRun) return 'No run selected. Choose run… picks one.';
  if (o.loaded > 0) return 'No chain passes the filters. Esc clears the prompt and key-step filters; the toolbar holds the others.';
  if (o.history !== null) return `Prompt ${o.history} has no chains in this run.`;
  return o.step === null ? null : `Step ${o.step} has no rollouts.`;
}
