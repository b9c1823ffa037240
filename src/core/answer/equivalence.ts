// Is a predicted answer the gold answer? Fast paths first — canonical strings, choice letters,
// numbers (tolerance, fractions, percent, degrees) — then structure (lists, tuples, intervals,
// relations), and the CAS (compute-engine) only for what is left.
import { answerCore } from './extract';
import { canonicalAnswer, comparableString } from './canonical';
import { goldChoiceLetter, predictedChoiceLetter } from './choice';
import { numbersAgree, parseNumeric } from './numeric';
import { symbolicEqual } from './symbolic';

export type AnswerPath = 'string' | 'choice' | 'number' | 'structure' | 'symbolic' | 'none';

export interface AnswerVerdict {
  correct: boolean;
  /** Which check decided (for diagnostics and the benchmark). */
  path: AnswerPath;
}

export interface AnswerCheckOptions {
  /** Relative tolerance for numbers. */
  tolerance?: number;
  /** Allow the symbolic slow path (default true). */
  symbolic?: boolean;
}

/** Compares a predicted answer text with a gold answer text (either may be a whole solution). */
export function checkAnswer(pred: string, gold: string, opts: AnswerCheckOptions = {}): AnswerVerdict {
  const tolerance = opts.tolerance ?? 1e-6;
  const symbolic = opts.symbolic ?? true;
  const g = canonicalAnswer(answerCore(gold));
  const p = canonicalAnswer(answerCore(pred));
  if (g.length === 0 || p.length === 0) return { correct: false, path: 'none' };
  if (comparableString(p) === comparableString(g)) return { correct: true, path: 'string' };

  const letter = goldChoiceLetter(g);
  if (letter) return { correct: predictedChoiceLetter(p) === letter, path: 'choice' };

  return compare(valueSide(p), valueSide(g), tolerance, symbolic, 0);
}

function compare(p: string, g: string, tolerance: number, symbolic: boolean, depth: number): AnswerVerdict {
  if (comparableString(p) === comparableString(g)) return { correct: true, path: 'string' };
  const gn = parseNumeric(g) ?? parseNumeric(stripUnits(g));
  const pn = parseNumeric(p) ?? parseNumeric(stripUnits(p));
  if (gn && pn) return { correct: numbersAgree(pn, gn, tolerance), path: 'number' };

  if (depth < 3) {
    const structured = compareStructure(p, g, tolerance, symbolic, depth);
    if (structured) return structured;
  }
  if (symbolic) {
    const s = symbolicEqual(toCasLatex(p), toCasLatex(g), Math.max(tolerance, 1e-9));
    if (s !== null) return { correct: s, path: 'symbolic' };
  }
  return { correct: false, path: 'none' };
}

/**
 * The value an answer states: `x = 5` → `5` when the left side is a name; chains of equalities
 * keep their last side; `a ≈ b` keeps the exact side.
 */
export function valueSide(s: string): string {
  let t = s;
  const approx = t.indexOf('\\approx');
  if (approx >= 0) t = t.includes('=') ? t.slice(0, approx) : t.slice(approx + 7);
  const parts = splitTopLevel(t, '=');
  if (parts.length >= 3) return parts[parts.length - 1]!.trim();
  if (parts.length === 2 && isName(parts[0]!.trim())) return parts[1]!.trim();
  return t.trim();
}

/** A variable-like left side: `x`, `k`, `a_3`, `f(x)`, `S_{ABC}`, `|AB|`, `\theta`. */
function isName(s: string): boolean {
  return s.length > 0 && s.length <= 24 && /^(?:\\?[A-Za-z]+|\|[A-Za-z]+\|)(?:_\{?[\w,]+\}?)?(?:\([A-Za-z,\s]*\))?$/.test(s);
}

/** `125 miles`, `15 cm^2`, `10 \text{ yuan}` → the number part. */
function stripUnits(s: string): string {
  if (s.length > 64) return s;
  const m = /^([-+]?[\d.,]*\d)\s*(?:\\?[A-Za-zµ€£¥²³]+[\w^{}²³]*\s*){1,3}$/.exec(s);
  return m ? m[1]! : s;
}

