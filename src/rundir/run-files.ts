// The names of the files in a run directory (DESIGN §4), in one place: every writer and reader of
// runs takes them from here.
import type { TrainerEventType } from '../protocol/trainer-messages';

export const RUN_FILES = {
  config: 'config.json',
  /** Every protocol event, one line each: the replay log and the source of truth. */
  events: 'events.ndjson',
  metrics: 'metrics.jsonl',
  rollouts: 'rollouts.jsonl',
  checkpoints: 'checkpoints',
  /** The trainer's stderr. */
  log: 'trainer.log',
  /** Present while a process writes the run: its pid and start time (run-lock.ts). */
  lock: 'run.lock',
  /** How far an engine-folder import has read its source (server/import/import-cursor.ts). */
  importCursor: 'import-cursor.json',
} as const;

/** The projection file (for tools and `grep`) that also receives events of this type, if any. */
export function projectionOf(type: TrainerEventType): typeof RUN_FILES.metrics | typeof RUN_FILES.rollouts | undefined {
  return type === 'metrics' ? RUN_FILES.metrics : type === 'rollouts' ? RUN_FILES.rollouts : undefined;
}
