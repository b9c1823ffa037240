// The run folder an import leaves (DESIGN §4 layout): config.json saying where it came from,
// rollouts.jsonl, and events.ndjson with the same events plus `done`, so the Runs view lists it
// as a completed run rather than an interrupted one.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TrainerEvent } from '../../protocol/trainer-messages';
import type { ImportResult } from './rollout-import';

export async function writeImportedRun(dir: string, from: string, result: ImportResult): Promise<void> {
  const lines = (es: TrainerEvent[]) => es.map((e) => `${JSON.stringify(e)}\n`).join('');
  const config = { imported: { from, records: result.records, skipped: result.skipped.length } };
  await fs.writeFile(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await fs.writeFile(path.join(dir, 'rollouts.jsonl'), lines(result.events));
  await fs.writeFile(path.join(dir, 'events.ndjson'), lines([...result.events, { v: 1, type: 'done', status: 'completed', summary: { imported: from } }]));
}
