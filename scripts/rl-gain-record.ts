// A run's paired gain over both SFT figures (src/trainer/rl-gain.ts) as JSON, with the run's own
// evaluations, for the record of a README table:
//   node --import tsx scripts/rl-gain-record.ts RUN_DIR > docs/results/demo.json
import { readRunEvents } from '../src/rundir/event-log-reader';
import type { TrainerEvent } from '../src/protocol/trainer-messages';
import { measureRlGain } from '../src/trainer/rl-gain';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: rl-gain-record.ts RUN_DIR');
  const { events } = await readRunEvents(dir);
  const evaluations = events.filter((e): e is Extract<TrainerEvent, { type: 'metrics' }> => e.type === 'metrics' && e.phase === 'eval').map((e) => ({ step: e.step, ...e.values }));
  const started = performance.now();
  const gain = await measureRlGain(dir);
  if (!gain) throw new Error(`${dir}: no RL checkpoint`);
  console.log(JSON.stringify({ run: dir, evaluations, gain, reevaluationSeconds: (performance.now() - started) / 1000 }));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
