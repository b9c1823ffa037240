// One line of a rollout `.jsonl` file: which field holds the chain, where that JSON string sits in
// the line, and how offsets inside the decoded chain map back to columns of the raw line.
import type { RewardReference } from '../../core/reward-types';
import { CHAIN_FIELDS, describe, readReferenceFields } from '../../core/record-fields';
import type { SpanProblem } from './chain-document';

export type JsonlLine =
  | { kind: 'blank' }
  /** Valid JSON with no chain field: metrics or other records, left alone. */
  | { kind: 'no-chain' }
  | { kind: 'error'; problem: SpanProblem }
  | {
      kind: 'chain';
      field: string;
      chainText: string;
      /** Column in the raw line of each decoded UTF-16 unit; one extra entry for the end. */
      columns: Uint32Array;
      reference: RewardReference;
      problems: SpanProblem[];
    };

interface ValueSpan {
  start: number;
  end: number;
}

function skipWhitespace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r' || line[i] === '\n')) i++;
  return i;
}

/** End (exclusive) of the JSON string literal starting at `i` (a `"`). */
function skipString(line: string, i: number): number {
  for (i++; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i + 1;
  }
  return line.length;
}

/** End (exclusive) of the JSON value starting at `i`. The line is known to be valid JSON. */
function skipValue(line: string, i: number): number {
  if (line[i] === '"') return skipString(line, i);
  if (line[i] === '{' || line[i] === '[') {
    let depth = 0;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '"') i = skipString(line, i) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return line.length;
  }
  while (i < line.length && !',}] \t\r\n'.includes(line[i]!)) i++;
  return i;
}

/** Spans of the values of a top-level object's keys (the last one wins, as in JSON.parse). */
export function topLevelValueSpans(line: string): Map<string, ValueSpan> {
  const spans = new Map<string, ValueSpan>();
  let i = skipWhitespace(line, 0);
  if (line[i] !== '{') return spans;
  i = skipWhitespace(line, i + 1);
  while (i < line.length && line[i] === '"') {
    const keyEnd = skipString(line, i);
    const key = JSON.parse(line.slice(i, keyEnd)) as string;
    i = skipWhitespace(line, keyEnd);
    i = skipWhitespace(line, i + 1); // the colon
    const end = skipValue(line, i);
    spans.set(key, { start: i, end });
    i = skipWhitespace(line, end);
    if (line[i] === ',') i = skipWhitespace(line, i + 1);
  }
  return spans;
}

/** Maps each decoded UTF-16 unit of the string literal at [start, end) to its raw column. */
export function stringColumns(line: string, literal: ValueSpan): Uint32Array {
  const columns: number[] = [];
  for (let i = literal.start + 1; i < literal.end - 1;) {
    columns.push(i);
    if (line[i] === '\\') i += line[i + 1] === 'u' ? 6 : 2;
    else i++;
  }
  columns.push(literal.end - 1);
  return Uint32Array.from(columns);
}

export function readJsonlLine(line: string): JsonlLine {
  if (line.trim() === '') return { kind: 'blank' };
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { kind: 'error', problem: { message: `This line is not valid JSON (${reason}); it is not scored.`, start: 0, end: line.length } };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { kind: 'error', problem: { message: `A rollout line must be a JSON object, not ${describe(record)}; it is not scored.`, start: 0, end: line.length } };
  }
  const fields = record as Record<string, unknown>;
  const field = CHAIN_FIELDS.find((f) => typeof fields[f] === 'string');
  if (!field) return { kind: 'no-chain' };
  const spans = topLevelValueSpans(line);
  const literal = spans.get(field);
  if (!literal) return { kind: 'no-chain' };
  const { reference, problems } = readReferenceFields(fields, `Record`);
  return {
    kind: 'chain',
    field,
    chainText: fields[field] as string,
    columns: stringColumns(line, literal),
    reference,
    problems: problems.map((p) => {
      const at = spans.get(p.field) ?? spans.get(p.field.split('.')[0]!) ?? { start: 0, end: line.length };
      return { message: p.message, start: at.start, end: at.end };
    }),
  };
}
