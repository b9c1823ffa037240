// Key-step formats (DESIGN §5): the R1-VL-10K `key_steps` object `{Steps: [...]}`, a bare list
// (items: a string, or a list of alternative strings), or the raw extraction text
// "Key Elements: Image Description: [...]; Rationales: [...]; Step 1: [...] ...".
import type { KeyStepGroup } from './reward-types';

/** A key-step value of the wrong shape; the message names the field and index. */
export class KeyStepFormatError extends Error {
  constructor(
    message: string,
    /** Path of the offending field, e.g. `key_steps.Steps[2][1]`. */
    readonly field: string,
  ) {
    super(message);
    this.name = 'KeyStepFormatError';
  }
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Reads key steps from any accepted format. `undefined`/`null` and an object without `Steps` mean
 * "no key steps" (ratio 0). `where` prefixes field names in errors (default `key_steps`).
 */
export function parseKeySteps(value: unknown, where = 'key_steps'): KeyStepGroup[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return parseKeyElementsText(value);
  if (Array.isArray(value)) return parseList(value, where);
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (!('Steps' in obj) || obj.Steps === undefined || obj.Steps === null) return [];
    if (!Array.isArray(obj.Steps)) {
      throw new KeyStepFormatError(`${where}.Steps: expected a list, got ${kindOf(obj.Steps)}`, `${where}.Steps`);
    }
    return parseList(obj.Steps, `${where}.Steps`);
  }
  throw new KeyStepFormatError(`${where}: expected {Steps: [...]}, a list or "Key Elements: ..." text, got ${kindOf(value)}`, where);
}

function parseList(items: readonly unknown[], where: string): KeyStepGroup[] {
  return items.map((item, i) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item)) {
      return item.map((alt, j) => {
        if (typeof alt !== 'string') {
          throw new KeyStepFormatError(`${where}[${i}][${j}]: expected a string, got ${kindOf(alt)}`, `${where}[${i}][${j}]`);
        }
        return alt;
      });
    }
    throw new KeyStepFormatError(`${where}[${i}]: expected a string or a list of alternative strings, got ${kindOf(item)}`, `${where}[${i}]`);
  });
}

/**
 * The raw text the paper's extraction prompt produces. Only the `Step N: [...]` entries are key
 * steps (the description and rationale entries describe the image, not the reasoning); inside the
 * brackets, items are separated by commas at the top level, and `a | b` or `a / b` with spaces
 * marks alternatives. Without any `Step` entry, every bracketed list counts.
 */
export function parseKeyElementsText(text: string): KeyStepGroup[] {
  const entries = bracketEntries(text);
  const steps = entries.filter((e) => /^step\s*\d+$/i.test(e.label));
  const chosen = steps.length > 0 ? steps : entries;
  const out: KeyStepGroup[] = [];
  for (const e of chosen) {
    for (const item of splitItems(e.content)) {
      const alts = item
        .split(/\s\|\s/)
        .map((a) => unquote(a.trim()))
        .filter((a) => a.length > 0);
      if (alts.length === 1) out.push(alts[0]!);
      else if (alts.length > 1) out.push(alts);
    }
  }
  return out;
}

interface Entry {
  label: string;
  content: string;
}

/** `Label: [content]` pairs, scanning brackets with nesting (linear). */
function bracketEntries(text: string): Entry[] {
  const out: Entry[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('[', i);
    if (open < 0) break;
    let level = 0;
    let close = -1;
    for (let k = open; k < text.length; k++) {
      const c = text[k];
      if (c === '[') level++;
      else if (c === ']' && --level === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) break;
    const before = text.slice(Math.max(i, open - 80), open);
    const colon = before.lastIndexOf(':');
    const labelText = colon >= 0 ? before.slice(0, colon) : before;
    const sep = Math.max(labelText.lastIndexOf(';'), labelText.lastIndexOf('\n'), labelText.lastIndexOf(':'));
    out.push({ label: labelText.slice(sep + 1).trim(), content: text.slice(open + 1, close) });
    i = close + 1;
  }
  return out;
}

function splitItems(content: string): string[] {
  const out: string[] = [];
  let level = 0;
  let from = 0;
  let quote: string | null = null;
  for (let k = 0; k < content.length; k++) {
    const c = content[k]!;
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      if (k === from || /[\s,]/.test(content[k - 1] ?? ' ')) quote = c;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') level--;
    else if (c === ',' && level === 0 && !/\d/.test(content[k + 1] ?? '')) {
      out.push(content.slice(from, k));
      from = k + 1;
    }
  }
  out.push(content.slice(from));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1).trim();
  return s;
}
