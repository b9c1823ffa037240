// The run folder an import leaves (DESIGN §4 layout): config.json saying where it came from, the
// rollouts, and `done`, so the Runs view lists it as a completed run rather than an interrupted one.
import { RunWriter } from '../../rundir/run-writer';
import type { ImportResult } from './rollout-import';

export function writeImportedRun(dir: string, from: string, result: ImportResult): void {
  const config = { imported: { from, records: result.records, skipped: result.skipped.length } };
  RunWriter.create(dir, config).append(...result.events, { v: 1, type: 'done', status: 'completed', summary: { imported: from } });
}
