// Writes media/run-config.schema.json from the trainer's config types and defaults
// (src/trainer/config-schema.ts). `npm run schema`; a unit test fails when the file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { runConfigSchema } from '../src/trainer/config-schema';

export const SCHEMA_FILE = path.join(__dirname, '..', 'media', 'run-config.schema.json');

export function schemaText(): string {
  return `${JSON.stringify(runConfigSchema(), null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(SCHEMA_FILE, schemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}
