// Builds chains in the R1-VL section format, and documents around them, for the extension tests.
// Callers state what they need (step numbers, key steps); positions are found in the built text,
// never hard-coded.

export interface ChainSpec {
  description?: string;
  rationale?: string;
  /** Step bodies; numbered 1..n unless `numbers` says otherwise. */
  steps: string[];
  numbers?: number[];
  answer?: string;
}

export interface ReferenceSpec {
  answer?: string;
  key_steps?: (string | string[])[];
}

export function buildChain(spec: ChainSpec): string {
  const parts = [
    `### Image Description:\n${spec.description ?? 'A basket with 12 apples; 5 of them are red.'}`,
    `### Rationales:\n${spec.rationale ?? 'Count the apples that are not red.'}`,
    "### Let's think step by step.",
    ...spec.steps.map((body, i) => `### Step ${spec.numbers?.[i] ?? i + 1}:\n${body}`),
    `### The final answer is: ${spec.answer ?? '7'}`,
  ];
  return `${parts.join('\n\n')}\n`;
}

/** YAML front matter written as JSON flow values (valid YAML, no quoting surprises). */
export function withFrontMatter(chain: string, ref: ReferenceSpec): string {
  const lines = Object.entries(ref).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `---\n${lines.join('\n')}\n---\n\n${chain}`;
}

export function withComment(chain: string, ref: ReferenceSpec): string {
  return `${chain}\n<!-- stepgrpo: ${JSON.stringify(ref)} -->\n`;
}

export function jsonlLine(record: Record<string, unknown>): string {
  return JSON.stringify(record);
}

/** The apples chain used across tests: two key steps, both present, answer 7. */
export function applesChain(overrides: Partial<ChainSpec> = {}): string {
  return buildChain({ steps: ['There are 12 apples in total.', 'Not red: 12 - 5 = 7.'], ...overrides });
}

export const APPLES_REFERENCE: ReferenceSpec = { answer: '7', key_steps: ['12 - 5 = 7', ['12 apples', 'twelve apples']] };

/** Offset of the n-th (0-based) occurrence of `needle`; throws so a fixture typo fails loudly. */
export function offsetOf(text: string, needle: string, nth = 0): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`fixture: ${JSON.stringify(needle)} occurs fewer than ${nth + 1} times`);
  }
  return at;
}

export function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
