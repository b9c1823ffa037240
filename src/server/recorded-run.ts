// Checks a recorded run directory the way a reader sees it after any stop, kill -9 included: every
// complete line of rollouts.jsonl must be a valid event; only the last line may be incomplete (a
// write cut by the kill), and the reader reports it as skipped. Counts the chains recorded.
import path from 'node:path';
import type { Issue } from '../protocol/schema';
import { readEventLog } from '../rundir/event-log-reader';
import { RUN_FILES } from '../rundir/run-files';

export interface RecordedRunCheck {
  chains: number;
  steps: number[];
  /** Invalid lines and an incomplete last line, as `{path: 'rollouts.jsonl:LINE', message}`. */
  problems: Issue[];
}

export async function checkRecordedRun(dir: string): Promise<RecordedRunCheck> {
  const { events, problems } = await readEventLog(path.join(dir, RUN_FILES.rollouts));
  const steps = new Set<number>();
  let chains = 0;
  for (const event of events) {
    if (event.type !== 'rollouts') continue;
    steps.add(event.step);
    for (const g of event.groups) chains += g.samples.length;
  }
  return { chains, steps: [...steps].sort((a, b) => a - b), problems };
}