/** Splits at `sep` outside brackets and braces. */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let level = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      if (s.startsWith('\\{', i) || s.startsWith('\\}', i)) level += s[i + 1] === '{' ? 1 : -1;
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') level--;
    else if (level === 0 && s.startsWith(sep, i)) {
      out.push(s.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

interface Shape {
  open: string;
  close: string;
  items: string[];
}

/** `(a, b)`, `[a, b)`, `\{a, b\}`, `{a, b}` or a bare `a, b` list. */
function shapeOf(s: string): Shape | null {
  let t = s.trim();
  let open = '';
  let close = '';
  if (t.startsWith('\\{') && t.endsWith('\\}')) {
    open = '{';
    close = '}';
    t = t.slice(2, -2);
  } else if (/^[([{]/.test(t) && /[)\]}]$/.test(t) && enclosesWhole(t)) {
    open = t[0]!;
    close = t[t.length - 1]!;
    t = t.slice(1, -1);
  }
  const items = splitTopLevel(t, ',')
    .flatMap((x) => splitTopLevel(x, ';'))
    .flatMap((x) => x.split(/\s(?:and|or)\s/))
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  if (items.length < 2 && !open) return null;
  return { open, close, items };
}

/** True when the first bracket closes at the last character (so `(1,2),(3,4)` is not one tuple). */
function enclosesWhole(t: string): boolean {
  let level = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') level++;
    else if (c === ')' || c === ']' || c === '}') {
      level--;
      if (level === 0 && i < t.length - 1) return false;
    }
  }
  return level === 0;
}

function compareStructure(p: string, g: string, tolerance: number, symbolic: boolean, depth: number): AnswerVerdict | null {
  const relation = compareRelations(p, g, tolerance, symbolic, depth);
  if (relation) return relation;
  const gu = splitTopLevel(g, '\\cup');
  const pu = splitTopLevel(p, '\\cup');
  if (gu.length > 1 || pu.length > 1) {
    if (gu.length !== pu.length) return { correct: false, path: 'structure' };
    const ok = gu.every((x, i) => compare(pu[i]!.trim(), x.trim(), tolerance, symbolic, depth + 1).correct);
    return { correct: ok, path: 'structure' };
  }
  const gs = shapeOf(g);
  const ps = shapeOf(p);
  if (!gs || !ps) return null;
  const interval = (s: Shape): boolean => s.items.length === 2 && ((s.open === '[' || s.open === '(') && (s.close === ']' || s.close === ')'));
  if (interval(gs) || interval(ps)) {
    if (gs.open !== ps.open || gs.close !== ps.close || gs.items.length !== ps.items.length) return { correct: false, path: 'structure' };
    const ok = gs.items.every((x, i) => compare(valueSide(ps.items[i]!), valueSide(x), tolerance, symbolic, depth + 1).correct);
    return { correct: ok, path: 'structure' };
  }
  if (gs.items.length !== ps.items.length) return gs.items.length > 1 || ps.items.length > 1 ? { correct: false, path: 'structure' } : null;
  const ordered = gs.open === '(' && ps.open === '(';
  if (ordered) {
    const ok = gs.items.every((x, i) => compare(valueSide(ps.items[i]!), valueSide(x), tolerance, symbolic, depth + 1).correct);
    return { correct: ok, path: 'structure' };
  }
  // sets and bare lists: order does not matter
  const left = ps.items.map(valueSide);
  for (const x of gs.items.map(valueSide)) {
    const k = left.findIndex((y) => compare(y, x, tolerance, symbolic, depth + 1).correct);
    if (k < 0) return { correct: false, path: 'structure' };
    left.splice(k, 1);
  }
  return { correct: true, path: 'structure' };
}

const RELATIONS: [string, string][] = [
  ['\\leq', '\\geq'],
  ['\\geq', '\\leq'],
  ['\\neq', '\\neq'],
  ['<', '>'],
  ['>', '<'],
];

/** `x \geq 5` ≡ `5 \leq x`: one relation each side, compared with the sides read in a fixed direction. */
function compareRelations(p: string, g: string, tolerance: number, symbolic: boolean, depth: number): AnswerVerdict | null {
  const rg = relationOf(g);
  const rp = relationOf(p);
  if (!rg && !rp) return null;
  if (!rg || !rp) return { correct: false, path: 'structure' };
  const direct = rg.op === rp.op && compare(rp.lhs, rg.lhs, tolerance, symbolic, depth + 1).correct && compare(rp.rhs, rg.rhs, tolerance, symbolic, depth + 1).correct;
  if (direct) return { correct: true, path: 'structure' };
  const flipped = rg.flip === rp.op && compare(rp.rhs, rg.lhs, tolerance, symbolic, depth + 1).correct && compare(rp.lhs, rg.rhs, tolerance, symbolic, depth + 1).correct;
  return { correct: flipped, path: 'structure' };
}

function relationOf(s: string): { op: string; flip: string; lhs: string; rhs: string } | null {
  for (const [op, flip] of RELATIONS) {
    const parts = splitTopLevel(s, op);
    if (parts.length === 2) return { op, flip, lhs: parts[0]!.trim(), rhs: parts[1]!.trim() };
  }
  return null;
}

/** LaTeX the CAS reads: `\pm` and presentation-only commands dropped, `^\circ` as degrees. */
function toCasLatex(s: string): string {
  return s.replace(/\^\\circ/g, '\\degree').replace(/\\%/g, '\\%');
}
