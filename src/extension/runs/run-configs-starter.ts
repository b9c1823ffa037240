// What New Run Config writes: the fields a researcher changes first, with the schema's defaults
// (so the file restates the demo preset until edited). Free of `vscode` for the unit tests.
import { runConfigSchema, type JsonSchema } from '../../protocol/run-config-check';

const STARTER_FIELDS: [section: string, fields: string[]][] = [
  ['sft', ['steps']],
  ['rl', ['steps', 'promptsPerStep', 'groupSize', 'temperature', 'lr', 'beta', 'advantage']],
  ['reward', []],
  ['eval', ['every', 'prompts']],
];

/** The starting file's content: chosen fields with their defaults, read from the schema. */
export function starterConfig(): Record<string, unknown> {
  const props = runConfigSchema.properties as Record<string, JsonSchema>;
  const out: Record<string, unknown> = {};
  for (const [section, fields] of STARTER_FIELDS) {
    const s = props[section]!;
    if (fields.length === 0) {
      out[section] = s.default;
      continue;
    }
    const sub = s.properties as Record<string, JsonSchema>;
    out[section] = Object.fromEntries(fields.map((f) => [f, sub[f]!.default]));
  }
  return out;
}
