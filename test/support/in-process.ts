// Loads many test files into one node:test process. A process per file (node --test) pays tsx and
// the heavy imports (onnxruntime, compute-engine) once per file, ~1–2 s each on 2 cores; the lanes
// run two of these shards instead. Files must not rely on process isolation (they clean up their
// temp folders and listeners). `--unit` first: the unit lane's guard (no ORT session, no child).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertUnitLanePure, guardUnitLane } from './unit-lane-guard';

const args = process.argv.slice(2);
const unit = args[0] === '--unit';

void (async () => {
  if (unit) guardUnitLane();
  for (const file of unit ? args.slice(1) : args) await import(pathToFileURL(path.resolve(file)).href);
  if (unit) assertUnitLanePure();
})();
