// Reads a dataset file as records with their line numbers: JSON Lines (one object a line) or one JSON
// array (line of each element found by a small scanner, since JSON.parse keeps no positions).

export interface SourceRecord {
  /** 1-based line where the record starts. */
  line: number;
  value: unknown;
}

export interface RecordParseError {
  line: number;
  message: string;
}

export interface ParsedRecords {
  records: SourceRecord[];
  errors: RecordParseError[];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Offsets where each element of the top-level array begins (the text is assumed to be valid JSON). */
export function arrayElementOffsets(text: string): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (depth === 1 && expectValue && ch !== ']' && ch !== ',') {
      offsets.push(i);
      expectValue = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 1) expectValue = true;
  }
  return offsets;
}

/** Where JSON.parse failed, as a line number, when its message carries a position. */
function parseErrorLine(text: string, err: Error): number {
  const m = /position (\d+)/.exec(err.message);
  return m ? lineAt(lineStarts(text), Number(m[1])) : 1;
}

export function parseRecords(text: string): ParsedRecords {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = body.search(/\S/);
  if (first < 0) return { records: [], errors: [] };
  if (body[first] === '[') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { records: [], errors: [{ line: parseErrorLine(body, e as Error), message: `invalid JSON: ${(e as Error).message}` }] };
    }
    const starts = lineStarts(body);
    const offsets = arrayElementOffsets(body);
    const items = parsed as unknown[];
    return { records: items.map((value, k) => ({ line: lineAt(starts, offsets[k] ?? 0), value })), errors: [] };
  }
  const records: SourceRecord[] = [];
  const errors: RecordParseError[] = [];
  body.split('\n').forEach((raw, k) => {
    const line = raw.trim();
    if (line === '') return;
    try {
      records.push({ line: k + 1, value: JSON.parse(line) });
    } catch (e) {
      errors.push({ line: k + 1, message: `invalid JSON: ${(e as Error).message}` });
    }
  });
  return { records, errors };
}
