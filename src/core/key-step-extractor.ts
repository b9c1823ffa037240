// Rule-based key-step extraction from a reference solution (DESIGN §5): equations, numbers with
// units, and short named entities, taken from the step bodies (or the whole text when the
// solution has no steps), in order and without duplicates.
import type { KeyStepGroup } from './reward-types';
import { parseChain } from './chain-parser';
import { normalizeForMatch } from './match-normalize';

export interface ExtractOptions {
  /** At most this many key steps (default 8). */
  max?: number;
}

const CLAUSE_BREAK = /[,;:!?]\s|\.\s|\.$|\n|\s(?:so|thus|then|hence|therefore|and|which|where|because)\s/gi;
const MAX_EQUATION = 60;

export function extractKeySteps(solution: string, opts: ExtractOptions = {}): KeyStepGroup[] {
  const max = opts.max ?? 8;
  const chain = parseChain(solution);
  const steps = chain.sections.filter((s) => s.kind === 'step');
  const texts = steps.length > 0 ? steps.map((s) => solution.slice(s.body.start, s.body.end)) : [solution];
  const found: string[] = [];
  const seen = new Set<string>();
  const add = (candidate: string): void => {
    const c = candidate.trim().replace(/\s+/g, ' ');
    if (c.length < 2 || found.length >= max) return;
    const key = normalizeForMatch(c).text;
    if (key.length < 2 || seen.has(key)) return;
    // skip what an earlier key step already contains (a number inside an equation)
    for (const k of seen) if (k.includes(key)) return;
    seen.add(key);
    found.push(c);
  };
  for (const text of texts) {
    for (const clause of clauses(text.length > 20_000 ? text.slice(0, 20_000) : text)) {
      if (clause.includes('=') && clause.length <= MAX_EQUATION) add(stripLead(clause));
    }
    for (const m of text.matchAll(/(?<![\w.])-?\d+(?:[.,]\d+)?\s?(?:%|°|[A-Za-z]{1,12}\b)/g)) add(m[0]);
    for (const m of text.matchAll(/(?<=[a-z0-9,;] )(?:[A-Z][a-z]{2,}|[A-Z]{2,4})(?: (?:[A-Z][a-z]{2,}|[a-z]{3,}(?= theorem| rule| law)))?(?: (?:theorem|rule|law|formula))?/g))
      add(m[0]);
  }
  return found;
}

function clauses(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of text.matchAll(CLAUSE_BREAK)) {
    out.push(text.slice(from, m.index));
    from = m.index + m[0].length;
  }
  out.push(text.slice(from));
  return out.map((c) => c.trim()).filter((c) => c.length > 0);
}

/** `we get x = 5` → `x = 5`: drop lower-case lead words before the expression. */
function stripLead(clause: string): string {
  const eq = clause.indexOf('=');
  const before = clause.slice(0, eq);
  const words = before.split(' ');
  let k = 0;
  while (k < words.length - 1 && /^[a-z]{2,}$/.test(words[k]!)) k++;
  return [...words.slice(k), clause.slice(eq)].join(' ').replace(/\s+=/, ' =');
}
