// Is a predicted answer the gold answer? Fast paths first — canonical strings, choice letters,
// numbers (tolerance, fractions, percent, degrees) — then what the answer states (values of
// labelled equations, relations, sets), structure (lists, tuples, intervals, matrices), and the
// CAS (compute-engine) only for what is left.
import { answerCore } from './locate';
import { canonicalAnswer, comparableString } from './canonical';
import { goldChoiceLetter, predictedChoiceLetter } from './choice';
import { numbersAgree, parseNumeric, type NumericAnswer } from './numeric';
import { compareStructure } from './structure';
import { FLIPPED, equationOf, expandPlusMinus, isLabel, relationOf, setForm, statedLabel, valueSide, type Relation } from './statement';
import { symbolicEqual, symbolicProportional } from './symbolic';
import { closedFormEqual } from './closed-form';
import { statesApproximation, withoutLeadingMarker } from './approximation';

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

/**
 * Compares the answer section of a chain (the final-answer paragraph, or a short answer) with a
 * gold answer text (a short answer or a whole reference solution). The answer is read from the
 * boxes, an answer lead or a copula of that text, never from a stray number (DESIGN §5).
 */
export function checkAnswer(pred: string, gold: string, opts: AnswerCheckOptions = {}): AnswerVerdict {
  return decide(pred, gold, answerCore(pred), answerCore(gold), opts);
}

/**
 * Compares a free-form prediction (a whole model output with no chain structure, as Math-Verify's
 * suite passes it) with a gold answer. Reads both like checkAnswer, and when the answer is only
 * in prose ("… so there are 12 ways"), takes the last number of that prose. Not used by the chain
 * reward, whose answer comes from the final-answer section only.
 */
export function checkFreeFormAnswer(pred: string, gold: string, opts: AnswerCheckOptions = {}): AnswerVerdict {
  return decide(pred, gold, answerCore(pred, { freeForm: true }), answerCore(gold, { freeForm: true }), opts);
}

function decide(pred: string, gold: string, predCore: string, goldCore: string, opts: AnswerCheckOptions): AnswerVerdict {
  const ctx: Ctx = { tolerance: opts.tolerance ?? 1e-6, symbolic: opts.symbolic ?? true, pred, gold };
  const g = canonicalAnswer(goldCore);
  const p = canonicalAnswer(predCore);
  if (g.length === 0 || p.length === 0) return { correct: false, path: 'none' };
  if (comparableString(p) === comparableString(g)) return { correct: true, path: 'string' };

  // Both state a value of a variable: it must be the same variable (`y = 5` is not `x = 5`).
  const pl = statedLabel(p);
  const gl = statedLabel(g);
  // (`|z|` names the same variable as `z`: `1 \leq |z| \leq 2` is a set of z)
  const variable = (label: string): string => comparableString(label).replace(/\|/g, '');
  if (pl !== null && gl !== null && variable(pl) !== variable(gl)) return { correct: false, path: 'structure' };

  const letter = goldChoiceLetter(g);
  if (letter) return { correct: predictedChoiceLetter(p) === letter, path: 'choice' };

  // Two equations that are not both `label = value` are compared as equations (`2x+4y-3=0` ≡ `y=-\frac{1}{2}x+\frac{3}{4}`).
  const pe = equationOf(p);
  const ge = equationOf(g);
  if (pe && ge && !(isLabel(pe.lhs) && isLabel(ge.lhs))) {
    const same = compare(pe.rhs, ge.rhs, ctx, 1).correct && compare(pe.lhs, ge.lhs, ctx, 1).correct;
    if (same || !ctx.symbolic) return { correct: same, path: 'structure' };
    return { correct: symbolicProportional(diff(pe.lhs, pe.rhs), diff(ge.lhs, ge.rhs), false) === true, path: 'symbolic' };
  }
  let pv = withoutLeadingMarker(valueSide(p));
  const gv = withoutLeadingMarker(valueSide(g));
  // A prediction written as a computation (`\frac{1}{2} \$ = \frac{10}{9}`) states its last side.
  const pRest = equationOf(pv);
  if (pRest && !equationOf(gv) && !relationOf(gv)) pv = pRest.rhs;
  return compare(pv, gv, ctx, 0);
}

interface Ctx {
  tolerance: number;
  symbolic: boolean;
  /** The answer texts as given: whether a rounded decimal is stated as an approximation is read there. */
  pred: string;
  gold: string;
}

const MAX_DEPTH = 3;

