// Loads many test files into one node:test process. A process per file (node --test) pays tsx and
// the heavy imports (onnxruntime, compute-engine) once per file, ~1–2 s each on 2 cores; the fast
// loop (`npm run test:unit`) runs two of these shards instead. Files must not rely on process
// isolation (they clean up their temp folders and listeners).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

void (async () => {
  for (const file of process.argv.slice(2)) await import(pathToFileURL(path.resolve(file)).href);
})();