function compare(p: string, g: string, ctx: Ctx, depth: number): AnswerVerdict {
  if (comparableString(p) === comparableString(g)) return { correct: true, path: 'string' };
  const gn = parseNumeric(g) ?? parseNumeric(stripUnits(g));
  const pn = parseNumeric(p) ?? parseNumeric(stripUnits(p));
  if (gn && pn) {
    // compare() always receives the prediction's side first
    const approximate = (side: NumericAnswer): boolean => (side === pn ? statesApproximation(ctx.pred, p.trim()) : statesApproximation(ctx.gold, g.trim()));
    return { correct: numbersAgree(pn, gn, ctx.tolerance, approximate), path: 'number' };
  }

  if (depth < MAX_DEPTH) {
    const same = (x: string, y: string): boolean => compare(x, y, ctx, depth + 1).correct;
    const stated = compareStatements(p, g, ctx, same);
    if (stated !== null) return { correct: stated, path: 'structure' };
    const pp = expandPlusMinus(p) ?? p;
    const gg = expandPlusMinus(g) ?? g;
    const structured = compareStructure(pp, gg, same);
    if (structured !== null) return { correct: structured, path: 'structure' };
  }
  const closed = closedFormEqual(p, g, Math.max(ctx.tolerance, 1e-9));
  if (closed !== null) return { correct: closed, path: 'number' };
  if (ctx.symbolic) {
    const s = symbolicEqual(toCasLatex(p), toCasLatex(g), Math.max(ctx.tolerance, 1e-9));
    if (s !== null) return { correct: s, path: 'symbolic' };
  }
  return { correct: false, path: 'none' };
}

/**
 * Sets described by membership or inequalities (`x \in [a, b]` ≡ `a \leq x \leq b`, `-793 < a < 10`
 * ≡ `(-793, 10)`), and single relations with sides read in either direction (`5 \leq x` ≡
 * `x \geq 5`) or rearranged (`-x > -1` ≡ `x < 1`). Null when neither side is one of these.
 */
function compareStatements(p: string, g: string, ctx: Ctx, same: (x: string, y: string) => boolean): boolean | null {
  const gSet = setForm(g, false);
  const pSet = setForm(p, false);
  if (gSet || pSet) {
    const gs = gSet ?? setForm(g, true) ?? g;
    const ps = pSet ?? setForm(p, true) ?? p;
    return same(ps, gs);
  }
  const rg = relationOf(g);
  const rp = relationOf(p);
  if (!rg && !rp) return null;
  if (!rg || !rp) {
    // a single inequality against an interval: `x \geq 5` ≡ `[5, \infty)`
    const gs = rg ? setForm(g, true) : null;
    const ps = rp ? setForm(p, true) : null;
    return gs || ps ? same(ps ?? p, gs ?? g) : false;
  }
  if (rg.op === rp.op && same(rp.lhs, rg.lhs) && same(rp.rhs, rg.rhs)) return true;
  if (FLIPPED[rg.op] === rp.op && same(rp.rhs, rg.lhs) && same(rp.lhs, rg.rhs)) return true;
  if (!ctx.symbolic) return false;
  const np = normalRelation(rp);
  const ng = normalRelation(rg);
  return np.kind === ng.kind && symbolicProportional(np.diff, ng.diff, np.kind !== 'ne') === true;
}

/** `a < b` → `a - b < 0`, `a \geq b` → `b - a \leq 0`: a kind and a difference that is negative (or nonzero). */
function normalRelation(r: Relation): { kind: 'lt' | 'le' | 'ne'; diff: string } {
  switch (r.op) {
    case '<':
      return { kind: 'lt', diff: diff(r.lhs, r.rhs) };
    case '>':
      return { kind: 'lt', diff: diff(r.rhs, r.lhs) };
    case '\\leq':
      return { kind: 'le', diff: diff(r.lhs, r.rhs) };
    case '\\geq':
      return { kind: 'le', diff: diff(r.rhs, r.lhs) };
    default:
      return { kind: 'ne', diff: diff(r.lhs, r.rhs) };
  }
}

function diff(a: string, b: string): string {
  return `(${a})-(${b})`;
}

/**
 * `125 miles`, `15 cm^2`, `\frac{1}{3} meters`, `1,000.99m²` → the number part. A unit is a word of
 * two letters or more after a space, or a short metric unit; never a LaTeX command (`4\sqrt{2}`
 * is not 4) and never one glued letter (`2x` is not 2).
 */
function stripUnits(s: string): string {
  if (s.length > 64) return s;
  const m =
    /^(\\frac\{[^{}]+\}\{[^{}]+\}|[-+]?[\d.,]*\d)(?:\s+[A-Za-zµ€£¥]{2,}[\w^{}²³]*|\s*(?:km|cm|mm|m|kg|mg|g|ml|min|h|s)(?:\^\{?[23]\}?|[²³])?(?![A-Za-z]))(?:\s+[A-Za-z]{2,}[\w^{}²³]*){0,2}\s*$/.exec(
      s,
    );
  return m ? m[1]! : s;
}

/** LaTeX the CAS reads: `^\circ` as degrees. */
function toCasLatex(s: string): string {
  return s.replace(/\^\\circ/g, '\\degree');
}
